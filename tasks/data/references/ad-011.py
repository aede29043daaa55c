class Solution:
    def shout(self, s: str) -> str:
        return s.upper()
