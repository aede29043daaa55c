"""ad-025: run-length compression of a string."""

from _common import args_input

ID = "ad-025"
TITLE = "Run-Length Squeeze"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = False
FUNC_NAME = "squeeze"

STATEMENT = """\
Squeeze a string s of lowercase letters as follows. Split s into maximal blocks of the same letter. Write each
block as its letter, followed by the block's length if the length is 2 or more (a block of length 1 is written
as the letter alone). Return the squeezed string.

Example 1:

Input: s = "aaabcc"
Output: "a3bc2"
Explanation: The blocks are "aaa", "b" and "cc".

Example 2:

Input: s = "abc"
Output: "abc"

Example 3:

Input: s = "zzzzzzzzzzzz"
Output: "z12"

Constraints:

1 <= s.length <= 10^5
s consists of lowercase English letters.
"""

STARTER_CODE = """\
class Solution:
    def squeeze(self, s: str) -> str:
        """

REFERENCE = """\
class Solution:
    def squeeze(self, s: str) -> str:
        parts = []
        start = 0
        for i in range(1, len(s) + 1):
            if i == len(s) or s[i] != s[start]:
                length = i - start
                parts.append(s[start] if length == 1 else s[start] + str(length))
                start = i
        return "".join(parts)
"""

PUBLIC_INPUTS = [args_input("aaabcc"), args_input("abc"), args_input("zzzzzzzzzzzz")]


def generate_inputs(rng):
    strings = ["a", "aa", "ab", "abba", "a" * 100000, "ab" * 50000, "aaaaaaaaaab"]
    for _ in range(4):
        strings.append("".join(rng.choice("ab") * rng.randint(1, 12) for _ in range(rng.randint(2, 10))))
    strings.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") * rng.randint(1, 200) for _ in range(400)))
    return [args_input(s) for s in strings]
