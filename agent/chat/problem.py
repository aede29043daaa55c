"""Problems in the chat: a problem the user types, the tests they add to it, and Task <-> JSON for the session file.

A typed problem is an ordinary Task: kind "stdin" (the program reads the input and prints the output) unless
the user names a function, then "functional" (each test input is one JSON value per line, one per argument).
It starts with no tests; /test-add appends public tests, which are the ones the model's feedback may use.
"""

from __future__ import annotations

import dataclasses
import json

from tasks.model import Task, TestCase

TEST_SEPARATOR = "=>"
"""Separates input from expected output in the one-line form of /test-add."""


class ProblemInputError(ValueError):
    """The user's problem or test text cannot be used; the message says what to type instead."""


def typed_problem(text: str, number: int, function: str | None = None) -> Task:
    """A Task from the user's own words. `number` makes the id unique within the session (typed-1, typed-2...).

    `function` ('name' or 'name(a, b)') makes it a function problem; its signature becomes the starter code,
    which is also what tells the prompt to ask for a function rather than a stdin program.
    """
    statement = text.strip()
    if not statement:
        raise ProblemInputError("the problem is empty: type the problem statement after /problem")
    first_line = statement.splitlines()[0]
    title = first_line if len(first_line) <= 60 else first_line[:57] + "..."
    func_name, starter = None, ""
    if function is not None:
        func_name, _, params = function.partition("(")
        if not func_name.isidentifier():
            raise ProblemInputError(f"{func_name!r} is not a Python function name: use letters, digits and _")
        starter = f"def {func_name}({params.rstrip(')') if params else '*args'}):\n    "
    return Task(
        id=f"typed-{number}", title=title, statement=statement,
        kind="functional" if func_name else "stdin", public_tests=(), hidden_tests=(), starter_code=starter,
        func_name=func_name, platform="chat", difficulty="medium", source="chat",
    )


def parse_test_line(text: str) -> tuple[str, str]:
    """Split `INPUT => EXPECTED` (one line; a literal \\n stands for a newline) into input and expected output.

    The LAST separator splits, so an input may itself contain "=>".
    """
    if TEST_SEPARATOR not in text:
        raise ProblemInputError(
            f"no '{TEST_SEPARATOR}' in {text!r}: write /test-add INPUT {TEST_SEPARATOR} EXPECTED "
            f"(\\n for a newline), or /test-add alone to be asked for each")
    raw_input, raw_expected = text.rsplit(TEST_SEPARATOR, 1)
    return _unescape(raw_input.strip()), _unescape(raw_expected.strip())


def _unescape(s: str) -> str:
    # Only \n and \t: a full escape decoder would mangle backslashes the user meant literally (regexes, paths).
    return s.replace("\\n", "\n").replace("\\t", "\t")


def with_test(task: Task, test_input: str, expected: str) -> Task:
    """The task with one more public test (in the task's own test type)."""
    if task.kind == "check":
        raise ProblemInputError(
            "this problem is graded by check(candidate) code, not input/output pairs: /test-add works on "
            "typed problems and stdin or function problems")
    if task.kind == "functional":
        for line in test_input.strip().splitlines() + [expected]:
            try:
                json.loads(line)
            except json.JSONDecodeError:
                raise ProblemInputError(
                    f"{line!r} is not JSON: a function problem takes one JSON value per argument line "
                    f"(e.g. [1, 2] or \"abc\") and a JSON expected value") from None
    if task.kind == "stdin" and test_input and not test_input.endswith("\n"):
        test_input += "\n"  # a program reading lines expects the last one terminated, as in a typed terminal
    test = TestCase(input=test_input, output=expected, testtype=task.kind)
    return dataclasses.replace(task, public_tests=task.public_tests + (test,))


def task_to_dict(task: Task) -> dict:
    """Everything needed to rebuild the task when a session is resumed."""
    d = {f.name: getattr(task, f.name) for f in dataclasses.fields(task)}
    d["public_tests"] = [t.to_dict() for t in task.public_tests]
    d["hidden_tests"] = [t.to_dict() for t in task.hidden_tests]
    return d


def task_from_dict(d: dict) -> Task:
    fields = {f.name for f in dataclasses.fields(Task)}
    kwargs = {k: v for k, v in d.items() if k in fields}
    kwargs["public_tests"] = tuple(TestCase(**t) for t in d.get("public_tests", []))
    kwargs["hidden_tests"] = tuple(TestCase(**t) for t in d.get("hidden_tests", []))
    return Task(**kwargs)
