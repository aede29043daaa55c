from typing import List


class Solution:
    def countTarget(self, nums: List[int], target: int) -> int:
        return sum(1 for x in nums if x == target)
