import sys


def main():
    data = sys.stdin.read().split()
    n, k = int(data[0]), int(data[1])
    cracked = set(map(int, data[2:2 + k]))
    mod = 10**9 + 7
    ways = [0] * (n + 1)
    ways[0] = 1
    for step in range(1, n + 1):
        if step not in cracked:
            ways[step] = (ways[step - 1] + (ways[step - 2] if step >= 2 else 0)
                          + (ways[step - 3] if step >= 3 else 0)) % mod
    print(ways[n])


main()
