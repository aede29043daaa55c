"""ad-017: count pairs whose sum fits a budget (sorting and two pointers); large input."""

from _common import args_input

ID = "ad-017"
TITLE = "Pairs Within Budget"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "countPairs"

STATEMENT = """\
A shop sells n gifts; the i-th gift costs prices[i]. You want to buy exactly two different gifts and spend at
most budget. Return the number of ways to choose the two gifts, that is, the number of index pairs (i, j) with
i < j and prices[i] + prices[j] <= budget.

Two gifts with the same price are still different gifts.

Example 1:

Input: prices = [3, 1, 4, 2], budget = 5
Output: 4
Explanation: The pairs of prices that fit are (3, 1), (3, 2), (1, 4) and (1, 2).

Example 2:

Input: prices = [5, 5, 5], budget = 9
Output: 0

Example 3:

Input: prices = [1, 1], budget = 2
Output: 1

Constraints:

2 <= prices.length <= 10^5
1 <= prices[i] <= 10^9
1 <= budget <= 2 * 10^9
"""

STARTER_CODE = """\
class Solution:
    def countPairs(self, prices: List[int], budget: int) -> int:
        """

REFERENCE = """\
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
"""

NAIVE = """\
from typing import List


class Solution:
    def countPairs(self, prices: List[int], budget: int) -> int:
        pairs = 0
        for i in range(len(prices)):
            for j in range(i + 1, len(prices)):
                if prices[i] + prices[j] <= budget:
                    pairs += 1
        return pairs
"""

PUBLIC_INPUTS = [args_input([3, 1, 4, 2], 5), args_input([5, 5, 5], 9), args_input([1, 1], 2)]


def generate_inputs(rng):
    cases = [
        ([1, 1], 1),
        ([10**9, 10**9], 2 * 10**9),
        ([10**9, 10**9, 1], 10**9),
        ([7] * 1000, 14),
        ([7] * 1000, 13),
        ([1, 2, 3, 4, 5, 6], 7),
    ]
    for _ in range(4):
        prices = [rng.randint(1, 50) for _ in range(rng.randint(2, 30))]
        cases.append((prices, rng.randint(2, 100)))
    prices = [rng.randint(1, 10**9) for _ in range(2000)]
    cases.append((prices, 10**9))
    cases.append(([rng.randint(1, 10**6) for _ in range(50000)], 10**6))
    return [args_input(prices, budget) for prices, budget in cases]
