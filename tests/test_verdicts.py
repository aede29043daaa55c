"""Verdict rules of the runner (LiveCodeBench semantics), through both the inprocess and the local backend."""

from __future__ import annotations

import pytest

from sandbox.config import SandboxConfig
from sandbox.factory import open_sandbox
from sandbox.result import GradeResult
from tasks.model import Task
from tasks.model import TestCase as Case  # aliased so pytest does not try to collect it


@pytest.fixture(scope="module", params=["inprocess", "local"])
def sandbox(request):
    with open_sandbox(SandboxConfig(backend=request.param, timeout=3.0)) as sb:
        yield sb


def grade(sandbox, code: str, cases: list[tuple[str, str]], *, kind: str = "stdin", func_name: str | None = None,
          timeout: float | None = None, stop_on_failure: bool = True) -> GradeResult:
    tests = tuple(Case(i, o, kind) for i, o in cases)
    task = Task(id="t", title="t", statement="", kind=kind, public_tests=tests, hidden_tests=(), func_name=func_name)
    return sandbox.grade(code, task, tests, timeout=timeout, stop_on_failure=stop_on_failure)


# --------------------------------------------------------------------------------------------- prelude


def test_prelude_names_need_no_import(sandbox):
    code = (
        "print(gcd(12, 18), isqrt(17), floor(2.5))\n"
        "d = deque([1]); c = Counter('aab'); dd = defaultdict(int)\n"
        "h = []; heappush(h, 3); heappush(h, 1)\n"
        "print(c['a'], heappop(h), bisect_left([1, 2, 3], 2), reduce(add, [1, 2, 3]))\n"
        "print(list(accumulate([1, 2, 3])), list(permutations('ab'))[1], ascii_lowercase[:3])\n"
        "print(deepcopy([[1]]), json.dumps([1]), re.findall('[0-9]+', 'a1b22'), itertools.__name__)\n"
        "x: List[int] = [1]; y: Optional[Dict[str, int]] = None\n"
        "print(datetime.date(2024, 1, 2).isoformat(), pow(3, 2, 5), mean([1, 3]))\n"
    )
    expected = "6 4 2\n2 1 1 6\n[1, 3, 6] ('b', 'a') abc\n[[1]] [1] ['1', '22'] itertools\n2024-01-02 4 2"
    result = grade(sandbox, code, [("", expected)])
    assert result.verdict == "pass", result


def test_prelude_binds_module_names_after_star_imports(sandbox):
    # `import datetime` comes after `from datetime import *`, so `datetime` is the module (as in LCB).
    result = grade(sandbox, "print(datetime.now())", [("", "x")])
    assert result.verdict == "runtime_error"
    assert "AttributeError" in result.tests[0].error


def test_deep_recursion_works(sandbox):
    code = "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(10000))"
    assert grade(sandbox, code, [("", "10000")]).verdict == "pass"


def test_huge_integer_prints(sandbox):
    assert grade(sandbox, "print(len(str(7 ** 20000)))", [("", "16902")]).verdict == "pass"


def test_huge_integer_as_functional_result(sandbox):
    code = "def big(n):\n    return 10 ** n"
    result = grade(sandbox, code, [("5000", "1" + "0" * 5000)], kind="functional", func_name="big")
    assert result.verdict == "pass", result


def test_main_block_runs(sandbox):
    code = "def main():\n    print(input().upper())\n\nif __name__ == '__main__':\n    main()\n"
    assert grade(sandbox, code, [("abc\n", "ABC")]).verdict == "pass"


# ------------------------------------------------------------------------------------- reading stdin

READERS = {
    "input": "a = int(input()); b = int(input()); print(a + b)",
    "read": "import sys\nprint(sum(map(int, sys.stdin.read().split())))",
    "readline": "import sys\nprint(int(sys.stdin.readline()) + int(sys.stdin.readline()))",
    "readlines": "import sys\nprint(sum(int(x) for x in sys.stdin.readlines()))",
    "iteration": "import sys\nprint(sum(int(line) for line in sys.stdin))",
    "buffer": "import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))",
    "buffer_readline": "import sys\nr = sys.stdin.buffer.readline\nprint(int(r()) + int(r()))",
    "open0": "print(sum(map(int, open(0).read().split())))",
    "prelude_stdin": "print(sum(map(int, stdin.read().split())))",
}


@pytest.mark.parametrize("style", sorted(READERS))
def test_every_stdin_reading_style(sandbox, style):
    assert grade(sandbox, READERS[style], [("2\n40\n", "42")]).verdict == "pass"


@pytest.mark.parametrize("writer", [
    "print(42)",
    "import sys\nsys.stdout.write('42\\n')",
    "import sys\nsys.stdout.buffer.write(b'42\\n')",
    "import sys\nsys.stdout.write('4'); sys.stdout.flush(); sys.stdout.buffer.write(b'2')",
])
def test_stdout_writers_are_captured(sandbox, writer):
    result = grade(sandbox, writer, [("", "42")])
    assert result.verdict == "pass", result
    assert result.tests[0].actual.strip() == "42"


