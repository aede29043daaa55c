from typing import List


class Solution:
    def countPairs(self, prices: List[int], budget: int) -> int:
        prices = sorted(prices)
        low, high = 0, len(prices) - 1
        pairs = 0
        while low < high:
            if prices[low] + prices[high] <= budget:
                pairs += high - low  # prices[low] fits with every price up to prices[high]
                low += 1
            else:
                high -= 1
        return pairs
