"""ad-001 (starter): read two integers and print their sum."""

from _common import stdin_input

ID = "ad-001"
TITLE = "Two Integers Added"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
You are given two integers A and B. Print their sum A + B.

Input

The input is one line with two integers A and B separated by a single space:

A B

Output

Print one line with one integer: the value of A + B.

Constraints

- -1000000000 <= A <= 1000000000
- -1000000000 <= B <= 1000000000

Sample Input 1

3 4

Sample Output 1

7

3 + 4 = 7.

Sample Input 2

-10 25

Sample Output 2

15

-10 + 25 = 15.
"""

REFERENCE = """\
a, b = map(int, input().split())
print(a + b)
"""

PUBLIC_INPUTS = ["3 4\n", "-10 25\n"]


def generate_inputs(rng):
    limit = 10**9
    pairs = [(0, 0), (limit, limit), (-limit, -limit), (limit, -limit), (1, -1), (-7, -8)]
    pairs += [(rng.randint(-limit, limit), rng.randint(-limit, limit)) for _ in range(4)]
    pairs += [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(4)]
    return [stdin_input((a, b)) for a, b in pairs]