# ------------------------------------------------------------------------------------ output compare


@pytest.mark.parametrize("printed, expected, verdict", [
    ("1.00", "1.0", "pass"),             # tokens equal as Decimals
    ("3", "3.0", "pass"),
    ("1.0000001", "1.0", "wrong_answer"),  # no float tolerance
    ("1  2", "1 2", "pass"),             # numeric tokens compare as Decimals
    ("a  b", "a b", "wrong_answer"),     # non-numeric lines must match exactly after strip
    ("  x y  \n\n", "x y", "pass"),      # surrounding whitespace and trailing blank lines are stripped
    ("1\n\n2", "1\n2", "wrong_answer"),  # line counts must match
    ("1\n2", "1 2", "wrong_answer"),
    ("yes", "Yes", "wrong_answer"),
    ("nan", "nan", "pass"),              # identical lines pass before any Decimal comparison
    ("sNaN", "sNaN 1", "wrong_answer"),
])
def test_output_comparison(sandbox, printed, expected, verdict):
    assert grade(sandbox, f"print({printed!r})", [("", expected)]).verdict == verdict


# --------------------------------------------------------------------------------------- functional


def test_solution_class_dispatch(sandbox):
    code = "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n" \
           "        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n" \
           "                return [seen[target - x], i]\n            seen[x] = i\n"
    result = grade(sandbox, code, [("[2, 7, 11, 15]\n9", "[0, 1]"), ("[3, 3]\n6", "[0, 1]")],
                   kind="functional", func_name="twoSum")
    assert result.verdict == "pass", result


def test_plain_function_dispatch(sandbox):
    result = grade(sandbox, "def joined(words, sep):\n    return sep.join(words)", [('["a", "b"]\n"-"', '"a-b"')],
                   kind="functional", func_name="joined")
    assert result.verdict == "pass", result


def test_tuple_result_counts_as_list(sandbox):
    code = "def pair(a, b):\n    return (b, a)"
    assert grade(sandbox, code, [("1\n2", "[2, 1]")], kind="functional", func_name="pair").verdict == "pass"


@pytest.mark.parametrize("returned, expected, verdict", [
    ("(1, 2)", "[1, 2]", "pass"),                        # top level: the harness converts it
    ("((1, 2), (3, 4))", "[[1, 2], [3, 4]]", "wrong_answer"),  # only the outer tuple is converted
    ("[(1, 2), (3, 4)]", "[[1, 2], [3, 4]]", "wrong_answer"),  # a list of tuples
    ("[[1, 2], [3, 4]]", "[[1, 2], [3, 4]]", "pass"),
    ("{'a': (1, 2)}", '{"a": [1, 2]}', "wrong_answer"),       # a tuple inside a dict
    ("{'a': [1, 2]}", '{"a": [1, 2]}', "pass"),
    ("[[0, [(1,)]]]", "[[0, [[1]]]]", "wrong_answer"),         # deep inside
    ("([1, (2,)],)", "[[1, [2]]]", "wrong_answer"),            # under a converted top-level tuple
    ("{1: 2}", '{"1": 2}', "wrong_answer"),                    # parsed JSON keys are strings
    ("()", "[]", "pass"),
])
def test_functional_tuple_rule_matches_the_harness(sandbox, returned, expected, verdict):
    code = f"def f(x):\n    return {returned}"
    result = grade(sandbox, code, [("0", expected)], kind="functional", func_name="f")
    assert result.verdict == verdict, result


def test_nested_tuple_is_shown_as_returned(sandbox):
    # The feedback shows the tuples the code returned, so the model can see why it failed.
    result = grade(sandbox, "def f(x):\n    return [(1, 2)]", [("0", "[[1, 2]]")], kind="functional", func_name="f")
    assert result.tests[0].actual == "[(1, 2)]"


def test_cyclic_result_is_a_wrong_answer(sandbox):
    code = "def f(x):\n    a = []\n    a.append(a)\n    return a"
    assert grade(sandbox, code, [("0", "[[]]")], kind="functional", func_name="f").verdict == "wrong_answer"


def test_wrong_return_value(sandbox):
    result = grade(sandbox, "def pair(a, b):\n    return [a, b]", [("1\n2", "[2, 1]")], kind="functional",
                   func_name="pair")
    assert result.verdict == "wrong_answer"
    assert result.tests[0].actual == "[1, 2]"
    assert result.tests[0].expected == "[2, 1]"


def test_rigged_equality_cannot_pass(sandbox):
    code = "class Anything:\n    def __eq__(self, other):\n        return True\n\ndef answer(x):\n    return Anything()"
    assert grade(sandbox, code, [("1", "5")], kind="functional", func_name="answer").verdict == "wrong_answer"


def test_each_test_runs_in_a_fresh_process(sandbox):
    code = "calls = []\nclass Solution:\n    def f(self, x):\n        calls.append(x)\n        return len(calls)"
    result = grade(sandbox, code, [("1", "1"), ("2", "1")], kind="functional", func_name="f")
    assert result.verdict == "pass", result


