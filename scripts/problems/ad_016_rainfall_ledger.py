"""ad-016: range sums over a fixed array (prefix sums); large input."""

from _common import stdin_input

ID = "ad-016"
TITLE = "Rainfall Ledger"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A weather station logged the rainfall of N consecutive days: A_i millimetres on day i. Answer Q questions; the
j-th question asks for the total rainfall from day L_j to day R_j, both included.

Input

The input is given in the following format:

N Q
A_1 A_2 ... A_N
L_1 R_1
L_2 R_2
...
L_Q R_Q

Output

Print Q lines. The j-th line contains the answer to the j-th question.

Constraints

- 1 <= N <= 2 * 10^5
- 1 <= Q <= 2 * 10^5
- 0 <= A_i <= 10^4
- 1 <= L_j <= R_j <= N
- All input values are integers.

Sample Input 1

5 3
3 0 7 2 5
1 3
2 2
1 5

Sample Output 1

10
0
17

Days 1 to 3 have 3 + 0 + 7 = 10 mm. Day 2 alone has 0 mm. All five days have 17 mm.

Sample Input 2

1 1
42
1 1

Sample Output 2

42
"""

REFERENCE = """\
import sys
from itertools import accumulate


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    prefix = [0] + list(accumulate(map(int, data[2:2 + n])))
    bounds = data[2 + n:2 + n + 2 * q]
    answers = [prefix[int(r)] - prefix[int(l) - 1] for l, r in zip(bounds[0::2], bounds[1::2])]
    sys.stdout.write("\\n".join(map(str, answers)) + "\\n")


main()
"""

NAIVE = """\
n, q = map(int, input().split())
rain = list(map(int, input().split()))
for _ in range(q):
    l, r = map(int, input().split())
    print(sum(rain[l - 1:r]))
"""

PUBLIC_INPUTS = ["5 3\n3 0 7 2 5\n1 3\n2 2\n1 5\n", "1 1\n42\n1 1\n"]


def _case(rng, n, q, high, wide=False):
    rain = [rng.randint(0, high) for _ in range(n)]
    queries = []
    for _ in range(q):
        if wide:  # every range covers most of the days, so summing each range day by day is slow
            queries.append((rng.randint(1, n // 10), rng.randint(n - n // 10, n)))
        else:
            l = rng.randint(1, n)
            queries.append((l, rng.randint(l, n)))
    return stdin_input((n, q), rain, *queries)


def generate_inputs(rng):
    tests = [
        stdin_input((1, 1), [0], (1, 1)),
        stdin_input((3, 3), [10000, 10000, 10000], (1, 3), (2, 3), (3, 3)),
        stdin_input((4, 2), [0, 0, 0, 0], (1, 4), (2, 3)),
    ]
    tests += [_case(rng, rng.randint(2, 20), rng.randint(1, 10), 20) for _ in range(4)]
    tests += [_case(rng, 1000, 1000, 10000) for _ in range(2)]
    tests.append(_case(rng, 5000, 5000, 10000, wide=True))
    tests.append(_case(rng, 200000, 50000, 99, wide=True))
    return tests
