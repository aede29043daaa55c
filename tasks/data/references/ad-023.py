import heapq
from typing import List


class Solution:
    def kthBestSoFar(self, scores: List[int], k: int) -> List[int]:
        podium = []  # min-heap of the k largest scores so far; its top is the k-th largest
        reports = []
        for score in scores:
            if len(podium) < k:
                heapq.heappush(podium, score)
            elif score > podium[0]:
                heapq.heapreplace(podium, score)
            reports.append(podium[0] if len(podium) == k else -1)
        return reports
