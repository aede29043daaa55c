"""The sandbox contract: what every grader backend provides. Backends satisfy it without inheriting."""

from __future__ import annotations

from typing import Protocol, Sequence

from sandbox.result import GradeResult
from tasks.model import Task, TestCase


class Sandbox(Protocol):
    """Grades code against tests. Never raises because the code failed; sandbox failures are infra_error.

    Backends are context managers (open_sandbox's result is used in a `with`), closed by close().
    """

    def grade(
        self, code: str, task: Task, tests: Sequence[TestCase], *, timeout: float | None = None,
        stop_on_failure: bool = True,
    ) -> GradeResult: ...

    def close(self) -> None: ...
