from collections import deque
from typing import List


class Solution:
    def longestSteady(self, readings: List[int], k: int) -> int:
        highs, lows = deque(), deque()  # indices whose readings decrease / increase: window max and min first
        best = left = 0
        for right, value in enumerate(readings):
            while highs and readings[highs[-1]] <= value:
                highs.pop()
            highs.append(right)
            while lows and readings[lows[-1]] >= value:
                lows.pop()
            lows.append(right)
            while readings[highs[0]] - readings[lows[0]] > k:
                left += 1
                if highs[0] < left:
                    highs.popleft()
                if lows[0] < left:
                    lows.popleft()
            best = max(best, right - left + 1)
        return best
