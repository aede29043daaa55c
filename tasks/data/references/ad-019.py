from typing import List


class Solution:
    def minFinishTime(self, lengths: List[int], painters: int, setup: int) -> int:
        def blocks_needed(capacity: int) -> int:
            blocks, load = 1, 0
            for hours in lengths:
                if load + hours > capacity:
                    blocks += 1
                    load = 0
                load += hours
            return blocks

        # Every block pays the same setup, so minimise the largest block sum; more painters never hurt.
        low, high = max(lengths), sum(lengths)
        while low < high:
            middle = (low + high) // 2
            if blocks_needed(middle) <= painters:
                high = middle
            else:
                low = middle + 1
        return low + setup
