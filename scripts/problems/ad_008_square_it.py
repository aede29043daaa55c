"""ad-008 (starter): the square of an integer."""

from _common import args_input

ID = "ad-008"
TITLE = "Square It"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = True
FUNC_NAME = "square"

STATEMENT = """\
Given an integer n, return n multiplied by itself (n * n).

Example 1:

Input: n = 5
Output: 25

Example 2:

Input: n = -3
Output: 9
Explanation: -3 * -3 = 9; the square of a negative number is positive.

Constraints:

-10^5 <= n <= 10^5
"""

STARTER_CODE = """\
class Solution:
    def square(self, n: int) -> int:
        """

REFERENCE = """\
class Solution:
    def square(self, n: int) -> int:
        return n * n
"""

PUBLIC_INPUTS = [args_input(5), args_input(-3)]


def generate_inputs(rng):
    values = [0, 1, -1, 10**5, -(10**5), 12, -99]
    values += [rng.randint(-(10**5), 10**5) for _ in range(5)]
    return [args_input(v) for v in values]
