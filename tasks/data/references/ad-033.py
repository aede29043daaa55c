from collections import Counter
from typing import List


class Solution:
    def anagramFamilies(self, words: List[str]) -> List[int]:
        families = Counter("".join(sorted(word)) for word in words)
        return [len(families), max(families.values())]
