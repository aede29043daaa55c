n = input().strip()
steps = 0
while len(n) > 1:
    n = str(sum(int(d) for d in n))
    steps += 1
print(steps, n)
