"""ad-013: the longest block of equal neighbours in a list."""

from _common import args_input

ID = "ad-013"
TITLE = "Longest Plateau"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = False
FUNC_NAME = "longestPlateau"

STATEMENT = """\
A hiking trail is described by the list heights, where heights[i] is the height of the i-th marker. A plateau is
a block of consecutive markers that all have the same height. Return the number of markers in the longest
plateau.

A single marker on its own is a plateau of length 1.

Example 1:

Input: heights = [1, 1, 2, 2, 2, 3]
Output: 3
Explanation: The three markers of height 2 form the longest plateau.

Example 2:

Input: heights = [4, 7, 4]
Output: 1
Explanation: No two neighbouring markers have the same height. The two markers of height 4 are not next to
each other, so they do not form a plateau together.

Example 3:

Input: heights = [9, 9, 9, 9]
Output: 4

Constraints:

1 <= heights.length <= 10^5
-10^9 <= heights[i] <= 10^9
"""

STARTER_CODE = """\
class Solution:
    def longestPlateau(self, heights: List[int]) -> int:
        """

REFERENCE = """\
from typing import List


class Solution:
    def longestPlateau(self, heights: List[int]) -> int:
        best = run = 1
        for previous, current in zip(heights, heights[1:]):
            run = run + 1 if current == previous else 1
            best = max(best, run)
        return best
"""

PUBLIC_INPUTS = [args_input([1, 1, 2, 2, 2, 3]), args_input([4, 7, 4]), args_input([9, 9, 9, 9])]


def generate_inputs(rng):
    lists = [[5], [-3, -3], [1, 2], [7] * 100000, [1, 2] * 50000, [0, 0, 1, 1, 1, 1, 0, 0, 0]]
    lists.append([-(10**9)] * 3 + [10**9] * 4)
    for _ in range(4):
        lists.append([rng.randint(0, 2) for _ in range(rng.randint(5, 40))])
    long = []
    while len(long) < 30000:
        long += [rng.randint(-(10**9), 10**9)] * rng.randint(1, 30)
    lists.append(long[:30000])
    return [args_input(a) for a in lists]
