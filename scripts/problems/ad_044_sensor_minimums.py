"""ad-044: point updates and range-minimum queries (segment tree); large input."""

from _common import stdin_input

ID = "ad-044"
TITLE = "Sensor Minimums"
DIFFICULTY = "hard"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A pipeline has N pressure sensors in a row; sensor i currently shows A_i. Process Q events in order. Each event
is one of:

- 1 i x: sensor i now shows x.
- 2 l r: print the smallest value currently shown by sensors l, l + 1, ..., r.

Input

The input is given in the following format:

N Q
A_1 A_2 ... A_N
event_1
event_2
...
event_Q

Output

For each event of the second kind, print the answer on its own line, in the order of the events.

Constraints

- 1 <= N <= 2 * 10^5
- 1 <= Q <= 2 * 10^5
- -10^9 <= A_i, x <= 10^9
- 1 <= i <= N and 1 <= l <= r <= N
- At least one event is of the second kind.
- All input values are integers.

Sample Input 1

5 4
5 3 8 6 2
2 1 3
1 2 9
2 1 3
2 4 5

Sample Output 1

3
5
2

After sensor 2 changes to 9, sensors 1 to 3 show 5, 9 and 8.

Sample Input 2

1 2
7
2 1 1
1 1 -4

Sample Output 2

7
"""

REFERENCE = """\
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
    sys.stdout.write("\\n".join(map(str, out)) + "\\n")


main()
"""

NAIVE = """\
n, q = map(int, input().split())
sensors = list(map(int, input().split()))
for _ in range(q):
    kind, a, b = map(int, input().split())
    if kind == 1:
        sensors[a - 1] = b
    else:
        print(min(sensors[a - 1:b]))
"""

PUBLIC_INPUTS = ["5 4\n5 3 8 6 2\n2 1 3\n1 2 9\n2 1 3\n2 4 5\n", "1 2\n7\n2 1 1\n1 1 -4\n"]


def _case(rng, n, q, high, query_share, wide=False):
    values = [rng.randint(-high, high) for _ in range(n)]
    events = []
    for _ in range(q - 1):
        if rng.random() < query_share:
            if wide:  # ranges over most sensors make scanning each range slow
                events.append((2, rng.randint(1, n // 10), rng.randint(n - n // 10, n)))
            else:
                l = rng.randint(1, n)
                events.append((2, l, rng.randint(l, n)))
        else:
            events.append((1, rng.randint(1, n), rng.randint(-high, high)))
    events.append((2, 1, n))
    return stdin_input((n, q), values, *events)


def generate_inputs(rng):
    top = 10**9
    tests = [
        stdin_input((1, 1), [top], (2, 1, 1)),
        stdin_input((2, 3), [-top, top], (2, 1, 2), (1, 1, top), (2, 1, 2)),
        stdin_input((3, 4), [4, 4, 4], (1, 2, 4), (2, 1, 3), (1, 3, -1), (2, 3, 3)),
        stdin_input((5, 2), [5, 4, 3, 2, 1], (2, 1, 4), (2, 5, 5)),
    ]
    tests += [_case(rng, rng.randint(1, 10), rng.randint(1, 10), 20, 0.5) for _ in range(4)]
    tests.append(_case(rng, 3, 1000, 10, 0.5))
    tests.append(_case(rng, 2000, 2000, top, 0.5))
    tests.append(_case(rng, 20000, 20000, top, 0.7))
    tests.append(_case(rng, 100000, 50000, 999, 0.8, wide=True))
    return tests
