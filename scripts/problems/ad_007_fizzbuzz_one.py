"""ad-007 (starter): FizzBuzz for a single number."""

from _common import stdin_input

ID = "ad-007"
TITLE = "FizzBuzz for One Number"
DIFFICULTY = "easy"
KIND = "stdin"
STARTER = True

STATEMENT = """\
You are given a positive integer N. Print exactly one line:

- FizzBuzz if N is divisible by both 3 and 5,
- otherwise Fizz if N is divisible by 3,
- otherwise Buzz if N is divisible by 5,
- otherwise the number N itself.

Input

The input is one line containing the integer N.

Output

Print one line: FizzBuzz, Fizz, Buzz, or N.

Constraints

- 1 <= N <= 1000000

Sample Input 1

9

Sample Output 1

Fizz

Sample Input 2

10

Sample Output 2

Buzz

Sample Input 3

30

Sample Output 3

FizzBuzz

Sample Input 4

7

Sample Output 4

7
"""

REFERENCE = """\
n = int(input())
if n % 15 == 0:
    print("FizzBuzz")
elif n % 3 == 0:
    print("Fizz")
elif n % 5 == 0:
    print("Buzz")
else:
    print(n)
"""

PUBLIC_INPUTS = ["9\n", "10\n", "30\n", "7\n"]


def generate_inputs(rng):
    values = [1, 3, 5, 15, 1000000, 999999, 45, 98]
    values += [rng.randint(1, 10**6) for _ in range(6)]
    return [stdin_input(v) for v in values]
