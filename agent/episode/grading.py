"""Grading one answer: the one flow the episode loop and the chat both use.

    no code block              -> compile_error, the "no code" feedback
    grade on the visible tests -> every one runs (stop_on_failure off), the feedback is built from them alone
    all visible tests pass     -> the remaining tests (hidden included) decide, stopping at the first failure

The verdict is "pass" only when every test of the task passed. A sandbox failure (infra_error) in either grade
is not a verdict on the code: the result says so (`infra_error`, `message`), carries no feedback and so no
learning signal; the loop stops the run on it (a resumed run grades the attempt again), the chat shows it.
The reward (the blend's policy-gradient term) is the fraction of the visible tests passed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

from sandbox.feedback import Feedback, build_feedback
from sandbox.protocol import Sandbox
from sandbox.result import GradeResult
from tasks.model import Task, TestCase


class InfraError(RuntimeError):
    """The sandbox itself failed (engine down, container died); the run stops and can be resumed."""


@dataclass
class Graded:
    code: str | None
    """The code taken from the answer (agent/episode/prompts.py extract_code); None when it had none."""
    visible: GradeResult | None
    """The grade on the visible tests; None without code."""
    rest: GradeResult | None
    """The grade on the remaining tests, run only when every visible test passed (and there are others)."""
    rest_total: int
    """How many tests `rest` covers."""
    feedback: Feedback
    seconds: float

    @property
    def infra_error(self) -> bool:
        return any(g is not None and g.is_infra_error for g in (self.visible, self.rest))

    @property
    def message(self) -> str:
        failed = next(g for g in (self.visible, self.rest) if g is not None and g.is_infra_error)
        return failed.message or "the sandbox failed"

    @property
    def visible_verdict(self) -> str:
        return self.visible.verdict if self.visible is not None else "compile_error"

    @property
    def verdict(self) -> str:
        """On every test: the remaining tests' verdict once the visible ones passed."""
        return self.rest.verdict if self.rest is not None else self.visible_verdict

    @property
    def feedback_text(self) -> str | None:
        """What the learner is shown: None when the visible tests passed or the sandbox failed."""
        if self.infra_error or self.visible_verdict == "pass" or not self.feedback.text:
            return None
        return self.feedback.text

    @property
    def reward(self) -> float:
        if self.visible is None or not self.visible.tests:
            return float(self.visible_verdict == "pass")
        return sum(t.verdict == "pass" for t in self.visible.tests) / len(self.visible.tests)


def grade_answer(sandbox: Sandbox, task: Task, visible: Sequence[TestCase], code: str | None) -> Graded:
    """Grade one answer's code (None: the answer had no code block) by the flow in the module docstring."""
    if code is None:
        return Graded(None, None, None, 0, build_feedback(None, code_found=False), 0.0)
    start = time.perf_counter()
    shown = sandbox.grade(code, task, visible, stop_on_failure=False)
    rest, remaining = None, [t for t in task.all_tests if t not in visible]
    if shown.passed and remaining:
        rest = sandbox.grade(code, task, remaining, stop_on_failure=True)
    return Graded(code, shown, rest, len(remaining) if rest is not None else 0, build_feedback(shown),
                  time.perf_counter() - start)
