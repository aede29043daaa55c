"""ad-015: a walk of ups and downs that must stay at or above sea level and return to it."""

from _common import args_input

ID = "ad-015"
TITLE = "Hiker's Log"
DIFFICULTY = "easy"
KIND = "functional"
STARTER = False
FUNC_NAME = "validTrail"

STATEMENT = """\
A hiker starts at sea level and writes down every step of a walk in the string steps: 'U' is one step up and
'D' is one step down. The walk is valid when the hiker never goes below sea level at any moment and is back at
sea level after the last step.

Return true if the walk is valid and false otherwise.

Example 1:

Input: steps = "UUDD"
Output: true
Explanation: The heights after each step are 1, 2, 1, 0.

Example 2:

Input: steps = "UDDU"
Output: false
Explanation: The heights after each step are 1, 0, -1, 0. The third step goes below sea level.

Example 3:

Input: steps = "UUD"
Output: false
Explanation: The walk ends one step above sea level.

Constraints:

1 <= steps.length <= 10^5
steps consists only of the characters 'U' and 'D'.
"""

STARTER_CODE = """\
class Solution:
    def validTrail(self, steps: str) -> bool:
        """

REFERENCE = """\
class Solution:
    def validTrail(self, steps: str) -> bool:
        height = 0
        for step in steps:
            height += 1 if step == "U" else -1
            if height < 0:
                return False
        return height == 0
"""

PUBLIC_INPUTS = [args_input("UUDD"), args_input("UDDU"), args_input("UUD")]


def _valid_walk(rng, pairs):
    walk, height, ups_left = [], 0, pairs
    while ups_left or height:
        if ups_left and (height == 0 or rng.random() < 0.5):
            walk.append("U")
            ups_left -= 1
            height += 1
        else:
            walk.append("D")
            height -= 1
    return "".join(walk)


def generate_inputs(rng):
    walks = ["U", "D", "UD", "DU", "U" * 50000 + "D" * 50000, "UD" * 50000, "U" * 50000 + "D" * 49999 + "U"]
    walks += [_valid_walk(rng, rng.randint(2, 20)) for _ in range(3)]
    broken = list(_valid_walk(rng, 40000))
    index = rng.randrange(len(broken))
    broken[index] = "D" if broken[index] == "U" else "U"
    walks += ["".join(broken), _valid_walk(rng, 40000)]
    walks += ["".join(rng.choice("UD") for _ in range(rng.randint(4, 16))) for _ in range(3)]
    return [args_input(w) for w in walks]
