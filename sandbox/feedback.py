"""Turn a grade into the feedback text the teacher sees (the format SDPO used for code).

One failure kind is shown, in this order of preference: the first runtime error (exception, the last few
frames in the solution, the input), else the first time-out, else a missing code block or a compile error,
else up to two wrong answers, shortest input first. Every field is cut to 250 characters (an input to 8
lines) and the whole text to 2,000 characters, so one long case cannot crowd out the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.result import GradeResult, TestResult

FIELD_CHARS = 250
INPUT_LINES = 8
MESSAGE_CHARS = 2000
FRAMES = 3
"""Solution frames shown for a runtime error (the most recent ones)."""
WRONG_CASES = 2

FEEDBACK_KINDS: tuple[str, ...] = (
    "pass", "runtime_error", "time_limit", "no_code", "compile_error", "wrong_answer", "infra_error",
)
NO_CODE_TEXT = (
    "No code block found: the answer must end with the complete solution in one ```python fenced code block."
)


@dataclass
class Feedback:
    kind: str
    """One of FEEDBACK_KINDS: which failure the text describes."""
    text: str
    """The feedback shown to the teacher (empty for pass)."""


def build_feedback(result: GradeResult | None, *, code_found: bool = True) -> Feedback:
    """Feedback for one attempt's grade.

    Pass a result graded on the task's public (visible) tests only: the text quotes inputs and expected
    outputs, and hidden tests must never reach the model. `code_found=False` (or result None) means the answer
    held no usable code block. An infra_error result gives kind 'infra_error': the sandbox failed, and the
    attempt should carry no learning signal.
    """
    if not code_found or result is None:
        return Feedback("no_code", NO_CODE_TEXT)
    if result.verdict == "infra_error":
        return Feedback("infra_error", _cap(f"The grader failed: {result.message or 'no details'}"))
    if result.verdict == "pass":
        return Feedback("pass", "")
    failed = [t for t in result.tests if t.verdict != "pass"]
    runtime = next((t for t in failed if t.verdict == "runtime_error"), None)
    if runtime is not None:
        return Feedback("runtime_error", _cap(_runtime_error_text(runtime)))
    timeout = next((t for t in failed if t.verdict == "time_limit"), None)
    if timeout is not None:
        return Feedback("time_limit", _cap(_section("Time Limit Exceeded", "")
                                           + _section("Last Executed Input", _input_field(timeout.input))))
    if result.verdict == "compile_error":
        compile_test = next((t for t in failed if t.verdict == "compile_error"), None)
        message = result.message or (compile_test.error if compile_test else None) or "the code does not compile"
        return Feedback("compile_error", _cap(_section("Compile Error", _field(message, keep_tail=True))))
    wrong = sorted((t for t in failed if t.verdict == "wrong_answer"), key=lambda t: (len(t.input), t.index))
    if wrong:
        cases = [_wrong_answer_text(i + 1, t) for i, t in enumerate(wrong[:WRONG_CASES])]
        return Feedback("wrong_answer", _cap("\n".join(cases)))
    # A failing verdict without a failing test should not happen; say what is known rather than nothing.
    return Feedback(result.verdict, _cap(f"The attempt failed ({result.verdict}). {result.message or ''}".strip()))


def _runtime_error_text(test: TestResult) -> str:
    text = _section("Runtime Error", _field(test.error or "the program crashed"))
    frames = _last_frames(test.traceback or "")
    if frames:
        text += _section("Traceback (most recent call last)", "\n".join(frames))
    return text + _section("Last Executed Input", _input_field(test.input))


def _wrong_answer_text(number: int, test: TestResult) -> str:
    header = f"Test Case {number}: Wrong Answer"
    if (test.error or "").startswith("AssertionError"):  # a check (HumanEval) task: the assert says it all
        return _section(header, "") + _section("Failed Assertion", _field(test.actual or test.error or ""))
    output = _field(test.actual) if test.actual.strip() else "(no output)"
    if test.truncated:
        output += "\n(output cut off: it exceeded the output limit)"
    return (_section(header, "") + _section("Input", _input_field(test.input)) + _section("Output", output)
            + _section("Expected", _field(test.expected)))


def _last_frames(traceback_text: str) -> list[str]:
    """The last FRAMES frames of a solution traceback, each cut to a field, without the caret lines."""
    frames: list[list[str]] = []
    for line in traceback_text.splitlines():
        if not line.strip() or set(line.strip()) <= set("^~"):
            continue  # the ^^^ markers cost characters and say little once the source line is shown
        if line.lstrip().startswith("File ") or not frames:
            frames.append([line])
        else:
            frames[-1].append(line)
    return [_field("\n".join(frame)) for frame in frames[-FRAMES:]]


def _section(title: str, body: str) -> str:
    return f"{title}\n{body}\n" if body else f"{title}\n"


def _input_field(text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    if len(lines) > INPUT_LINES:
        lines = lines[:INPUT_LINES] + ["..."]
    return _field("\n".join(lines))


def _field(text: str, *, keep_tail: bool = False) -> str:
    text = text.rstrip("\n")
    if len(text) <= FIELD_CHARS:
        return text
    if keep_tail:  # the end of a compile error holds the error line itself
        return "..." + text[len(text) - FIELD_CHARS + 3:]
    return text[: FIELD_CHARS - 3] + "..."


def _cap(text: str) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 3] + "..."
