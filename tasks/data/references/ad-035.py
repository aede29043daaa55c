class Solution:
    def minEditCost(self, source: str, target: str, insertCost: int, deleteCost: int, replaceCost: int) -> int:
        # previous[j]: cheapest way to turn the source prefix handled so far into target[:j].
        previous = [j * insertCost for j in range(len(target) + 1)]
        for i, s in enumerate(source, 1):
            current = [i * deleteCost] + [0] * len(target)
            for j, t in enumerate(target, 1):
                keep_or_replace = previous[j - 1] + (0 if s == t else replaceCost)
                current[j] = min(keep_or_replace, previous[j] + deleteCost, current[j - 1] + insertCost)
            previous = current
        return previous[-1]
