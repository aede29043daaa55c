"""ad-002 (starter): print a word reversed."""

from _common import stdin_input

ID = "ad-002"
TITLE = "Backwards Word"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
You are given a word S made of lowercase English letters. Print S written backwards, from its last letter to
its first letter.

Input

The input is one line containing the word S.

Output

Print one line containing S reversed.

Constraints

- S has between 1 and 100 letters.
- Every letter of S is a lowercase English letter (a-z).

Sample Input 1

hello

Sample Output 1

olleh

Sample Input 2

stressed

Sample Output 2

desserts
"""

REFERENCE = """\
s = input().strip()
print(s[::-1])
"""

PUBLIC_INPUTS = ["hello\n", "stressed\n"]


def generate_inputs(rng):
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["a", "zz", "racecar", "ab", "abcdefghijklmnopqrstuvwxyz", "q" * 100]
    words += ["".join(rng.choice(letters) for _ in range(rng.randint(2, 12))) for _ in range(4)]
    words += ["".join(rng.choice(letters) for _ in range(100)) for _ in range(2)]
    return [stdin_input(w) for w in words]
