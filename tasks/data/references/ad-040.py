import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    t = [[int(data[1 + i * n + j]) for j in range(n)] for i in range(n)]
    infinity = float("inf")
    full = (1 << n) - 1
    # best[mask][last]: shortest walk from landmark 1 (index 0) visiting exactly `mask`, ending at `last`.
    best = [[infinity] * n for _ in range(1 << n)]
    best[1][0] = 0
    for mask in range(1, full + 1, 2):  # masks without landmark 1 are never reached
        row = best[mask]
        for last in range(n):
            here = row[last]
            if here == infinity:
                continue
            walks = t[last]
            for nxt in range(n):
                if not mask >> nxt & 1:
                    candidate = here + walks[nxt]
                    target = best[mask | 1 << nxt]
                    if candidate < target[nxt]:
                        target[nxt] = candidate
    print(min(best[full]))


main()
