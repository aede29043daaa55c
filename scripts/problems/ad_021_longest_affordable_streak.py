"""ad-021: the longest subarray whose sum fits a budget (sliding window); large input."""

from _common import args_input

ID = "ad-021"
TITLE = "Longest Affordable Streak"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "longestStreak"

STATEMENT = """\
You plan a trip along n towns in a row. Staying in town i costs costs[i]. You want to visit a streak of
consecutive towns and pay for each of them, spending at most budget in total. Return the largest number of
towns in such a streak, or 0 if you cannot afford even one town.

Example 1:

Input: costs = [2, 1, 3, 1, 1, 4], budget = 5
Output: 3
Explanation: The streaks [1, 3, 1] and [3, 1, 1] both cost 5. Every streak of 4 towns costs more than 5.

Example 2:

Input: costs = [7, 8], budget = 5
Output: 0

Example 3:

Input: costs = [0, 0, 5, 0], budget = 5
Output: 4
Explanation: Some towns are free; all four together cost exactly 5.

Constraints:

1 <= costs.length <= 10^5
0 <= costs[i] <= 10^4
0 <= budget <= 10^9
"""

STARTER_CODE = """\
class Solution:
    def longestStreak(self, costs: List[int], budget: int) -> int:
        """

REFERENCE = """\
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
"""

NAIVE = """\
from typing import List


class Solution:
    def longestStreak(self, costs: List[int], budget: int) -> int:
        best = 0
        for start in range(len(costs)):
            spent = 0
            for end in range(start, len(costs)):
                spent += costs[end]
                if spent > budget:
                    break
                best = max(best, end - start + 1)
        return best
"""

PUBLIC_INPUTS = [args_input([2, 1, 3, 1, 1, 4], 5), args_input([7, 8], 5), args_input([0, 0, 5, 0], 5)]


def generate_inputs(rng):
    cases = [
        ([0], 0),
        ([1], 0),
        ([10**4], 10**4),
        ([0] * 1000, 0),
        ([5, 5, 5, 5], 10**9),
        ([9, 1, 9, 1, 1, 9], 3),
    ]
    for _ in range(4):
        costs = [rng.randint(0, 10) for _ in range(rng.randint(1, 25))]
        cases.append((costs, rng.randint(0, 30)))
    costs = [rng.randint(0, 10**4) for _ in range(3000)]
    cases.append((costs, 200000))
    costs = [rng.randint(0, 100) for _ in range(50000)]
    cases.append((costs, sum(costs) // 2))  # the answer is about half the towns, so restarting is quadratic
    return [args_input(costs, budget) for costs, budget in cases]
