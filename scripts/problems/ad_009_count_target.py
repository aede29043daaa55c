"""ad-009 (starter): how many times a value occurs in a list."""

from _common import args_input

ID = "ad-009"
TITLE = "Count the Target"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = True
FUNC_NAME = "countTarget"

STATEMENT = """\
Given a list of integers nums and an integer target, return how many elements of nums are equal to target.

Example 1:

Input: nums = [1, 3, 3, 7, 3], target = 3
Output: 3
Explanation: 3 appears at positions 1, 2 and 4 (counting from 0).

Example 2:

Input: nums = [4, 5, 6], target = 9
Output: 0
Explanation: 9 does not appear in nums.

Constraints:

1 <= nums.length <= 1000
-1000 <= nums[i], target <= 1000
"""

STARTER_CODE = """\
class Solution:
    def countTarget(self, nums: List[int], target: int) -> int:
        """

REFERENCE = """\
from typing import List


class Solution:
    def countTarget(self, nums: List[int], target: int) -> int:
        return sum(1 for x in nums if x == target)
"""

PUBLIC_INPUTS = [args_input([1, 3, 3, 7, 3], 3), args_input([4, 5, 6], 9)]


def generate_inputs(rng):
    cases = [([5], 5), ([5], -5), ([0] * 1000, 0), ([-1000, 1000] * 500, -1000), ([2, 2, 2], 3)]
    for _ in range(4):
        nums = [rng.randint(-5, 5) for _ in range(rng.randint(3, 15))]
        cases.append((nums, rng.randint(-5, 5)))
    nums = [rng.randint(-1000, 1000) for _ in range(1000)]
    cases += [(nums, nums[17]), (nums, 1001 - 1)]
    return [args_input(nums, target) for nums, target in cases]
