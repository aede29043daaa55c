import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    h, w = int(data[0]), int(data[1])
    grid = "".join(data[2:2 + h])
    start, goal = grid.index("S"), grid.index("G")
    distance = [-1] * (h * w)
    distance[start] = 0
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        if cell == goal:
            break
        row, col = divmod(cell, w)
        for nxt, ok in ((cell - w, row > 0), (cell + w, row < h - 1), (cell - 1, col > 0), (cell + 1, col < w - 1)):
            if ok and distance[nxt] < 0 and grid[nxt] != "#":
                distance[nxt] = distance[cell] + 1
                queue.append(nxt)
    print(distance[goal])


main()
