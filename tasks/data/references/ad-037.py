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
