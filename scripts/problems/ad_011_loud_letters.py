"""ad-011 (starter): a string in capital letters."""

from _common import args_input

ID = "ad-011"
TITLE = "Loud Letters"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = True
FUNC_NAME = "shout"

STATEMENT = """\
Given a string s, return the same string with every lowercase English letter changed to its uppercase letter.
Characters that are not lowercase letters (uppercase letters, digits, spaces, punctuation) stay as they are.

Example 1:

Input: s = "hello world"
Output: "HELLO WORLD"

Example 2:

Input: s = "Room 101, please!"
Output: "ROOM 101, PLEASE!"

Constraints:

1 <= s.length <= 200
s consists of printable ASCII characters.
"""

STARTER_CODE = """\
class Solution:
    def shout(self, s: str) -> str:
        """

REFERENCE = """\
class Solution:
    def shout(self, s: str) -> str:
        return s.upper()
"""

PUBLIC_INPUTS = [args_input("hello world"), args_input("Room 101, please!")]


def generate_inputs(rng):
    printable = "".join(chr(c) for c in range(32, 127))
    strings = ["a", "Z", "7", " ", "ALREADY LOUD", "mIxEd CaSe", "x" * 200, "~!@#$%^&*()_+"]
    strings += ["".join(rng.choice(printable) for _ in range(rng.randint(5, 60))) for _ in range(4)]
    return [args_input(s) for s in strings]
