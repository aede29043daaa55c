"""ad-020: shortest path on a grid (breadth-first search)."""

from _common import stdin_input

ID = "ad-020"
TITLE = "Courtyard Route"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A courtyard is a grid of H rows and W columns. Each cell is open ('.'), a wall ('#'), the start ('S') or the
goal ('G'); the start and goal cells are open. In one move you go from an open cell to an open cell that shares
a side with it (up, down, left or right). You cannot leave the grid.

Print the smallest number of moves needed to go from S to G, or -1 if G cannot be reached.

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

- 1 <= H, W <= 500
- H * W >= 2
- The grid contains exactly one 'S' and exactly one 'G'.

Sample Input 1

3 4
S..#
.#..
...G

Sample Output 1

5

Sample Input 2

2 3
S#G
.#.

Sample Output 2

-1

The wall column separates S from G.
"""

REFERENCE = """\
import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    h, w = int(data[0]), int(data[1])
    grid = "".join(data[2:2 + h])
    start, goal = grid.index("S"), grid.index("G")
    distance = [-1] * (h * w)
    distance[start] = 0
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        if cell == goal:
            break
        row, col = divmod(cell, w)
        for nxt, ok in ((cell - w, row > 0), (cell + w, row < h - 1), (cell - 1, col > 0), (cell + 1, col < w - 1)):
            if ok and distance[nxt] < 0 and grid[nxt] != "#":
                distance[nxt] = distance[cell] + 1
                queue.append(nxt)
    print(distance[goal])


main()
"""

PUBLIC_INPUTS = ["3 4\nS..#\n.#..\n...G\n", "2 3\nS#G\n.#.\n"]


def _place(rng, rows):
    """Put S and G on two different cells, which become open."""
    h, w = len(rows), len(rows[0])
    cells = rng.sample(range(h * w), 2)
    for mark, cell in zip("SG", cells):
        r, c = divmod(cell, w)
        rows[r][c] = mark
    return rows


def _random_grid(rng, h, w, wall_chance):
    rows = [["#" if rng.random() < wall_chance else "." for _ in range(w)] for _ in range(h)]
    return _place(rng, rows)


def _serpentine(h, w):
    """Every other row is a wall with one gap, alternating sides, so the only path visits every open row."""
    rows = [["."] * w for _ in range(h)]
    for r in range(1, h, 2):
        rows[r] = ["#"] * w
        rows[r][w - 1 if (r // 2) % 2 == 0 else 0] = "."
    rows[0][0] = "S"
    rows[h - 1][w - 1 if ((h - 1) // 2) % 2 == 0 else 0] = "G"
    return rows


def _text(rows):
    return stdin_input((len(rows), len(rows[0])), *["".join(r) for r in rows])


def generate_inputs(rng):
    grids = [[["S", "G"]], [["S"], ["G"]], [["S", "#", "G"]], [list("S.....G")]]
    grids += [_random_grid(rng, rng.randint(2, 8), rng.randint(2, 8), 0.3) for _ in range(4)]
    grids.append(_random_grid(rng, 60, 80, 0.35))
    grids.append(_random_grid(rng, 500, 500, 0.2))
    grids.append(_serpentine(201, 300))
    boxed = [["."] * 50 for _ in range(50)]
    for i in range(10, 20):
        boxed[10][i] = boxed[19][i] = boxed[i][10] = boxed[i][19] = "#"
    boxed[15][15], boxed[0][0] = "G", "S"
    grids.append(boxed)
    return [_text(g) for g in grids]
