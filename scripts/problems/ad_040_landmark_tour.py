"""ad-040: shortest route through every landmark (bitmask dynamic programming over subsets)."""

from _common import stdin_input

ID = "ad-040"
TITLE = "Landmark Tour"
DIFFICULTY = "hard"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A tourist wants to see N landmarks, numbered 1 to N. Walking directly from landmark i to landmark j takes
T_{i,j} minutes; the walk back from j to i may take a different time T_{j,i}. The tourist starts at landmark 1,
must visit every landmark at least once, and may finish at any landmark.

Print the smallest total walking time.

Input

The input is given in the following format:

N
T_{1,1} T_{1,2} ... T_{1,N}
...
T_{N,1} T_{N,2} ... T_{N,N}

Output

Print one integer: the smallest total walking time.

Constraints

- 1 <= N <= 12
- T_{i,i} = 0
- 0 <= T_{i,j} <= 10^6
- All input values are integers.

Sample Input 1

3
0 4 1
4 0 2
1 2 0

Sample Output 1

3

Walk 1 -> 3 -> 2: 1 + 2 = 3 minutes.

Sample Input 2

1
0

Sample Output 2

0

Sample Input 3

4
0 1 9 9
9 0 1 9
9 9 0 1
1 9 9 0

Sample Output 3

3
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    t = [[int(data[1 + i * n + j]) for j in range(n)] for i in range(n)]
    infinity = float("inf")
    full = (1 << n) - 1
    # best[mask][last]: shortest walk from landmark 1 (index 0) visiting exactly `mask`, ending at `last`.
    best = [[infinity] * n for _ in range(1 << n)]
    best[1][0] = 0
    for mask in range(1, full + 1, 2):  # masks without landmark 1 are never reached
        row = best[mask]
        for last in range(n):
            here = row[last]
            if here == infinity:
                continue
            walks = t[last]
            for nxt in range(n):
                if not mask >> nxt & 1:
                    candidate = here + walks[nxt]
                    target = best[mask | 1 << nxt]
                    if candidate < target[nxt]:
                        target[nxt] = candidate
    print(min(best[full]))


main()
"""

PUBLIC_INPUTS = ["3\n0 4 1\n4 0 2\n1 2 0\n", "1\n0\n", "4\n0 1 9 9\n9 0 1 9\n9 9 0 1\n1 9 9 0\n"]


def _case(rng, n, high, symmetric):
    t = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j:
                t[i][j] = t[j][i] if symmetric and j < i else rng.randint(0, high)
    return stdin_input(n, *t)


def generate_inputs(rng):
    tests = [
        stdin_input(2, (0, 10**6), (0, 0)),
        stdin_input(2, (0, 0), (10**6, 0)),
        stdin_input(3, (0, 0, 0), (0, 0, 0), (0, 0, 0)),
        stdin_input(12, *[[0 if i == j else 10**6 for j in range(12)] for i in range(12)]),
    ]
    tests += [_case(rng, rng.randint(2, 6), 20, symmetric=rng.random() < 0.5) for _ in range(4)]
    tests += [_case(rng, 9, 1000, symmetric=True), _case(rng, 11, 10**6, symmetric=False)]
    tests += [_case(rng, 12, 10**6, symmetric=True), _case(rng, 12, 50, symmetric=False)]
    return tests
