"""ad-022: merge overlapping intervals."""

from _common import stdin_input

ID = "ad-022"
TITLE = "Booked Hours"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A meeting room received N bookings. Booking i keeps the room busy from hour S_i up to hour E_i: the time
interval [S_i, E_i), which includes S_i and excludes E_i. Bookings may overlap.

A busy block is a maximal stretch of time during which the room is busy without a break. Two bookings that
overlap, or where one ends exactly when the other starts, belong to the same busy block.

Print the number of busy blocks and the total number of hours the room is busy.

Input

The input is given in the following format:

N
S_1 E_1
S_2 E_2
...
S_N E_N

Output

Print two integers separated by a space: the number of busy blocks and the total busy hours.

Constraints

- 1 <= N <= 2 * 10^5
- 0 <= S_i < E_i <= 10^9
- All input values are integers.

Sample Input 1

4
1 3
2 5
7 9
5 6

Sample Output 1

2 7

The bookings [1, 3), [2, 5) and [5, 6) form the block [1, 6); [7, 9) is the second block. The room is busy
5 + 2 = 7 hours.

Sample Input 2

2
0 10
3 4

Sample Output 2

1 10
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    bookings = sorted(zip(map(int, data[1:2 * n + 1:2]), map(int, data[2:2 * n + 2:2])))
    blocks = busy = 0
    block_start, block_end = bookings[0]
    for start, end in bookings[1:]:
        if start <= block_end:
            block_end = max(block_end, end)
        else:
            blocks += 1
            busy += block_end - block_start
            block_start, block_end = start, end
    blocks += 1
    busy += block_end - block_start
    print(blocks, busy)


main()
"""

PUBLIC_INPUTS = ["4\n1 3\n2 5\n7 9\n5 6\n", "2\n0 10\n3 4\n"]


def _case(rng, n, horizon, longest):
    bookings = []
    for _ in range(n):
        start = rng.randint(0, horizon - 1)
        bookings.append((start, min(horizon, start + rng.randint(1, longest))))
    return stdin_input(n, *bookings)


def generate_inputs(rng):
    tests = [
        stdin_input(1, (0, 1)),
        stdin_input(1, (0, 10**9)),
        stdin_input(3, (5, 6), (5, 6), (5, 6)),
        stdin_input(3, (4, 6), (0, 2), (2, 4)),
        stdin_input(3, (0, 1), (2, 3), (4, 5)),
        stdin_input(3, (0, 100), (10, 20), (30, 40)),
    ]
    tests += [_case(rng, rng.randint(2, 10), 30, 6) for _ in range(4)]
    tests += [_case(rng, 2000, 10**6, 400), _case(rng, 20000, 10**9, 10**5)]
    return tests
