"""ad-039: minimum spanning tree cost, or -1 when the graph is disconnected (Kruskal with union-find)."""

from _common import args_input

ID = "ad-039"
TITLE = "Connect the Towns"
DIFFICULTY = "hard"
KIND = "functional"
STARTER = False
FUNC_NAME = "minCableCost"

STATEMENT = """\
There are n towns numbered 0 to n - 1 and a list of possible fibre links: links[i] = [u, v, cost] means towns u
and v can be joined directly for cost coins. A town can reach another town if there is a chain of built links
between them.

Choose links to build so that every town can reach every other town, and return the smallest total cost. If
that is impossible even when every link is built, return -1.

Example 1:

Input: n = 4, links = [[0, 1, 4], [1, 2, 2], [2, 3, 5], [0, 3, 1], [0, 2, 3]]
Output: 6
Explanation: Build the links 0-3 (cost 1), 1-2 (cost 2) and 0-2 (cost 3).

Example 2:

Input: n = 3, links = [[0, 1, 7]]
Output: -1
Explanation: Town 2 has no link at all.

Example 3:

Input: n = 1, links = []
Output: 0

Constraints:

1 <= n <= 10^4
0 <= links.length <= 5 * 10^4
links[i].length == 3
0 <= u, v < n
0 <= cost <= 10^6
"""

STARTER_CODE = """\
class Solution:
    def minCableCost(self, n: int, links: List[List[int]]) -> int:
        """

REFERENCE = """\
from typing import List


class Solution:
    def minCableCost(self, n: int, links: List[List[int]]) -> int:
        parent = list(range(n))

        def root(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        total, joined = 0, 1
        for u, v, cost in sorted(links, key=lambda link: link[2]):
            a, b = root(u), root(v)
            if a != b:
                parent[a] = b
                total += cost
                joined += 1
        return total if joined == n else -1
"""

PUBLIC_INPUTS = [
    args_input(4, [[0, 1, 4], [1, 2, 2], [2, 3, 5], [0, 3, 1], [0, 2, 3]]),
    args_input(3, [[0, 1, 7]]),
    args_input(1, []),
]


def _case(rng, n, m, high, connected):
    links = []
    if connected:
        order = list(range(n))
        rng.shuffle(order)
        links = [[order[rng.randrange(i)], order[i], rng.randint(0, high)] for i in range(1, n)]
    links += [[rng.randrange(n), rng.randrange(n), rng.randint(0, high)] for _ in range(m - len(links))]
    rng.shuffle(links)
    return args_input(n, links)


def generate_inputs(rng):
    tests = [
        args_input(2, []),
        args_input(2, [[0, 1, 0]]),
        args_input(2, [[0, 0, 5], [1, 1, 5]]),
        args_input(3, [[0, 1, 10**6], [1, 2, 10**6], [0, 2, 10**6]]),
        args_input(4, [[0, 1, 1], [2, 3, 1]]),
        args_input(3, [[0, 1, 9], [0, 1, 2], [1, 2, 4], [1, 2, 8]]),
    ]
    tests += [_case(rng, rng.randint(2, 8), rng.randint(8, 14), 20, connected=True) for _ in range(3)]
    tests.append(_case(rng, 6, 3, 20, connected=False))
    tests.append(_case(rng, 1000, 5000, 10**6, connected=True))
    tests.append(_case(rng, 10000, 25000, 1000, connected=True))
    tests.append(_case(rng, 10000, 12000, 1000, connected=False))
    return tests
