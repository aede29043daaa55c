"""ad-027: the sum of Hamming distances over all pairs (counting per bit); large input."""

from _common import args_input

ID = "ad-027"
TITLE = "Pairwise Bit Differences"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "totalBitDifferences"

STATEMENT = """\
The bit difference of two non-negative integers is the number of bit positions at which their binary forms
differ (equivalently, the number of 1 bits in a XOR b).

Given a list nums, return the sum of the bit differences of all pairs (i, j) with i < j.

Example 1:

Input: nums = [1, 2, 3]
Output: 4
Explanation: In binary the numbers are 01, 10 and 11. The pair (1, 2) differs in 2 bits, (1, 3) in 1 bit and
(2, 3) in 1 bit.

Example 2:

Input: nums = [7, 7]
Output: 0

Example 3:

Input: nums = [0, 15]
Output: 4

Constraints:

2 <= nums.length <= 10^5
0 <= nums[i] < 2^30
"""

STARTER_CODE = """\
class Solution:
    def totalBitDifferences(self, nums: List[int]) -> int:
        """

REFERENCE = """\
from typing import List


class Solution:
    def totalBitDifferences(self, nums: List[int]) -> int:
        n = len(nums)
        total = 0
        for bit in range(30):
            ones = sum((x >> bit) & 1 for x in nums)
            total += ones * (n - ones)  # each pair with one 1 and one 0 at this bit differs there
        return total
"""

NAIVE = """\
from typing import List


class Solution:
    def totalBitDifferences(self, nums: List[int]) -> int:
        total = 0
        for i in range(len(nums)):
            for j in range(i + 1, len(nums)):
                total += bin(nums[i] ^ nums[j]).count("1")
        return total
"""

PUBLIC_INPUTS = [args_input([1, 2, 3]), args_input([7, 7]), args_input([0, 15])]


def generate_inputs(rng):
    top = 2**30 - 1
    lists = [[0, 0], [0, top], [top, top, top], [1, 2, 4, 8, 16], [0] * 500 + [top] * 500]
    lists += [[rng.randint(0, 15) for _ in range(rng.randint(2, 12))] for _ in range(4)]
    lists.append([rng.randint(0, top) for _ in range(1000)])
    lists.append([rng.randint(0, top) for _ in range(3000)])
    lists.append([rng.randint(0, 2**20 - 1) for _ in range(30000)])
    return [args_input(a) for a in lists]
