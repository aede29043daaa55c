"""ad-030: count paths up a staircase with forbidden steps (dynamic programming on a sequence)."""

from _common import stdin_input

ID = "ad-030"
TITLE = "Cracked Staircase"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A staircase has steps numbered 1 to N; you stand on the floor, which counts as step 0. In one move you climb 1, 2
or 3 steps. K of the steps are cracked, and you must never land on a cracked step. The top step N is never
cracked.

Print the number of different ways to reach step N, modulo 1000000007. Two ways differ when their sequences of
moves differ.

Input

The input is given in the following format:

N K
C_1 C_2 ... C_K

The second line lists the cracked steps; it is empty when K = 0.

Output

Print the number of ways modulo 1000000007.

Constraints

- 1 <= N <= 2 * 10^5
- 0 <= K <= N - 1
- 1 <= C_i <= N - 1, and the C_i are all different.

Sample Input 1

4 1
2

Sample Output 1

3

The ways are 1-3-4, 3-4 and 1-4 (listing the steps you land on).

Sample Input 2

5 0


Sample Output 2

13

Sample Input 3

3 2
1 2

Sample Output 3

1
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.read().split()
    n, k = int(data[0]), int(data[1])
    cracked = set(map(int, data[2:2 + k]))
    mod = 10**9 + 7
    ways = [0] * (n + 1)
    ways[0] = 1
    for step in range(1, n + 1):
        if step not in cracked:
            ways[step] = (ways[step - 1] + (ways[step - 2] if step >= 2 else 0)
                          + (ways[step - 3] if step >= 3 else 0)) % mod
    print(ways[n])


main()
"""

PUBLIC_INPUTS = ["4 1\n2\n", "5 0\n\n", "3 2\n1 2\n"]


def _case(rng, n, k):
    cracked = rng.sample(range(1, n), k)
    return stdin_input((n, k), cracked)


def generate_inputs(rng):
    tests = [
        stdin_input((1, 0), []),
        stdin_input((2, 1), [1]),
        stdin_input((4, 3), [1, 2, 3]),
        stdin_input((7, 3), [4, 5, 6]),
        stdin_input((200000, 0), []),
        stdin_input((200000, 2), [100000, 100001]),
        stdin_input((10, 4), [2, 4, 6, 8]),
    ]
    tests += [_case(rng, n, rng.randint(0, n // 3)) for n in (rng.randint(2, 20) for _ in range(4))]
    tests.append(_case(rng, 5000, 700))
    tests.append(_case(rng, 200000, 30000))
    return tests
