"""ad-024: count connected groups as edges arrive (union-find); large input."""

from _common import stdin_input

ID = "ad-024"
TITLE = "Cable Network"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
An office has N computers, numbered 1 to N, and no cables at first. Technicians then lay M cables one after
another; cable j joins computers A_j and B_j. Computers that are joined by a chain of cables form one group.

After each cable is laid, print the number of groups. A cable may join two computers that are already in the
same group, and may even join a computer to itself.

Input

The input is given in the following format:

N M
A_1 B_1
A_2 B_2
...
A_M B_M

Output

Print M lines. The j-th line is the number of groups after the j-th cable is laid.

Constraints

- 1 <= N <= 2 * 10^5
- 1 <= M <= 2 * 10^5
- 1 <= A_j, B_j <= N

Sample Input 1

4 3
1 2
3 4
2 1

Sample Output 1

3
2
2

The third cable joins two computers that are already connected.

Sample Input 2

3 3
1 1
1 3
2 3

Sample Output 2

3
2
1
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    parent = list(range(n + 1))
    size = [1] * (n + 1)

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    groups = n
    out = []
    for j in range(m):
        a, b = root(int(data[2 + 2 * j])), root(int(data[3 + 2 * j]))
        if a != b:
            if size[a] < size[b]:
                a, b = b, a
            parent[b] = a
            size[a] += size[b]
            groups -= 1
        out.append(groups)
    sys.stdout.write("\\n".join(map(str, out)) + "\\n")


main()
"""

NAIVE = """\
import sys


def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    neighbours = [[] for _ in range(n + 1)]
    for j in range(m):
        a, b = int(data[2 + 2 * j]), int(data[3 + 2 * j])
        neighbours[a].append(b)
        neighbours[b].append(a)
        seen = [False] * (n + 1)
        groups = 0
        for start in range(1, n + 1):
            if seen[start]:
                continue
            groups += 1
            seen[start] = True
            stack = [start]
            while stack:
                u = stack.pop()
                for v in neighbours[u]:
                    if not seen[v]:
                        seen[v] = True
                        stack.append(v)
        print(groups)


main()
"""

PUBLIC_INPUTS = ["4 3\n1 2\n3 4\n2 1\n", "3 3\n1 1\n1 3\n2 3\n"]


def _case(rng, n, m):
    return stdin_input((n, m), *[(rng.randint(1, n), rng.randint(1, n)) for _ in range(m)])


def generate_inputs(rng):
    tests = [
        stdin_input((1, 1), (1, 1)),
        stdin_input((2, 2), (1, 2), (2, 1)),
        stdin_input((5, 4), (1, 2), (2, 3), (3, 4), (4, 5)),
        stdin_input((6, 3), (1, 2), (3, 4), (5, 6)),
        stdin_input((200000, 1), (1, 200000)),
    ]
    tests += [_case(rng, rng.randint(2, 10), rng.randint(1, 12)) for _ in range(4)]
    tests.append(_case(rng, 1000, 1500))
    chain = list(range(1, 5001))
    rng.shuffle(chain)
    tests.append(stdin_input((5000, 4999), *zip(chain, chain[1:])))
    tests.append(_case(rng, 100000, 30000))
    return tests
