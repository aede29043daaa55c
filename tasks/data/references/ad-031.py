from bisect import bisect_right
from typing import List


class Solution:
    def tallestTower(self, weights: List[int]) -> int:
        # A non-increasing run of weights is a non-decreasing run of their negatives. tops[k] is the smallest
        # possible last value of a non-decreasing sequence of length k + 1 seen so far.
        tops = []
        for weight in weights:
            value = -weight
            k = bisect_right(tops, value)
            if k == len(tops):
                tops.append(value)
            else:
                tops[k] = value
        return len(tops)
