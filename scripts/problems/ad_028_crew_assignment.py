"""ad-028: match workers to jobs they can do (greedy after sorting)."""

from _common import stdin_input

ID = "ad-028"
TITLE = "Crew Assignment"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A building site has N workers and M jobs. Worker i has skill W_i and job j has difficulty D_j. A worker can do
a job when the worker's skill is at least the job's difficulty. Each worker does at most one job and each job
is done by at most one worker.

Print the largest number of jobs that can be done.

Input

The input is given in the following format:

N M
W_1 W_2 ... W_N
D_1 D_2 ... D_M

Output

Print one integer: the largest number of jobs that can be done.

Constraints

- 1 <= N, M <= 2 * 10^5
- 1 <= W_i, D_j <= 10^9
- All input values are integers.

Sample Input 1

3 4
5 2 8
9 1 4 6

Sample Output 1

3

The workers with skills 2, 5 and 8 do the jobs with difficulties 1, 4 and 6. Nobody can do the job of
difficulty 9.

Sample Input 2

2 2
1 1
2 3

Sample Output 2

0
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    workers = sorted(map(int, data[2:2 + n]))
    jobs = sorted(map(int, data[2 + n:2 + n + m]))
    done = 0
    for skill in workers:
        # The easiest job left goes to the weakest worker who can do it; stronger workers stay free.
        if done < m and jobs[done] <= skill:
            done += 1
    print(done)


main()
"""

PUBLIC_INPUTS = ["3 4\n5 2 8\n9 1 4 6\n", "2 2\n1 1\n2 3\n"]


def _case(rng, n, m, high):
    return stdin_input((n, m), [rng.randint(1, high) for _ in range(n)], [rng.randint(1, high) for _ in range(m)])


def generate_inputs(rng):
    tests = [
        stdin_input((1, 1), [1], [1]),
        stdin_input((1, 1), [1], [2]),
        stdin_input((1, 3), [10**9], [1, 1, 1]),
        stdin_input((3, 1), [5, 5, 5], [5]),
        stdin_input((4, 4), [3, 3, 3, 3], [1, 2, 3, 4]),
        stdin_input((3, 3), [1, 2, 3], [3, 3, 3]),
    ]
    tests += [_case(rng, rng.randint(1, 10), rng.randint(1, 10), 10) for _ in range(4)]
    tests.append(_case(rng, 2000, 3000, 10**9))
    tests.append(_case(rng, 20000, 25000, 10**5))
    return tests
