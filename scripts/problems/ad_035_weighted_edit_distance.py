"""ad-035: edit distance with separate insert, delete and replace costs (2-D dynamic programming)."""

from _common import args_input

ID = "ad-035"
TITLE = "Priced Edits"
DIFFICULTY = "hard"
KIND = "functional"
STARTER = False
FUNC_NAME = "minEditCost"

STATEMENT = """\
You want to turn the string source into the string target. Three operations are available, each with its own
price:

- insert one character anywhere, for insertCost;
- delete one character, for deleteCost;
- replace one character by a different character, for replaceCost.

Return the smallest total price of a sequence of operations that turns source into target.

Example 1:

Input: source = "paint", target = "plant", insertCost = 1, deleteCost = 1, replaceCost = 1
Output: 2
Explanation: Replace 'a' by 'l' and 'i' by 'a'.

Example 2:

Input: source = "ab", target = "ba", insertCost = 1, deleteCost = 1, replaceCost = 5
Output: 2
Explanation: Delete the leading 'a' and insert an 'a' at the end. Two replacements would cost 10.

Example 3:

Input: source = "abc", target = "", insertCost = 2, deleteCost = 3, replaceCost = 1
Output: 9

Constraints:

0 <= source.length, target.length <= 500
source and target consist of lowercase English letters.
1 <= insertCost, deleteCost, replaceCost <= 1000
"""

STARTER_CODE = """\
class Solution:
    def minEditCost(self, source: str, target: str, insertCost: int, deleteCost: int, replaceCost: int) -> int:
        """

REFERENCE = """\
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
"""

PUBLIC_INPUTS = [
    args_input("paint", "plant", 1, 1, 1),
    args_input("ab", "ba", 1, 1, 5),
    args_input("abc", "", 2, 3, 1),
]


def _word(rng, n, alphabet):
    return "".join(rng.choice(alphabet) for _ in range(n))


def generate_inputs(rng):
    cases = [
        ("", "", 1, 1, 1),
        ("", "abc", 7, 1, 1),
        ("same", "same", 5, 5, 5),
        ("abc", "xyz", 1, 1, 1000),
        ("abc", "xyz", 1000, 1000, 1),
        ("aaaa", "aa", 1, 10, 1),
    ]
    for _ in range(4):
        cases.append((_word(rng, rng.randint(0, 8), "abc"), _word(rng, rng.randint(0, 8), "abc"),
                      rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 9)))
    base = _word(rng, 500, "abcdefghijklmnopqrstuvwxyz")
    mutated = "".join(c if rng.random() < 0.8 else _word(rng, rng.randint(0, 2), "xyz") for c in base)[:500]
    cases.append((base, mutated, 3, 4, 5))
    cases.append((_word(rng, 500, "ab"), _word(rng, 480, "ab"), 1000, 1, 999))
    cases.append((_word(rng, 300, "abcd"), _word(rng, 500, "abcd"), 2, 2, 3))
    return [args_input(*case) for case in cases]
