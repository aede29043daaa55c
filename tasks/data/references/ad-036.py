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
