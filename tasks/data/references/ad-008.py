class Solution:
    def square(self, n: int) -> int:
        return n * n
