"""The problem model shared by every part of autodidact.

A Task is one programming problem with two groups of tests: public tests, which the model may see (they
appear in the statement and feed the learner's feedback), and hidden tests, which only decide success.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TestType = Literal["stdin", "functional", "check"]
"""stdin: the program reads the input and prints the output.
functional: `input` holds one JSON value per line (one per argument), `output` one JSON value.
check: HumanEval style; `input` is test code defining `check(candidate)`, `output` is unused."""

TEST_TYPES: tuple[str, ...] = ("stdin", "functional", "check")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


class TaskFormatError(ValueError):
    """A problem file is malformed; the message names the file, the line and the field."""


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest test class

    input: str
    output: str
    testtype: TestType

    def to_dict(self) -> dict:
        return {"input": self.input, "output": self.output, "testtype": self.testtype}


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    statement: str
    kind: TestType
    public_tests: tuple[TestCase, ...]
    hidden_tests: tuple[TestCase, ...]
    starter_code: str = ""
    func_name: str | None = None
    platform: str = "autodidact"
    difficulty: str = "medium"
    contest_date: str = ""
    source: str = ""
    """Where the task came from: a built-in set name or a file path."""
    metadata: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in TEST_TYPES:
            raise TaskFormatError(f"task {self.id!r}: unknown kind {self.kind!r}; expected one of {TEST_TYPES}")
        if self.kind == "functional" and not self.func_name:
            raise TaskFormatError(f"task {self.id!r}: a functional task needs func_name (metadata.func_name)")

    @property
    def all_tests(self) -> tuple[TestCase, ...]:
        return self.public_tests + self.hidden_tests

    def summary(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "difficulty": self.difficulty,
            "platform": self.platform,
            "contest_date": self.contest_date,
            "n_public": len(self.public_tests),
            "n_hidden": len(self.hidden_tests),
        }
