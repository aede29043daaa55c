class Solution:
    def validTrail(self, steps: str) -> bool:
        height = 0
        for step in steps:
            height += 1 if step == "U" else -1
            if height < 0:
                return False
        return height == 0
