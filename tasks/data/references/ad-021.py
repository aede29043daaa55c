from typing import List


class Solution:
    def longestStreak(self, costs: List[int], budget: int) -> int:
        best = spent = left = 0
        for right, cost in enumerate(costs):
            spent += cost
            while spent > budget:
                spent -= costs[left]
                left += 1
            best = max(best, right - left + 1)
        return best
