w, h = map(int, input().split())
print(w * h)
