class Solution:
    def squeeze(self, s: str) -> str:
        parts = []
        start = 0
        for i in range(1, len(s) + 1):
            if i == len(s) or s[i] != s[start]:
                length = i - start
                parts.append(s[start] if length == 1 else s[start] + str(length))
                start = i
        return "".join(parts)
