from typing import List


class Solution:
    def longestPlateau(self, heights: List[int]) -> int:
        best = run = 1
        for previous, current in zip(heights, heights[1:]):
            run = run + 1 if current == previous else 1
            best = max(best, run)
        return best
