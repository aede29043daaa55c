import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    size = 1
    while size < n:
        size *= 2
    infinity = float("inf")
    # Iterative segment tree: leaves at size..size+n-1, node v holds the minimum of its two children.
    tree = [infinity] * (2 * size)
    tree[size:size + n] = map(int, data[2:2 + n])
    for v in range(size - 1, 0, -1):
        tree[v] = min(tree[2 * v], tree[2 * v + 1])
    out = []
    pos = 2 + n
    for _ in range(q):
        kind, a, b = data[pos], int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        if kind == b"1":
            v = size + a - 1
            tree[v] = b
            v //= 2
            while v:
                tree[v] = min(tree[2 * v], tree[2 * v + 1])
                v //= 2
        else:
            low, high = size + a - 1, size + b  # half-open [low, high) over leaves
            best = infinity
            while low < high:
                if low & 1:
                    best = min(best, tree[low])
                    low += 1
                if high & 1:
                    high -= 1
                    best = min(best, tree[high])
                low //= 2
                high //= 2
            out.append(best)
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
