n = int(input())
readings = list(map(int, input().split()))
print(max(readings))
