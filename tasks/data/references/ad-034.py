import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    h, w = int(data[0]), int(data[1])
    grid = "".join(data[2:2 + h])
    size = h * w
    start, goal = grid.index("S"), grid.index("G")
    # State s < size: at cell s with the hammer unused; s >= size: at cell s - size after using it.
    distance = [-1] * (2 * size)
    distance[start] = 0
    queue = deque([start])
    while queue:
        state = queue.popleft()
        used = state >= size
        cell = state - size if used else state
        if cell == goal:
            print(distance[state])
            return
        row, col = divmod(cell, w)
        for nxt, ok in ((cell - w, row > 0), (cell + w, row < h - 1), (cell - 1, col > 0), (cell + 1, col < w - 1)):
            if not ok:
                continue
            if grid[nxt] == "#":
                if used:
                    continue
                target = nxt + size
            else:
                target = nxt + size if used else nxt
            if distance[target] < 0:
                distance[target] = distance[state] + 1
                queue.append(target)
    print(-1)


main()
