import heapq
import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    jobs = sorted(zip(map(int, data[1:2 * n + 1:2]), map(int, data[2:2 * n + 2:2])))
    chosen = []  # min-heap of the payments of the jobs kept so far
    for deadline, pay in jobs:
        heapq.heappush(chosen, pay)
        if len(chosen) > deadline:
            # Only `deadline` jobs fit before this deadline: drop the cheapest one.
            heapq.heappop(chosen)
    print(sum(chosen))


main()
