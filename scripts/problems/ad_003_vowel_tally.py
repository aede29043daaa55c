"""ad-003 (starter): count the vowels in a word."""

from _common import stdin_input

ID = "ad-003"
TITLE = "Vowel Tally"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
You are given a string S of lowercase English letters. Count how many of its letters are vowels. The vowels
are the five letters a, e, i, o and u. Every other letter is not a vowel (y is not a vowel).

Input

The input is one line containing the string S.

Output

Print one line with one integer: the number of vowels in S.

Constraints

- S has between 1 and 1000 letters.
- Every letter of S is a lowercase English letter (a-z).

Sample Input 1

programming

Sample Output 1

3

The vowels are o, a and i.

Sample Input 2

rhythm

Sample Output 2

0

Sample Input 3

aeiou

Sample Output 3

5
"""

REFERENCE = """\
s = input().strip()
print(sum(1 for c in s if c in "aeiou"))
"""

PUBLIC_INPUTS = ["programming\n", "rhythm\n", "aeiou\n"]


def generate_inputs(rng):
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["a", "b", "y", "uuuuuuuu", "bcdfghjklmnpqrstvwxyz", "e" * 1000, "queueing"]
    words += ["".join(rng.choice(letters) for _ in range(rng.randint(3, 30))) for _ in range(4)]
    words += ["".join(rng.choice(letters) for _ in range(1000))]
    return [stdin_input(w) for w in words]
