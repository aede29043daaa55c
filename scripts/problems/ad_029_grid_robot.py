"""ad-029: simulate a robot that turns and moves on a grid with blocked cells."""

from _common import args_input

ID = "ad-029"
TITLE = "Warehouse Robot"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "finalState"

STATEMENT = """\
A warehouse floor is a grid with rows rows and cols columns; row 0 is the top row and column 0 the leftmost
column. Some cells are blocked: blocked[i] = [r, c] means cell (r, c) is blocked. A robot starts on cell
(0, 0) facing east (towards larger column numbers) and runs the commands in the string commands in order:

- 'F': move one cell forward. If that cell is outside the grid or blocked, the robot does not move and
  records one bump instead.
- 'L': turn 90 degrees to the left (from east it then faces north, towards row 0).
- 'R': turn 90 degrees to the right (from east it then faces south).

Return [row, column, bumps]: the robot's final cell and the number of bumps recorded.

Example 1:

Input: rows = 3, cols = 3, blocked = [[1, 1]], commands = "FFRFF"
Output: [2, 2, 0]
Explanation: The robot moves to (0, 1) and (0, 2), turns south, and moves to (1, 2) and (2, 2).

Example 2:

Input: rows = 2, cols = 2, blocked = [], commands = "LFRFFF"
Output: [0, 1, 3]
Explanation: Facing north from (0, 0) the robot bumps into the edge. It turns east, moves to (0, 1), then bumps
into the edge twice.

Example 3:

Input: rows = 3, cols = 3, blocked = [[0, 1]], commands = "FRFLF"
Output: [1, 1, 1]

Constraints:

1 <= rows, cols <= 1000
0 <= blocked.length <= 10^4
blocked[i].length == 2, 0 <= blocked[i][0] < rows, 0 <= blocked[i][1] < cols
The blocked cells are all different and (0, 0) is not blocked.
1 <= commands.length <= 10^5
commands consists only of the characters 'F', 'L' and 'R'.
"""

STARTER_CODE = """\
class Solution:
    def finalState(self, rows: int, cols: int, blocked: List[List[int]], commands: str) -> List[int]:
        """

REFERENCE = """\
from typing import List


class Solution:
    def finalState(self, rows: int, cols: int, blocked: List[List[int]], commands: str) -> List[int]:
        walls = {(r, c) for r, c in blocked}
        moves = [(0, 1), (1, 0), (0, -1), (-1, 0)]  # east, south, west, north: clockwise order
        facing = row = col = bumps = 0
        for command in commands:
            if command == "R":
                facing = (facing + 1) % 4
            elif command == "L":
                facing = (facing + 3) % 4
            else:
                r, c = row + moves[facing][0], col + moves[facing][1]
                if 0 <= r < rows and 0 <= c < cols and (r, c) not in walls:
                    row, col = r, c
                else:
                    bumps += 1
        return [row, col, bumps]
"""

PUBLIC_INPUTS = [
    args_input(3, 3, [[1, 1]], "FFRFF"),
    args_input(2, 2, [], "LFRFFF"),
    args_input(3, 3, [[0, 1]], "FRFLF"),
]


def _case(rng, rows, cols, n_blocked, n_commands, weights=(6, 1, 1)):
    cells = rng.sample(range(1, rows * cols), min(n_blocked, rows * cols - 1))
    blocked = [list(divmod(cell, cols)) for cell in cells]
    commands = "".join(rng.choices("FLR", weights=weights, k=n_commands))
    return args_input(rows, cols, blocked, commands)


def generate_inputs(rng):
    tests = [
        args_input(1, 1, [], "F"),
        args_input(1, 1, [], "LLLLRRRR"),
        args_input(1, 5, [], "FFFFFFFF"),
        args_input(5, 1, [[4, 0]], "RFFFFF"),
        args_input(2, 2, [[0, 1], [1, 0]], "FRFRFRF"),
        args_input(1000, 1000, [], "F" * 999 + "R" + "F" * 999),
    ]
    tests += [_case(rng, rng.randint(1, 6), rng.randint(1, 6), rng.randint(0, 5), rng.randint(1, 30))
              for _ in range(4)]
    tests.append(_case(rng, 50, 60, 600, 5000))
    tests.append(_case(rng, 1000, 1000, 10000, 100000, weights=(20, 1, 1)))
    return tests
