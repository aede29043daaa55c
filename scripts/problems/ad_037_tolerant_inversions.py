"""ad-037: count pairs i < j with nums[i] > nums[j] + d (Fenwick tree over ranks); large input."""

from _common import args_input

ID = "ad-037"
TITLE = "Tolerant Inversions"
DIFFICULTY = "hard"
KIND = "functional"
STARTER = False
FUNC_NAME = "countDrops"

STATEMENT = """\
A sensor logs the readings nums in time order. A drop is a pair of readings where the earlier one exceeds the
later one by more than the tolerance d: a pair of indices (i, j) with i < j and nums[i] > nums[j] + d.

Return the number of drops.

Example 1:

Input: nums = [5, 1, 4, 2], d = 1
Output: 3
Explanation: The drops are (5, 1), (5, 2) and (4, 2). The pair (5, 4) is not a drop because 5 - 4 = 1 is not
more than d.

Example 2:

Input: nums = [1, 2, 3], d = 0
Output: 0

Example 3:

Input: nums = [10, -10, 3], d = 5
Output: 2

Constraints:

1 <= nums.length <= 10^5
-10^9 <= nums[i] <= 10^9
0 <= d <= 10^9
"""

STARTER_CODE = """\
class Solution:
    def countDrops(self, nums: List[int], d: int) -> int:
        """

REFERENCE = """\
from bisect import bisect_right
from typing import List


class Solution:
    def countDrops(self, nums: List[int], d: int) -> int:
        values = sorted(set(nums))
        tree = [0] * (len(values) + 1)  # Fenwick tree: how many earlier readings have each rank

        def count_at_most(rank: int) -> int:
            total = 0
            while rank > 0:
                total += tree[rank]
                rank -= rank & -rank
            return total

        drops = 0
        for seen, x in enumerate(nums):
            # Earlier readings greater than x + d: all of them minus those <= x + d.
            drops += seen - count_at_most(bisect_right(values, x + d))
            rank = bisect_right(values, x)
            while rank <= len(values):
                tree[rank] += 1
                rank += rank & -rank
        return drops
"""

NAIVE = """\
from typing import List


class Solution:
    def countDrops(self, nums: List[int], d: int) -> int:
        drops = 0
        for i in range(len(nums)):
            for j in range(i + 1, len(nums)):
                if nums[i] > nums[j] + d:
                    drops += 1
        return drops
"""

PUBLIC_INPUTS = [args_input([5, 1, 4, 2], 1), args_input([1, 2, 3], 0), args_input([10, -10, 3], 5)]


def generate_inputs(rng):
    top = 10**9
    cases = [
        ([7], 0),
        ([top, -top], 0),
        ([top, -top], top),
        ([top, 0], top),
        ([3, 3, 3, 3], 0),
        (list(range(1000, 0, -1)), 0),
        (list(range(1000, 0, -1)), 500),
        ([4, 2, 4, 2, 4, 2], 1),
    ]
    for _ in range(4):
        cases.append(([rng.randint(-10, 10) for _ in range(rng.randint(1, 20))], rng.randint(0, 5)))
    cases.append(([rng.randint(-top, top) for _ in range(5000)], rng.randint(0, top)))
    cases.append(([rng.randint(-10**5, 10**5) for _ in range(50000)], 1000))
    return [args_input(nums, d) for nums, d in cases]
