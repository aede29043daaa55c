"""ad-043: weighted interval scheduling (sort by end, dynamic programming with binary search)."""

from _common import args_input

ID = "ad-043"
TITLE = "Conference Planner"
DIFFICULTY = "hard"
KIND = "functional"
STARTER = False
FUNC_NAME = "bestSchedule"

STATEMENT = """\
A conference has n talks; talks[i] = [start, end, value] means the talk runs from time start to time end and
attending it is worth value points to you. You can attend a talk only from its start to its end, and you cannot
be in two talks at once. A talk that ends at time t does not clash with a talk that starts at time t.

Return the largest total value of talks you can attend.

Example 1:

Input: talks = [[1, 3, 5], [2, 5, 6], [4, 6, 5], [6, 7, 4]]
Output: 14
Explanation: Attend [1, 3], [4, 6] and [6, 7] for 5 + 5 + 4 = 14 points.

Example 2:

Input: talks = [[1, 10, 20], [1, 2, 5], [2, 3, 5], [3, 4, 5]]
Output: 20

Constraints:

1 <= talks.length <= 5 * 10^4
talks[i].length == 3
0 <= start < end <= 10^9
1 <= value <= 10^4
"""

STARTER_CODE = """\
class Solution:
    def bestSchedule(self, talks: List[List[int]]) -> int:
        """

REFERENCE = """\
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
"""

PUBLIC_INPUTS = [
    args_input([[1, 3, 5], [2, 5, 6], [4, 6, 5], [6, 7, 4]]),
    args_input([[1, 10, 20], [1, 2, 5], [2, 3, 5], [3, 4, 5]]),
]


def _case(rng, n, horizon, longest, value_high=10**4):
    talks = []
    for _ in range(n):
        start = rng.randint(0, horizon - 1)
        talks.append([start, min(horizon, start + rng.randint(1, longest)), rng.randint(1, value_high)])
    return args_input(talks)


def generate_inputs(rng):
    tests = [
        args_input([[0, 1, 1]]),
        args_input([[0, 10**9, 10**4]]),
        args_input([[0, 5, 3], [0, 5, 4], [0, 5, 2]]),
        args_input([[0, 1, 1], [1, 2, 1], [2, 3, 1], [3, 4, 1]]),
        args_input([[0, 4, 10], [1, 2, 6], [2, 3, 6]]),
    ]
    tests += [_case(rng, rng.randint(1, 10), 20, 6, 10) for _ in range(4)]
    tests.append(_case(rng, 2000, 10**5, 300))
    tests.append(_case(rng, 15000, 10**9, 10**6))
    tests.append(_case(rng, 50000, 10**5, 50, value_high=99))
    return tests
