"""ad-019: split a row into contiguous blocks minimising the largest block time (binary search on the answer)."""

from _common import args_input

ID = "ad-019"
TITLE = "Fence Painting Crew"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "minFinishTime"

STATEMENT = """\
A fence has n sections in a row; painting section i takes lengths[i] hours. You can hire at most p painters,
where p is the integer painters. Each section is painted by exactly one painter, and each painter gets one block
of consecutive sections (a painter may also get nothing). A painter with a non-empty block first spends setup hours preparing
paint, then paints the sections of the block one after another. All painters start at time 0 and work at the
same time.

Return the earliest time at which the whole fence can be painted.

Example 1:

Input: lengths = [4, 2, 7, 3, 5], painters = 2, setup = 1
Output: 14
Explanation: Give sections [4, 2, 7] to one painter (1 + 13 = 14 hours) and [3, 5] to the other
(1 + 8 = 9 hours). No split finishes before hour 14.

Example 2:

Input: lengths = [5, 5, 5], painters = 5, setup = 2
Output: 7
Explanation: Three painters take one section each; two painters stay idle.

Example 3:

Input: lengths = [1, 1, 1, 1], painters = 1, setup = 0
Output: 4

Constraints:

1 <= lengths.length <= 10^5
1 <= lengths[i] <= 10^4
1 <= painters <= lengths.length
0 <= setup <= 10^4
"""

STARTER_CODE = """\
class Solution:
    def minFinishTime(self, lengths: List[int], painters: int, setup: int) -> int:
        """

REFERENCE = """\
from typing import List


class Solution:
    def minFinishTime(self, lengths: List[int], painters: int, setup: int) -> int:
        def blocks_needed(capacity: int) -> int:
            blocks, load = 1, 0
            for hours in lengths:
                if load + hours > capacity:
                    blocks += 1
                    load = 0
                load += hours
            return blocks

        # Every block pays the same setup, so minimise the largest block sum; more painters never hurt.
        low, high = max(lengths), sum(lengths)
        while low < high:
            middle = (low + high) // 2
            if blocks_needed(middle) <= painters:
                high = middle
            else:
                low = middle + 1
        return low + setup
"""

PUBLIC_INPUTS = [args_input([4, 2, 7, 3, 5], 2, 1), args_input([5, 5, 5], 5, 2), args_input([1, 1, 1, 1], 1, 0)]


def generate_inputs(rng):
    cases = [
        ([1], 1, 0),
        ([10**4], 1, 10**4),
        ([3, 3, 3, 3], 4, 5),
        ([3, 3, 3, 3], 3, 0),
        ([1, 10**4, 1, 1], 2, 7),
        ([10**4] * 1000, 7, 10**4),
    ]
    for _ in range(4):
        n = rng.randint(2, 15)
        cases.append(([rng.randint(1, 20) for _ in range(n)], rng.randint(1, n), rng.randint(0, 5)))
    n = 100000
    cases.append(([rng.randint(1, 10**4) for _ in range(n)], 37, rng.randint(0, 10**4)))
    cases.append(([rng.randint(1, 100) for _ in range(n)], n, 3))
    cases.append(([rng.randint(1, 10**4) for _ in range(5000)], 1, 0))
    return [args_input(*case) for case in cases]
