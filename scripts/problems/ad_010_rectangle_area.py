"""ad-010 (starter): the area of a rectangle."""

from _common import stdin_input

ID = "ad-010"
TITLE = "Rectangle Area"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
A rectangle is W units wide and H units tall. Print its area, W times H.

Input

The input is one line with two integers W and H separated by a single space:

W H

Output

Print one line with one integer: the area W * H.

Constraints

- 1 <= W <= 100000
- 1 <= H <= 100000

Sample Input 1

4 6

Sample Output 1

24

Sample Input 2

1 13

Sample Output 2

13
"""

REFERENCE = """\
w, h = map(int, input().split())
print(w * h)
"""

PUBLIC_INPUTS = ["4 6\n", "1 13\n"]


def generate_inputs(rng):
    pairs = [(1, 1), (100000, 100000), (1, 100000), (100000, 1), (7, 7), (12, 5)]
    pairs += [(rng.randint(1, 100000), rng.randint(1, 100000)) for _ in range(4)]
    pairs += [(rng.randint(1, 20), rng.randint(1, 20)) for _ in range(2)]
    return [stdin_input((w, h)) for w, h in pairs]
