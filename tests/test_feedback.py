"""Feedback text for each failure kind, against hand-written expected text, and its length limits."""

from __future__ import annotations

from sandbox.config import SandboxConfig
from sandbox.feedback import FEEDBACK_KINDS, NO_CODE_TEXT, build_feedback
from sandbox.local import InProcessSandbox
from sandbox.result import GradeResult
from sandbox.result import TestResult as Outcome  # aliased so pytest does not try to collect it
from tasks.model import Task
from tasks.model import TestCase as Case  # aliased so pytest does not try to collect it


def wrong(index: int, inp: str, out: str, exp: str, **kw) -> Outcome:
    return Outcome(index=index, verdict="wrong_answer", input=inp, actual=out, expected=exp, **kw)


def test_pass_has_no_text():
    feedback = build_feedback(GradeResult("pass", [Outcome(0, "pass", "1", "1", "1")]))
    assert (feedback.kind, feedback.text) == ("pass", "")


def test_runtime_error_shows_exception_last_frames_and_input():
    traceback = (
        '  ... 40 earlier frames omitted\n'
        '  File "<solution>", line 9, in <module>\n    print(solve(n))\n          ^^^^^^^^\n'
        '  File "<solution>", line 6, in solve\n    return walk(n, 0)\n           ^^^^^^^^^^\n'
        '  File "<solution>", line 3, in walk\n    return table[i] // d\n           ~~~~~~~~~^^~~\n'
        '  File "<solution>", line 2, in helper\n    x = 1\n'
    )
    result = GradeResult("runtime_error", [
        Outcome(0, "pass", "1", "1", "1"),
        Outcome(1, "runtime_error", "3\n0 1 2\n", "7", "",
                error="ZeroDivisionError: integer division or modulo by zero", traceback=traceback),
    ])
    feedback = build_feedback(result)
    assert feedback.kind == "runtime_error"
    assert feedback.text == (
        "Runtime Error\n"
        "ZeroDivisionError: integer division or modulo by zero\n"
        "Traceback (most recent call last)\n"
        '  File "<solution>", line 6, in solve\n    return walk(n, 0)\n'
        '  File "<solution>", line 3, in walk\n    return table[i] // d\n'
        '  File "<solution>", line 2, in helper\n    x = 1\n'
        "Last Executed Input\n"
        "3\n0 1 2"
    )


def test_runtime_error_wins_over_earlier_wrong_answer_and_time_out():
    result = GradeResult("wrong_answer", [
        wrong(0, "1", "2", "3"),
        Outcome(1, "time_limit", "big", "", "", error="Time Limit Exceeded"),
        Outcome(2, "runtime_error", "x", "", "", error="ValueError: bad"),
    ])
    feedback = build_feedback(result)
    assert feedback.kind == "runtime_error"
    assert feedback.text == "Runtime Error\nValueError: bad\nLast Executed Input\nx"


def test_time_limit_shows_the_input():
    result = GradeResult("wrong_answer", [wrong(0, "1", "2", "3"), Outcome(1, "time_limit", "5 5\n", "25", "")])
    feedback = build_feedback(result)
    assert (feedback.kind, feedback.text) == ("time_limit", "Time Limit Exceeded\nLast Executed Input\n5 5")


def test_no_code_block():
    feedback = build_feedback(None, code_found=False)
    assert (feedback.kind, feedback.text) == ("no_code", NO_CODE_TEXT)
    assert build_feedback(None).kind == "no_code"


def test_compile_error_shows_the_message():
    message = 'File "<solution>", line 1\n    def f(:\n          ^\nSyntaxError: invalid syntax'
    feedback = build_feedback(GradeResult("compile_error", [], message=message))
    assert feedback.kind == "compile_error"
    assert feedback.text == "Compile Error\n" + message


def test_two_wrong_answers_shortest_input_first():
    result = GradeResult("wrong_answer", [
        wrong(0, "10 20 30", "50", "60"),
        wrong(1, "1", "", "1"),
        wrong(2, "4 5", "8", "9"),
    ])
    feedback = build_feedback(result)
    assert feedback.kind == "wrong_answer"
    assert feedback.text == (
        "Test Case 1: Wrong Answer\nInput\n1\nOutput\n(no output)\nExpected\n1\n"
        "\n"
        "Test Case 2: Wrong Answer\nInput\n4 5\nOutput\n8\nExpected\n9"
    )


