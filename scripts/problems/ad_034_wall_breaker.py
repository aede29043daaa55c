"""ad-034: shortest grid path with one wall that may be broken (BFS over (cell, hammer used) states)."""

from _common import stdin_input

ID = "ad-034"
TITLE = "One Hammer"
DIFFICULTY = "hard"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A maze is a grid of H rows and W columns. Each cell is open ('.'), a wall ('#'), the start ('S') or the goal
('G'); the start and goal cells are open. In one move you go to a cell that shares a side with your cell (up,
down, left or right) without leaving the grid.

You carry a hammer that works once: during the whole trip you may move into at most one wall cell, which the
hammer breaks as you step in. That move counts as one move like any other. All other moves must go to open
cells.

Print the smallest number of moves from S to G, or -1 if G cannot be reached.

Input

The input is given in the following format:

H W
row_1
row_2
...
row_H

Each row_i is a string of W characters from '.', '#', 'S' and 'G'.

Output

Print one integer: the smallest number of moves, or -1.

Constraints

- 1 <= H, W <= 300
- H * W >= 2
- The grid contains exactly one 'S' and exactly one 'G'.

Sample Input 1

3 3
S#G
.#.
...

Sample Output 1

2

Break the wall between S and G.

Sample Input 2

3 5
S.#.G
###.#
.....

Sample Output 2

4

Sample Input 3

1 4
S##G

Sample Output 3

-1

Two walls stand in the way but the hammer breaks only one.
"""

REFERENCE = """\
import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    h, w = int(data[0]), int(data[1])
    grid = "".join(data[2:2 + h])
    size = h * w
    start, goal = grid.index("S"), grid.index("G")
    # State s < size: at cell s with the hammer unused; s >= size: at cell s - size after using it.
    distance = [-1] * (2 * size)
    distance[start] = 0
    queue = deque([start])
    while queue:
        state = queue.popleft()
        used = state >= size
        cell = state - size if used else state
        if cell == goal:
            print(distance[state])
            return
        row, col = divmod(cell, w)
        for nxt, ok in ((cell - w, row > 0), (cell + w, row < h - 1), (cell - 1, col > 0), (cell + 1, col < w - 1)):
            if not ok:
                continue
            if grid[nxt] == "#":
                if used:
                    continue
                target = nxt + size
            else:
                target = nxt + size if used else nxt
            if distance[target] < 0:
                distance[target] = distance[state] + 1
                queue.append(target)
    print(-1)


main()
"""

PUBLIC_INPUTS = ["3 3\nS#G\n.#.\n...\n", "3 5\nS.#.G\n###.#\n.....\n", "1 4\nS##G\n"]


def _place(rng, rows):
    h, w = len(rows), len(rows[0])
    for mark, cell in zip("SG", rng.sample(range(h * w), 2)):
        r, c = divmod(cell, w)
        rows[r][c] = mark
    return rows


def _random_grid(rng, h, w, wall_chance):
    return _place(rng, [["#" if rng.random() < wall_chance else "." for _ in range(w)] for _ in range(h)])


def _text(rows):
    return stdin_input((len(rows), len(rows[0])), *["".join(r) for r in rows])


def _serpentine(h, w, thick):
    """Wall rows with gaps at alternating ends; breaking through one wall row is a shortcut."""
    rows = [["."] * w for _ in range(h)]
    for r in range(1, h, 2):
        rows[r] = ["#"] * w
        if not thick or r != h // 2:
            rows[r][w - 1 if (r // 2) % 2 == 0 else 0] = "."
    rows[0][0] = "S"
    rows[h - 1][w // 2] = "G"
    return rows


def generate_inputs(rng):
    grids = [[["S", "G"]], [["S", "#", "G"]], [["S"], ["#"], ["#"], ["G"]], [list("S#.#G")]]
    grids.append([list("S.#"), list("###"), list("#.G")])
    grids += [_random_grid(rng, rng.randint(2, 7), rng.randint(2, 7), 0.45) for _ in range(4)]
    grids.append(_random_grid(rng, 80, 90, 0.4))
    grids.append(_random_grid(rng, 300, 300, 0.3))
    grids.append(_serpentine(299, 300, thick=False))
    grids.append(_serpentine(101, 120, thick=True))
    return [_text(g) for g in grids]
