"""ad-033: group words that are anagrams of each other (hashing a canonical key)."""

from _common import args_input

ID = "ad-033"
TITLE = "Anagram Families"
DIFFICULTY = "medium"
KIND = "functional"
STARTER = False
FUNC_NAME = "anagramFamilies"

STATEMENT = """\
Two words are anagrams when one can be turned into the other by rearranging its letters, so they use the same
letters the same number of times. A word is an anagram of itself. Split the list words into families: two words
are in the same family exactly when they are anagrams. Equal words are in the same family and each one counts.

Return [number of families, number of words in the largest family].

Example 1:

Input: words = ["night", "thing", "study", "dusty", "stone", "notes", "onset", "lamp"]
Output: [4, 3]
Explanation: The families are {night, thing}, {study, dusty}, {stone, notes, onset} and {lamp}.

Example 2:

Input: words = ["a", "a", "b"]
Output: [2, 2]

Constraints:

1 <= words.length <= 10^4
1 <= words[i].length <= 20
words[i] consists of lowercase English letters.
"""

STARTER_CODE = """\
class Solution:
    def anagramFamilies(self, words: List[str]) -> List[int]:
        """

REFERENCE = """\
from collections import Counter
from typing import List


class Solution:
    def anagramFamilies(self, words: List[str]) -> List[int]:
        families = Counter("".join(sorted(word)) for word in words)
        return [len(families), max(families.values())]
"""

PUBLIC_INPUTS = [
    args_input(["night", "thing", "study", "dusty", "stone", "notes", "onset", "lamp"]),
    args_input(["a", "a", "b"]),
]


def _shuffled(rng, word):
    letters = list(word)
    rng.shuffle(letters)
    return "".join(letters)


def _case(rng, n_roots, n_words, alphabet, longest):
    roots = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest))) for _ in range(n_roots)]
    return [_shuffled(rng, rng.choice(roots)) for _ in range(n_words)]


def generate_inputs(rng):
    lists = [["z"], ["ab", "ba"], ["ab", "abb"], ["abc", "cab", "bca", "acb", "bac", "cba"], ["a"] * 10000,
             ["aab", "abb"], ["x" * 20, "y" * 20]]
    lists += [_case(rng, rng.randint(1, 4), rng.randint(2, 10), "abc", 3) for _ in range(3)]
    lists.append(_case(rng, 300, 3000, "abcdefghijklmnopqrstuvwxyz", 8))
    lists.append(_case(rng, 5000, 10000, "abcdefghijklmnopqrstuvwxyz", 20))
    return [args_input(words) for words in lists]
