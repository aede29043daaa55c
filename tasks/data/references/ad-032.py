import sys


def main():
    data = sys.stdin.read().split()
    r, c = int(data[0]), int(data[1])
    grid = [data[2 + i * c:2 + (i + 1) * c] for i in range(r)]
    top, bottom, left, right = 0, r - 1, 0, c - 1
    order = []
    while top <= bottom and left <= right:
        order += grid[top][left:right + 1]
        order += [grid[i][right] for i in range(top + 1, bottom + 1)]
        if top < bottom:
            order += grid[bottom][left:right][::-1]
        if left < right:
            order += [grid[i][left] for i in range(bottom - 1, top, -1)]
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    print(" ".join(order))


main()
