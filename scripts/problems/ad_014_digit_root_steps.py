"""ad-014: repeatedly sum the digits of a number."""

from _common import stdin_input

ID = "ad-014"
TITLE = "Digit Root Steps"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = False

STATEMENT = """\
Start with a non-negative integer N. While N has two or more digits, replace N with the sum of its decimal
digits. Print how many replacements were made and the single digit that remains.

Input

The input is one line containing the integer N.

Output

Print two integers separated by a space: the number of replacements, then the final digit.

Constraints

- 0 <= N <= 10^18

Sample Input 1

9875

Sample Output 1

3 2

9875 becomes 9 + 8 + 7 + 5 = 29, then 2 + 9 = 11, then 1 + 1 = 2: three replacements, final digit 2.

Sample Input 2

5

Sample Output 2

0 5

5 already has a single digit, so nothing is replaced.
"""

REFERENCE = """\
n = input().strip()
steps = 0
while len(n) > 1:
    n = str(sum(int(d) for d in n))
    steps += 1
print(steps, n)
"""

PUBLIC_INPUTS = ["9875\n", "5\n"]


def generate_inputs(rng):
    values = [0, 9, 10, 19, 99, 10**18, 999999999999999999, 199, 123456789]
    values += [rng.randint(10, 10**18) for _ in range(4)]
    values += [rng.randint(10, 1000) for _ in range(2)]
    return [stdin_input(v) for v in values]
