from bisect import bisect_right
from typing import List


class Solution:
    def bestSchedule(self, talks: List[List[int]]) -> int:
        talks = sorted(talks, key=lambda talk: talk[1])
        ends = [end for _, end, _ in talks]
        best = [0] * (len(talks) + 1)  # best[i]: the most value from the first i talks by end time
        for i, (start, end, value) in enumerate(talks):
            earlier = bisect_right(ends, start, 0, i)  # talks ending by `start` do not clash
            best[i + 1] = max(best[i], best[earlier] + value)
        return best[-1]
