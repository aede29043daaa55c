"""ad-031: longest non-increasing subsequence (patience sorting with binary search); large input."""

from _common import args_input

ID = "ad-031"
TITLE = "Crate Tower"
DIFFICULTY = "hard"
KIND = "functional"
STARTER = False
FUNC_NAME = "tallestTower"

STATEMENT = """\
Crates pass by on a conveyor belt one at a time; the i-th crate weighs weights[i]. As the crates pass you may
take any of them, and each crate you take goes on top of your tower, so the first crate you take is at the
bottom. A crate may only be put on a crate that weighs at least as much as itself. Return the largest number of
crates your tower can have.

In other words, return the largest m for which there are indices i_1 < i_2 < ... < i_m with
weights[i_1] >= weights[i_2] >= ... >= weights[i_m].

Example 1:

Input: weights = [3, 1, 2, 2, 5, 4]
Output: 3
Explanation: Take the crates weighing 3, 2 and 2 (or 5 and 4, which is shorter).

Example 2:

Input: weights = [9, 8, 7]
Output: 3

Example 3:

Input: weights = [2, 5, 7]
Output: 1

Constraints:

1 <= weights.length <= 10^5
1 <= weights[i] <= 10^9
"""

STARTER_CODE = """\
class Solution:
    def tallestTower(self, weights: List[int]) -> int:
        """

REFERENCE = """\
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
"""

NAIVE = """\
from typing import List


class Solution:
    def tallestTower(self, weights: List[int]) -> int:
        best = [1] * len(weights)
        for i in range(len(weights)):
            for j in range(i):
                if weights[j] >= weights[i] and best[j] + 1 > best[i]:
                    best[i] = best[j] + 1
        return max(best)
"""

PUBLIC_INPUTS = [args_input([3, 1, 2, 2, 5, 4]), args_input([9, 8, 7]), args_input([2, 5, 7])]


def generate_inputs(rng):
    lists = [[1], [5, 5], [1, 2], [2, 1], [7] * 1000, list(range(1, 1001)), list(range(1000, 0, -1)),
             [3, 3, 1, 3, 1, 2, 1]]
    lists += [[rng.randint(1, 9) for _ in range(rng.randint(2, 20))] for _ in range(4)]
    lists.append([rng.randint(1, 10**9) for _ in range(3000)])
    lists.append([rng.randint(1, 10**5) for _ in range(60000)])
    return [args_input(a) for a in lists]
