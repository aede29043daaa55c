"""ad-006 (starter): the sum of a list of integers."""

from _common import args_input

ID = "ad-006"
TITLE = "List Total"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = True
FUNC_NAME = "sumList"

STATEMENT = """\
Given a list of integers nums, return the sum of all its elements.

Example 1:

Input: nums = [1, 2, 3, 4]
Output: 10
Explanation: 1 + 2 + 3 + 4 = 10.

Example 2:

Input: nums = [-5, 5, 7]
Output: 7
Explanation: -5 + 5 + 7 = 7.

Constraints:

1 <= nums.length <= 1000
-10^6 <= nums[i] <= 10^6
"""

STARTER_CODE = """\
class Solution:
    def sumList(self, nums: List[int]) -> int:
        """

REFERENCE = """\
from typing import List


class Solution:
    def sumList(self, nums: List[int]) -> int:
        return sum(nums)
"""

PUBLIC_INPUTS = [args_input([1, 2, 3, 4]), args_input([-5, 5, 7])]


def generate_inputs(rng):
    lists = [[0], [42], [-42], [10**6] * 1000, [-(10**6)] * 1000, [3, -3, 3, -3]]
    lists += [[rng.randint(-100, 100) for _ in range(rng.randint(2, 10))] for _ in range(4)]
    lists += [[rng.randint(-(10**6), 10**6) for _ in range(1000)] for _ in range(2)]
    return [args_input(a) for a in lists]
