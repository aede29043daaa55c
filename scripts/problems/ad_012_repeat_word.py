"""ad-012 (starter): a word repeated K times."""

from _common import stdin_input

ID = "ad-012"
TITLE = "Echo Chamber"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
You are given a word S and a positive integer K. Print S written K times in a row, with nothing between the
copies, on one line.

Input

The input has two lines. The first line contains the word S. The second line contains the integer K:

S
K

Output

Print one line: S repeated K times.

Constraints

- S has between 1 and 10 lowercase English letters.
- 1 <= K <= 20

Sample Input 1

ab
3

Sample Output 1

ababab

Sample Input 2

echo
1

Sample Output 2

echo
"""

REFERENCE = """\
s = input().strip()
k = int(input())
print(s * k)
"""

PUBLIC_INPUTS = ["ab\n3\n", "echo\n1\n"]


def generate_inputs(rng):
    letters = "abcdefghijklmnopqrstuvwxyz"
    cases = [("a", 1), ("z", 20), ("abcdefghij", 20), ("aa", 5), ("hi", 2), ("loop", 10)]
    cases += [("".join(rng.choice(letters) for _ in range(rng.randint(1, 10))), rng.randint(1, 20))
              for _ in range(6)]
    return [stdin_input(s, k) for s, k in cases]