def test_truncated_output_is_flagged():
    feedback = build_feedback(GradeResult("wrong_answer", [wrong(0, "1", "xx", "x", truncated=True)]))
    assert feedback.text == (
        "Test Case 1: Wrong Answer\nInput\n1\nOutput\nxx\n(output cut off: it exceeded the output limit)\nExpected\nx"
    )


def test_failed_assertion_of_a_check_task():
    test = wrong(0, "def check(candidate):\n    assert candidate(1) == 2\n", "assert candidate(1) == 2", "",
                 error="AssertionError: assert candidate(1) == 2")
    feedback = build_feedback(GradeResult("wrong_answer", [test]))
    assert feedback.text == "Test Case 1: Wrong Answer\nFailed Assertion\nassert candidate(1) == 2"


def test_infra_error_is_its_own_kind():
    feedback = build_feedback(GradeResult("infra_error", message="Docker is not running"))
    assert (feedback.kind, feedback.text) == ("infra_error", "The grader failed: Docker is not running")


def test_fields_are_cut_to_250_chars_and_inputs_to_8_lines():
    long_input = "\n".join(f"line {i}" for i in range(20))
    result = GradeResult("wrong_answer", [wrong(0, long_input, "o" * 1000, "e" * 251)])
    text = build_feedback(result).text
    sections = text.split("\n")
    assert sections[2:11] == [f"line {i}" for i in range(8)] + ["..."]
    assert sections[12] == "o" * 247 + "..."
    assert sections[14] == "e" * 247 + "..."
    huge_line = build_feedback(GradeResult("time_limit", [Outcome(0, "time_limit", "9" * 5000)])).text
    assert huge_line == "Time Limit Exceeded\nLast Executed Input\n" + "9" * 247 + "..."


def test_whole_message_is_at_most_2000_chars():
    # Field limits keep every failure text well under the cap; an unbounded message shows the cap itself.
    frames = "".join(f'  File "<solution>", line {i}, in f{i}\n    {"y" * 400}\n' for i in range(9))
    crash = Outcome(0, "runtime_error", "\n".join(["z" * 300] * 20), error="E" * 900, traceback=frames)
    assert len(build_feedback(GradeResult("runtime_error", [crash])).text) <= 2000
    many = [wrong(i, "a" * 300, "b" * 300, "c" * 300) for i in range(5)]
    assert len(build_feedback(GradeResult("wrong_answer", many)).text) <= 2000
    text = build_feedback(GradeResult("infra_error", message="m" * 5000)).text
    assert len(text) == 2000 and text.endswith("m...")


def test_every_kind_is_declared():
    results = [
        GradeResult("pass"), GradeResult("runtime_error", [Outcome(0, "runtime_error")]),
        GradeResult("time_limit", [Outcome(0, "time_limit")]), GradeResult("compile_error", message="x"),
        GradeResult("wrong_answer", [wrong(0, "", "", "")]), GradeResult("infra_error"),
    ]
    kinds = {build_feedback(r).kind for r in results} | {build_feedback(None, code_found=False).kind}
    assert kinds == set(FEEDBACK_KINDS)


def test_feedback_from_a_real_grade():
    code = "def solve(n):\n    return 10 // n\n\nprint(solve(int(input())))\n"
    tests = (Case("5", "2", "stdin"), Case("0", "0", "stdin"), Case("1", "10", "stdin"))
    task = Task(id="t", title="t", statement="", kind="stdin", public_tests=tests, hidden_tests=())
    with InProcessSandbox(SandboxConfig(backend="inprocess", timeout=3.0)) as sandbox:
        result = sandbox.grade(code, task, tests, stop_on_failure=False)
    assert build_feedback(result).text == (
        "Runtime Error\n"
        "ZeroDivisionError: integer division or modulo by zero\n"
        "Traceback (most recent call last)\n"
        '  File "<solution>", line 4, in <module>\n    print(solve(int(input())))\n'
        '  File "<solution>", line 2, in solve\n    return 10 // n\n'
        "Last Executed Input\n"
        "0"
    )
