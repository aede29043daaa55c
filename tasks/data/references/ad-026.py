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
    print("\n".join(map(str, answers)))


main()
