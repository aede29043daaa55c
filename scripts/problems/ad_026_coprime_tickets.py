"""ad-026: count integers coprime to M up to N (factorisation and inclusion-exclusion)."""

from _common import stdin_input

ID = "ad-026"
TITLE = "Coprime Tickets"
DIFFICULTY = "medium"
KIND = "stdin"
STARTER = False

STATEMENT = """\
A raffle prints tickets numbered 1 to N. A ticket wins when its number x shares no common factor greater than 1
with the lucky number M, that is, when gcd(x, M) = 1. For each of Q raffles, print the number of winning
tickets.

Input

The input is given in the following format:

Q
N_1 M_1
N_2 M_2
...
N_Q M_Q

Output

Print Q lines. The i-th line is the number of winning tickets of the i-th raffle.

Constraints

- 1 <= Q <= 100
- 1 <= N_i <= 10^18
- 1 <= M_i <= 10^9
- All input values are integers.

Sample Input 1

3
10 6
7 1
100 7

Sample Output 1

3
7
86

With M = 6 the winning tickets up to 10 are 1, 5 and 7. Every number is coprime to 1. Among 1 to 100, the 14
multiples of 7 lose.

Sample Input 2

1
1000000000000000000 2

Sample Output 2

500000000000000000
"""

REFERENCE = """\
import sys


def prime_factors(m):
    primes = []
    p = 2
    while p * p <= m:
        if m % p == 0:
            primes.append(p)
            while m % p == 0:
                m //= p
        p += 1 if p == 2 else 2
    if m > 1:
        primes.append(m)
    return primes


def coprime_count(n, m):
    # Inclusion-exclusion over the distinct primes of m: each divisor d made of distinct primes counts
    # n // d numbers, with sign (-1)^(number of primes in d). m <= 10^9 has at most 9 distinct primes.
    divisors = [(1, 1)]
    for p in prime_factors(m):
        divisors += [(d * p, -sign) for d, sign in divisors]
    return sum(sign * (n // d) for d, sign in divisors)


def main():
    data = sys.stdin.read().split()
    q = int(data[0])
    answers = [coprime_count(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(q)]
    print("\\n".join(map(str, answers)))


main()
"""

PUBLIC_INPUTS = ["3\n10 6\n7 1\n100 7\n", "1\n1000000000000000000 2\n"]


def _is_prime(m):
    if m < 2:
        return False
    d = 2
    while d * d <= m:
        if m % d == 0:
            return False
        d += 1
    return True


def generate_inputs(rng):
    big_primes = [p for p in range(10**9, 10**9 - 2000, -1) if _is_prime(p)][:100]
    many_factors = 2 * 3 * 5 * 7 * 11 * 13 * 17 * 19 * 23  # 223092870: nine distinct primes
    tests = [
        stdin_input(1, (1, 1)),
        stdin_input(1, (1, 10**9)),
        stdin_input(1, (10**18, 10**9)),
        stdin_input(1, (10**18, many_factors)),
        stdin_input(2, (12, 12), (13, 13)),
        stdin_input(1, (10**18, 999999937 * 1)),
        stdin_input(3, (50, 2**29), (50, 3**18), (99, 1024)),
    ]
    for _ in range(3):
        q = rng.randint(1, 8)
        tests.append(stdin_input(q, *[(rng.randint(1, 200), rng.randint(1, 200)) for _ in range(q)]))
    tests.append(stdin_input(100, *[(rng.randint(1, 10**18), rng.randint(1, 10**9)) for _ in range(100)]))
    tests.append(stdin_input(len(big_primes), *[(rng.randint(1, 10**18), p) for p in big_primes]))
    tests.append(stdin_input(100, *[(rng.randint(1, 10**18), 31607 * 31627) for _ in range(100)]))
    return tests
