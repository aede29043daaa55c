"""ad-038: unit-time jobs with deadlines and profits (greedy with a min-heap); large input."""

from _common import stdin_input

ID = "ad-038"
TITLE = "Deadline Rush"
DIFFICULTY = "hard"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A freelancer is offered N jobs. Every job takes exactly one hour. Job i pays P_i coins, but only if it is
finished by hour D_i: the freelancer works in hour-long slots numbered 0, 1, 2, ..., does at most one job per
slot, and job i must be done in one of the slots 0, 1, ..., D_i - 1. Jobs that are not done pay nothing.

Print the largest total payment the freelancer can earn.

Input

The input is given in the following format:

N
D_1 P_1
D_2 P_2
...
D_N P_N

Output

Print one integer: the largest total payment.

Constraints

- 1 <= N <= 2 * 10^5
- 1 <= D_i <= 2 * 10^5
- 1 <= P_i <= 10^9
- All input values are integers.

Sample Input 1

4
2 50
1 10
2 20
1 30

Sample Output 1

80

Do the job paying 30 in slot 0 and the job paying 50 in slot 1.

Sample Input 2

3
1 5
1 7
1 6

Sample Output 2

7
"""

REFERENCE = """\
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
"""

NAIVE = """\
n = int(input())
jobs = [tuple(map(int, input().split())) for _ in range(n)]
jobs.sort(key=lambda job: -job[1])
busy = [False] * (max(d for d, _ in jobs) + 1)
total = 0
for deadline, pay in jobs:
    for slot in range(deadline - 1, -1, -1):
        if not busy[slot]:
            busy[slot] = True
            total += pay
            break
print(total)
"""

PUBLIC_INPUTS = ["4\n2 50\n1 10\n2 20\n1 30\n", "3\n1 5\n1 7\n1 6\n"]


def _case(rng, n, deadline_high, pay_high):
    return stdin_input(n, *[(rng.randint(1, deadline_high), rng.randint(1, pay_high)) for _ in range(n)])


def generate_inputs(rng):
    tests = [
        stdin_input(1, (1, 1)),
        stdin_input(1, (200000, 10**9)),
        stdin_input(3, (1, 10**9), (1, 10**9), (1, 10**9)),
        stdin_input(3, (3, 1), (3, 1), (3, 1)),
        stdin_input(4, (2, 5), (2, 6), (2, 7), (4, 1)),
    ]
    tests += [_case(rng, rng.randint(1, 10), 4, 20) for _ in range(4)]
    tests.append(_case(rng, 2000, 300, 10**9))
    tests.append(_case(rng, 20000, 200000, 10**9))
    # Every deadline is late, so the slot-by-slot search for a free slot walks past all the filled ones.
    n = 50000
    tests.append(stdin_input(n, *[(n - rng.randint(0, 10), rng.randint(1, 10**4)) for _ in range(n)]))
    return tests
