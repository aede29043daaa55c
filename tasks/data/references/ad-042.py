import sys


def count_up_to(n, k):
    # How many x in [0, n] have digit sum divisible by k. Walk n's digits; `free[r]` counts the prefixes that
    # are already below n's prefix and have digit sum r (mod k); `tight` is the digit sum of n's own prefix.
    free = [0] * k
    tight = 0
    for d in map(int, str(n)):
        grown = [0] * k
        for r, count in enumerate(free):
            if count:
                for digit in range(10):
                    grown[(r + digit) % k] += count
        for digit in range(d):
            grown[(tight + digit) % k] += 1
        free = grown
        tight = (tight + d) % k
    return free[0] + (1 if tight == 0 else 0)


def main():
    data = sys.stdin.read().split()
    t = int(data[0])
    out = []
    for i in range(t):
        low, high, k = int(data[1 + 3 * i]), int(data[2 + 3 * i]), int(data[3 + 3 * i])
        out.append(count_up_to(high, k) - count_up_to(low - 1, k))
    print("\n".join(map(str, out)))


main()
