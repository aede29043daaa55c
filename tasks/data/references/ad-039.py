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
