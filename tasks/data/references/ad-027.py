from typing import List


class Solution:
    def totalBitDifferences(self, nums: List[int]) -> int:
        n = len(nums)
        total = 0
        for bit in range(30):
            ones = sum((x >> bit) & 1 for x in nums)
            total += ones * (n - ones)  # each pair with one 1 and one 0 at this bit differs there
        return total