def test_missing_function_is_compile_error(sandbox):
    result = grade(sandbox, "def other(x):\n    return x", [("1", "1")], kind="functional", func_name="solve_it")
    assert result.verdict == "compile_error"
    assert "solve_it" in result.message


def test_exception_in_module_body_is_compile_error(sandbox):
    result = grade(sandbox, "limit = int('x')\ndef f(x):\n    return x", [("1", "1")], kind="functional", func_name="f")
    assert result.verdict == "compile_error"
    assert result.message.startswith("ValueError")


def test_exception_in_call_is_runtime_error(sandbox):
    code = "class Solution:\n    def f(self, xs):\n        return xs[10]"
    result = grade(sandbox, code, [("[1]", "1")], kind="functional", func_name="f")
    assert result.verdict == "runtime_error"
    assert result.tests[0].error == "IndexError: list index out of range"


# ----------------------------------------------------------------------------------- exits and errors


@pytest.mark.parametrize("ending", [
    "exit()", "exit(0)", "raise SystemExit(0)", "import sys\nsys.exit(1)", "raise SystemExit",
])
def test_system_exit_is_not_an_error(sandbox, ending):
    result = grade(sandbox, f"print('done')\n{ending}\nprint('after')", [("", "done")])
    assert result.verdict == "pass", result


def test_syntax_error_is_compile_error(sandbox):
    result = grade(sandbox, "def f(:\n    pass\n", [("", "")])
    assert result.verdict == "compile_error"
    assert "SyntaxError" in result.message
    assert result.tests == []


def test_runtime_error_traceback_shows_only_solution_frames(sandbox):
    code = "import json\n\ndef parse(text):\n    return json.loads(text)\n\nprint(parse(input()))\n"
    result = grade(sandbox, code, [("not json", "x")])
    assert result.verdict == "runtime_error"
    test = result.tests[0]
    assert test.error.startswith("json.decoder.JSONDecodeError: Expecting value")
    frames = [line for line in test.traceback.splitlines() if line.lstrip().startswith("File ")]
    assert frames == ['  File "<solution>", line 6, in <module>', '  File "<solution>", line 4, in parse']
    assert "return json.loads(text)" in test.traceback
    assert "decoder.py" not in test.traceback and "runner" not in test.traceback


def test_output_before_a_crash_is_kept(sandbox):
    result = grade(sandbox, "print('partial')\n1 / 0", [("", "partial")])
    assert result.verdict == "runtime_error"
    assert result.tests[0].actual.strip() == "partial"
    assert result.tests[0].error == "ZeroDivisionError: division by zero"


def test_time_limit_is_sub_second(sandbox):
    result = grade(sandbox, "while True:\n    pass", [("", "")], timeout=0.5)
    assert result.verdict == "time_limit"
    assert 0.5 <= result.tests[0].seconds < 1.5


# ----------------------------------------------------------------------------------- several tests


CASES = [("1", "1"), ("2", "3"), ("loop", "x"), ("4", "5")]
ECHO_OR_LOOP = "s = input()\nwhile s == 'loop':\n    pass\nprint(s)"


def test_first_failing_test_decides_and_stops(sandbox):
    result = grade(sandbox, ECHO_OR_LOOP, CASES, timeout=0.5)
    assert result.verdict == "wrong_answer"
    assert [t.verdict for t in result.tests] == ["pass", "wrong_answer"]


def test_grading_every_test_keeps_the_first_failure_as_verdict(sandbox):
    result = grade(sandbox, ECHO_OR_LOOP, CASES, timeout=0.5, stop_on_failure=False)
    assert result.verdict == "wrong_answer"
    assert [t.verdict for t in result.tests] == ["pass", "wrong_answer", "time_limit", "wrong_answer"]
    assert [t.index for t in result.tests] == [0, 1, 2, 3]


# ------------------------------------------------------------------------------------ check (HumanEval)

CHECK = "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(5) == 10, 'five'\n"


def test_check_kind_passes(sandbox):
    result = grade(sandbox, "def double(x):\n    return 2 * x", [(CHECK, "")], kind="check", func_name="double")
    assert result.verdict == "pass", result


def test_check_kind_failing_assert_is_wrong_answer_with_its_line(sandbox):
    code = "def double(x):\n    return x + 1"
    result = grade(sandbox, code, [(CHECK, "")], kind="check", func_name="double")
    assert result.verdict == "wrong_answer"
    assert result.tests[0].actual == "assert candidate(5) == 10, 'five'"
    assert result.tests[0].error == "AssertionError: assert candidate(5) == 10, 'five' (five)"


def test_check_kind_exception_is_runtime_error(sandbox):
    result = grade(sandbox, "def double(x):\n    return x.missing", [(CHECK, "")], kind="check", func_name="double")
    assert result.verdict == "runtime_error"
    assert "AttributeError" in result.tests[0].error
    assert '"<solution>", line 2, in double' in result.tests[0].traceback
