"""ad-018: sort records by several keys."""

from _common import stdin_input

ID = "ad-018"
TITLE = "Leaderboard Order"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
N players finished a puzzle contest. Player i has a name, a score and a time (in minutes). The leaderboard lists
the players in this order:

- a higher score comes first;
- among equal scores, a smaller time comes first;
- among equal scores and equal times, the name that comes first alphabetically comes first.

Print the names in leaderboard order.

Input

The input is given in the following format:

N
name_1 score_1 time_1
name_2 score_2 time_2
...
name_N score_N time_N

Output

Print N lines: the names of the players in leaderboard order.

Constraints

- 1 <= N <= 10^5
- Each name consists of 1 to 10 lowercase English letters, and all names are different.
- 0 <= score_i <= 10^9
- 0 <= time_i <= 10^9

Sample Input 1

4
ana 300 52
bo 450 70
cyd 300 41
dee 450 70

Sample Output 1

bo
dee
cyd
ana

bo and dee share the best score and the same time, so they are ordered by name. cyd beats ana on time.

Sample Input 2

2
zed 10 5
amy 10 5

Sample Output 2

amy
zed
"""

REFERENCE = """\
import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    players = [(-int(data[3 * i + 2]), int(data[3 * i + 3]), data[3 * i + 1]) for i in range(n)]
    players.sort()
    sys.stdout.write("\\n".join(name for _, _, name in players) + "\\n")


main()
"""

PUBLIC_INPUTS = [
    "4\nana 300 52\nbo 450 70\ncyd 300 41\ndee 450 70\n",
    "2\nzed 10 5\namy 10 5\n",
]


def _names(rng, count):
    names = set()
    while len(names) < count:
        names.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10))))
    names = sorted(names)  # a set's order changes with string hashing; sort before shuffling
    rng.shuffle(names)
    return names


def _case(rng, n, score_high, time_high):
    rows = [(name, rng.randint(0, score_high), rng.randint(0, time_high)) for name in _names(rng, n)]
    return stdin_input(n, *rows)


def generate_inputs(rng):
    tests = [
        stdin_input(1, ("solo", 0, 0)),
        stdin_input(3, ("b", 5, 5), ("a", 5, 5), ("c", 5, 5)),
        stdin_input(3, ("x", 10**9, 10**9), ("y", 10**9, 0), ("z", 0, 0)),
        stdin_input(4, ("ab", 1, 1), ("a", 1, 1), ("abc", 1, 1), ("b", 1, 1)),
    ]
    tests += [_case(rng, rng.randint(2, 12), 3, 3) for _ in range(4)]
    tests += [_case(rng, 3000, 10, 100), _case(rng, 3000, 10**9, 10**9)]
    tests.append(_case(rng, 20000, 50, 50))
    return tests
