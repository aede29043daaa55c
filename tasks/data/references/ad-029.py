from typing import List


class Solution:
    def finalState(self, rows: int, cols: int, blocked: List[List[int]], commands: str) -> List[int]:
        walls = {(r, c) for r, c in blocked}
        moves = [(0, 1), (1, 0), (0, -1), (-1, 0)]  # east, south, west, north: clockwise order
        facing = row = col = bumps = 0
        for command in commands:
            if command == "R":
                facing = (facing + 1) % 4
            elif command == "L":
                facing = (facing + 3) % 4
            else:
                r, c = row + moves[facing][0], col + moves[facing][1]
                if 0 <= r < rows and 0 <= c < cols and (r, c) not in walls:
                    row, col = r, c
                else:
                    bumps += 1
        return [row, col, bumps]
