"""ad-004 (starter): the largest of N integers."""

from _common import stdin_input

ID = "ad-004"
TITLE = "Largest Reading"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
A thermometer recorded N temperature readings. Print the largest reading.

Input

The input has two lines. The first line contains the integer N. The second line contains the N readings
A_1 A_2 ... A_N separated by spaces:

N
A_1 A_2 ... A_N

Output

Print one line with one integer: the largest of A_1, ..., A_N.

Constraints

- 1 <= N <= 100
- -1000 <= A_i <= 1000

Sample Input 1

5
3 9 -2 9 4

Sample Output 1

9

Sample Input 2

3
-7 -3 -12

Sample Output 2

-3

All readings are negative; the largest is -3.
"""

REFERENCE = """\
n = int(input())
readings = list(map(int, input().split()))
print(max(readings))
"""

PUBLIC_INPUTS = ["5\n3 9 -2 9 4\n", "3\n-7 -3 -12\n"]


def generate_inputs(rng):
    lists = [[0], [-1000], [1000], [5, 5, 5, 5], [-1000] * 100, [1000] + [-5] * 99, [-5] * 99 + [1000]]
    lists += [[rng.randint(-1000, 1000) for _ in range(rng.randint(2, 10))] for _ in range(3)]
    lists += [[rng.randint(-1000, 1000) for _ in range(100)] for _ in range(2)]
    return [stdin_input(len(a), a) for a in lists]
