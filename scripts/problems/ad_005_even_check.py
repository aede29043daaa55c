"""ad-005 (starter): is an integer even?"""

from _common import args_input

ID = "ad-005"
TITLE = "Even Check"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = True
FUNC_NAME = "isEven"

STATEMENT = """\
Given an integer n, return true if n is even and false if n is odd.

An integer is even when it divides by 2 with no remainder. Zero is even, and negative numbers can be even too
(for example -6 is even).

Example 1:

Input: n = 4
Output: true
Explanation: 4 = 2 * 2, so 4 is even.

Example 2:

Input: n = 7
Output: false
Explanation: 7 divided by 2 leaves a remainder of 1.

Example 3:

Input: n = -6
Output: true

Constraints:

-10^9 <= n <= 10^9
"""

STARTER_CODE = """\
class Solution:
    def isEven(self, n: int) -> bool:
        """

REFERENCE = """\
class Solution:
    def isEven(self, n: int) -> bool:
        return n % 2 == 0
"""

PUBLIC_INPUTS = [args_input(4), args_input(7), args_input(-6)]


def generate_inputs(rng):
    values = [0, 1, -1, 2, -2, 10**9, -(10**9), 10**9 - 1, -(10**9) + 1]
    values += [rng.randint(-(10**9), 10**9) for _ in range(5)]
    return [args_input(v) for v in values]
