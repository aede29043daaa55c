class Solution:
    def isEven(self, n: int) -> bool:
        return n % 2 == 0
