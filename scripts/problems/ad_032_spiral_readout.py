"""ad-032: read a matrix in clockwise spiral order."""

from _common import stdin_input

ID = "ad-032"
TITLE = "Spiral Readout"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
You are given a matrix with R rows and C columns. Read it in clockwise spiral order: start at the top-left
element, go right along the top row, down the right column, left along the bottom row, up the left column, and
continue the same way inwards until every element has been read exactly once.

Print the elements in the order they are read.

Input

The input is given in the following format:

R C
A_{1,1} A_{1,2} ... A_{1,C}
...
A_{R,1} A_{R,2} ... A_{R,C}

Output

Print the R * C elements in spiral order on one line, separated by spaces.

Constraints

- 1 <= R, C <= 300
- -10^9 <= A_{i,j} <= 10^9
- All input values are integers.

Sample Input 1

3 4
1 2 3 4
5 6 7 8
9 10 11 12

Sample Output 1

1 2 3 4 8 12 11 10 9 5 6 7

Sample Input 2

3 1
7
8
9

Sample Output 2

7 8 9
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    grid = [data[2 + i * c:2 + (i + 1) * c] for i in range(r)]
    top, bottom, left, right = 0, r - 1, 0, c - 1
    order = []
    while top <= bottom and left <= right:
        order += grid[top][left:right + 1]
        order += [grid[i][right] for i in range(top + 1, bottom + 1)]
        if top < bottom:
            order += grid[bottom][left:right][::-1]
        if left < right:
            order += [grid[i][left] for i in range(bottom - 1, top, -1)]
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    print(" ".join(order))


main()
"""

PUBLIC_INPUTS = ["3 4\n1 2 3 4\n5 6 7 8\n9 10 11 12\n", "3 1\n7\n8\n9\n"]


def _case(rng, r, c, high):
    return stdin_input((r, c), *[[rng.randint(-high, high) for _ in range(c)] for _ in range(r)])


def _counting(r, c):
    return stdin_input((r, c), *[range(i * c + 1, (i + 1) * c + 1) for i in range(r)])


def generate_inputs(rng):
    tests = [stdin_input((1, 1), [-5]), _counting(1, 6), _counting(2, 2), _counting(4, 4), _counting(5, 3),
             _counting(2, 7), stdin_input((1, 2), [10**9, -(10**9)])]
    tests += [_case(rng, rng.randint(1, 6), rng.randint(1, 6), 99) for _ in range(3)]
    tests.append(_case(rng, 20, 20, 10**9))
    tests.append(_case(rng, 300, 300, 9))
    tests.append(_case(rng, 299, 17, 10))
    return tests
