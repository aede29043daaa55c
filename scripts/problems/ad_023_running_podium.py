"""ad-023: the k-th largest value of a growing list (a heap)."""

from _common import args_input

ID = "ad-023"
TITLE = "Running Podium"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "kthBestSoFar"

STATEMENT = """\
Scores arrive one at a time: scores[0] first, then scores[1], and so on. After each score arrives, report the
k-th largest score received so far (equal scores count separately), or -1 if fewer than k scores have arrived.

Return the list of the n reports.

Example 1:

Input: scores = [5, 1, 9, 3, 7], k = 2
Output: [-1, 1, 5, 5, 7]
Explanation: After the first score there is only one score. After [5, 1] the second largest is 1; after
[5, 1, 9] it is 5; after [5, 1, 9, 3] it is still 5; after all five it is 7.

Example 2:

Input: scores = [4, 4, 4], k = 1
Output: [4, 4, 4]

Constraints:

1 <= scores.length <= 10^5
1 <= k <= scores.length
0 <= scores[i] <= 10^9
"""

STARTER_CODE = """\
class Solution:
    def kthBestSoFar(self, scores: List[int], k: int) -> List[int]:
        """

REFERENCE = """\
import heapq
from typing import List


class Solution:
    def kthBestSoFar(self, scores: List[int], k: int) -> List[int]:
        podium = []  # min-heap of the k largest scores so far; its top is the k-th largest
        reports = []
        for score in scores:
            if len(podium) < k:
                heapq.heappush(podium, score)
            elif score > podium[0]:
                heapq.heapreplace(podium, score)
            reports.append(podium[0] if len(podium) == k else -1)
        return reports
"""

PUBLIC_INPUTS = [args_input([5, 1, 9, 3, 7], 2), args_input([4, 4, 4], 1)]


def generate_inputs(rng):
    cases = [
        ([0], 1),
        ([10**9, 0], 2),
        ([1, 2, 3, 4, 5], 5),
        ([5, 4, 3, 2, 1], 3),
        ([7] * 100, 50),
        (list(range(1000)), 1),
    ]
    for _ in range(4):
        n = rng.randint(1, 15)
        cases.append(([rng.randint(0, 10) for _ in range(n)], rng.randint(1, n)))
    cases.append(([rng.randint(0, 10**9) for _ in range(20000)], 100))
    cases.append(([rng.randint(0, 1000) for _ in range(20000)], 20000))
    return [args_input(scores, k) for scores, k in cases]
