"""ad-041: longest subarray whose max - min is at most k (monotonic deques); large input."""

from _common import args_input

ID = "ad-041"
TITLE = "Steady Readings"
DIFFICULTY = "hard"
KIND = "functional"
STARTER = False
FUNC_NAME = "longestSteady"

STATEMENT = """\
A machine reports the readings readings[0], readings[1], ... in time order. A stretch of consecutive readings
is steady when its largest reading minus its smallest reading is at most k.

Return the number of readings in the longest steady stretch.

Example 1:

Input: readings = [4, 8, 5, 6, 1, 7], k = 3
Output: 3
Explanation: The stretch [8, 5, 6] is steady (8 - 5 = 3). No stretch of 4 readings is steady.

Example 2:

Input: readings = [2, 2, 2, 2], k = 0
Output: 4

Example 3:

Input: readings = [1, 10, 1], k = 5
Output: 1

Constraints:

1 <= readings.length <= 10^5
-10^9 <= readings[i] <= 10^9
0 <= k <= 2 * 10^9
"""

STARTER_CODE = """\
class Solution:
    def longestSteady(self, readings: List[int], k: int) -> int:
        """

REFERENCE = """\
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
"""

NAIVE = """\
from typing import List


class Solution:
    def longestSteady(self, readings: List[int], k: int) -> int:
        best = 0
        for start in range(len(readings)):
            high = low = readings[start]
            for end in range(start, len(readings)):
                high = max(high, readings[end])
                low = min(low, readings[end])
                if high - low > k:
                    break
                best = max(best, end - start + 1)
        return best
"""

PUBLIC_INPUTS = [args_input([4, 8, 5, 6, 1, 7], 3), args_input([2, 2, 2, 2], 0), args_input([1, 10, 1], 5)]


def generate_inputs(rng):
    top = 10**9
    cases = [
        ([5], 0),
        ([-top, top], 2 * top),
        ([-top, top], 2 * top - 1),
        ([1, 2, 3, 4, 5, 6, 7, 8], 3),
        ([3, 1, 3, 1, 3, 1, 8], 2),
        (list(range(1000)), 0),
    ]
    for _ in range(4):
        cases.append(([rng.randint(-10, 10) for _ in range(rng.randint(1, 25))], rng.randint(0, 8)))
    walk, value = [], 0
    for _ in range(5000):
        value += rng.randint(-3, 3)
        walk.append(value)
    cases.append((walk, 40))
    # Long quiet stretches between rare spikes: every start extends far, so restarting at each start is slow.
    quiet = [rng.randint(0, 1000) for _ in range(60000)]
    for spike in range(25000, 60000, 25000):
        quiet[spike] = 5000
    cases.append((quiet, 1000))
    return [args_input(readings, k) for readings, k in cases]
