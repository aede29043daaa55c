"""ad-036: single-source shortest path with non-negative weights (Dijkstra with a heap); large input."""

from _common import stdin_input

ID = "ad-036"
TITLE = "Cheapest Delivery"
DIFFICULTY = "hard"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A country has N cities, numbered 1 to N, and M two-way roads. Road j joins cities U_j and V_j, and driving it in
either direction costs a toll of W_j coins. A parcel must go from city 1 to city N.

Print the smallest total toll of a route from city 1 to city N, or -1 if no route exists.

Input

The input is given in the following format:

N M
U_1 V_1 W_1
U_2 V_2 W_2
...
U_M V_M W_M

Output

Print one integer: the smallest total toll, or -1.

Constraints

- 2 <= N <= 10^5
- 0 <= M <= 2 * 10^5
- 1 <= U_j, V_j <= N
- 0 <= W_j <= 10^9
- Several roads may join the same two cities, and a road may join a city to itself.
- All input values are integers.

Sample Input 1

4 5
1 2 5
1 3 1
3 2 2
2 4 1
3 4 7

Sample Output 1

4

The cheapest route is 1 -> 3 -> 2 -> 4 with tolls 1 + 2 + 1.

Sample Input 2

3 1
1 2 4

Sample Output 2

-1
"""

REFERENCE = """\
import heapq
import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    roads = [[] for _ in range(n + 1)]
    for j in range(m):
        u, v, w = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
        roads[u].append((v, w))
        roads[v].append((u, w))
    best = [-1] * (n + 1)
    heap = [(0, 1)]
    while heap:
        cost, city = heapq.heappop(heap)
        if best[city] >= 0:
            continue
        best[city] = cost
        if city == n:
            break
        for nxt, toll in roads[city]:
            if best[nxt] < 0:
                heapq.heappush(heap, (cost + toll, nxt))
    print(best[n])


main()
"""

NAIVE = """\
def main():
    n, m = map(int, input().split())
    roads = [[] for _ in range(n + 1)]
    for _ in range(m):
        u, v, w = map(int, input().split())
        roads[u].append((v, w))
        roads[v].append((u, w))
    infinity = float("inf")
    best = [infinity] * (n + 1)
    done = [False] * (n + 1)
    best[1] = 0
    for _ in range(n):
        city = -1
        for c in range(1, n + 1):
            if not done[c] and (city < 0 or best[c] < best[city]):
                city = c
        if best[city] == infinity:
            break
        done[city] = True
        for nxt, toll in roads[city]:
            if best[city] + toll < best[nxt]:
                best[nxt] = best[city] + toll
    print(best[n] if best[n] < infinity else -1)


main()
"""

PUBLIC_INPUTS = ["4 5\n1 2 5\n1 3 1\n3 2 2\n2 4 1\n3 4 7\n", "3 1\n1 2 4\n"]


def _case(rng, n, m, high):
    roads = [(rng.randint(1, n), rng.randint(1, n), rng.randint(0, high)) for _ in range(m)]
    return stdin_input((n, m), *roads)


def _long_chain(rng, n, extra):
    """A cheap chain through every city in random order, listed backwards, plus costly random shortcuts:
    the answer follows the whole chain, and the route is found only after visiting every city."""
    order = [1] + rng.sample(range(2, n), n - 2) + [n]
    roads = [(a, b, rng.randint(0, 3)) for a, b in zip(order, order[1:])][::-1]
    roads += [(rng.randint(1, n), rng.randint(1, n), rng.randint(10**6, 10**9)) for _ in range(extra)]
    return stdin_input((n, len(roads)), *roads)


def generate_inputs(rng):
    tests = [
        stdin_input((2, 0)),
        stdin_input((2, 1), (1, 2, 0)),
        stdin_input((2, 3), (1, 2, 10**9), (2, 1, 10**9), (1, 2, 10**9 - 1)),
        stdin_input((3, 3), (1, 1, 5), (2, 2, 5), (3, 3, 5)),
        stdin_input((5, 4), (1, 2, 10**9), (2, 3, 10**9), (3, 4, 10**9), (4, 5, 10**9)),
    ]
    tests += [_case(rng, rng.randint(2, 8), rng.randint(0, 12), 20) for _ in range(4)]
    tests.append(_case(rng, 2000, 6000, 10**9))
    tests.append(_case(rng, 20000, 30000, 10**4))
    tests.append(_long_chain(rng, 40000, 10000))
    return tests
