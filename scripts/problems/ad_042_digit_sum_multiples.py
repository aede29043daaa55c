"""ad-042: count numbers in a range whose digit sum is a multiple of K (digit dynamic programming)."""

from _common import stdin_input

ID = "ad-042"
TITLE = "Digit Sum Multiples"
DIFFICULTY = "hard"
KIND = "stdin"
STARTER = False

STATEMENT = """\
For each of T questions you are given L, R and K. Print how many integers x with L <= x <= R have a decimal digit
sum that is a multiple of K.

Input

The input is given in the following format:

T
L_1 R_1 K_1
L_2 R_2 K_2
...
L_T R_T K_T

Output

Print T lines. The i-th line is the answer to the i-th question.

Constraints

- 1 <= T <= 20
- 1 <= L_i <= R_i <= 10^18
- 1 <= K_i <= 100
- All input values are integers.

Sample Input 1

1
1 20 5

Sample Output 1

3

The numbers are 5, 14 and 19 (digit sums 5, 5 and 10).

Sample Input 2

2
10 10 1
1 1000000000000000000 2

Sample Output 2

1
499999999999999999
"""

REFERENCE = """\
import sys


def count_up_to(n, k):
    # How many x in [0, n] have digit sum divisible by k. Walk n's digits; `free[r]` counts the prefixes that
    # are already below n's prefix and have digit sum r (mod k); `tight` is the digit sum of n's own prefix.
    free = [0] * k
    tight = 0
    for d in map(int, str(n)):
        grown = [0] * k
        for r, count in enumerate(free):
            if count:
                for digit in range(10):
                    grown[(r + digit) % k] += count
        for digit in range(d):
            grown[(tight + digit) % k] += 1
        free = grown
        tight = (tight + d) % k
    return free[0] + (1 if tight == 0 else 0)


def main():
    data = sys.stdin.read().split()
    t = int(data[0])
    out = []
    for i in range(t):
        low, high, k = int(data[1 + 3 * i]), int(data[2 + 3 * i]), int(data[3 + 3 * i])
        out.append(count_up_to(high, k) - count_up_to(low - 1, k))
    print("\\n".join(map(str, out)))


main()
"""

PUBLIC_INPUTS = ["1\n1 20 5\n", "2\n10 10 1\n1 1000000000000000000 2\n"]


def generate_inputs(rng):
    top = 10**18
    tests = [
        stdin_input(1, (1, 1, 1)),
        stdin_input(1, (1, 9, 10)),
        stdin_input(1, (top, top, 1)),
        stdin_input(1, (top, top, 2)),
        stdin_input(1, (1, top, 100)),
        stdin_input(1, (1, top, 1)),
        stdin_input(3, (99, 101, 2), (999, 1000, 27), (1, 100, 19)),
    ]
    for _ in range(3):
        t = rng.randint(1, 5)
        rows = []
        for _ in range(t):
            low = rng.randint(1, 500)
            rows.append((low, rng.randint(low, 1000), rng.randint(1, 12)))
        tests.append(stdin_input(t, *rows))
    rows = []
    for _ in range(20):
        low = rng.randint(1, top)
        rows.append((low, rng.randint(low, top), rng.randint(1, 100)))
    tests.append(stdin_input(20, *rows))
    tests.append(stdin_input(20, *[(1, top - rng.randint(0, 10**6), 100 - i) for i in range(20)]))
    return tests
