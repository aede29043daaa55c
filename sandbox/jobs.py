"""The wire format between a sandbox backend and the runner: build a job, read back a result.

Every backend (docker, local, inprocess) sends the same job dict to sandbox/runner.py and turns the same
result dict into a GradeResult, so the verdict rules live in one place: the runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sandbox.config import SandboxConfig
from sandbox.result import VERDICTS, GradeResult, TestResult
from tasks.model import Task, TestCase

RUNNER_PATH = Path(__file__).with_name("runner.py")
"""The runner script; backends copy it into the image or run it with `python3 -I -S RUNNER_PATH grade`."""

# The runner may answer with every verdict except infra_error, which only a backend can give.
RUNNER_VERDICTS = tuple(v for v in VERDICTS if v != "infra_error")


def make_job(
    code: str, task: Task, tests: Sequence[TestCase], config: SandboxConfig, *, stop_on_failure: bool = True,
    timeout: float | None = None,
) -> dict:
    """The runner job for grading `code` on `tests` of `task`; `timeout` overrides config.timeout per test."""
    for i, test in enumerate(tests):
        if test.testtype != task.kind:
            raise ValueError(
                f"task {task.id!r} is {task.kind} but test {i} is {test.testtype}; "
                "grade a task's tests only with that task"
            )
    per_test = config.timeout if timeout is None else timeout
    if not per_test > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {per_test}")
    return {
        "code": code,
        "kind": task.kind,
        "func_name": task.func_name,
        "tests": [{"input": t.input, "output": t.output} for t in tests],
        "timeout": float(per_test),
        "stop_on_failure": stop_on_failure,
        "output_limit": config.output_limit,
        "field_limit": config.field_limit,
        "memory_limit": config.memory_mb * 1024 * 1024,
    }


def parse_result(raw: dict, tests: Sequence[TestCase]) -> GradeResult:
    """Turn the runner's result dict into a GradeResult; a malformed one becomes infra_error, never an exception."""
    problem = _malformed(raw, len(tests))
    if problem:
        return infra_error(f"the runner returned a malformed result ({problem}); check that the sandbox image "
                           f"holds the same runner.py as {RUNNER_PATH}")
    return GradeResult(
        verdict=raw["verdict"],
        tests=[TestResult.from_dict(t) for t in raw["tests"]],
        seconds=float(raw.get("seconds", 0.0)),
        message=raw.get("message"),
    )


def infra_error(message: str) -> GradeResult:
    """The result of a grade that the sandbox itself could not carry out."""
    return GradeResult(verdict="infra_error", message=message)


def _malformed(raw: object, n_tests: int) -> str | None:
    if not isinstance(raw, dict):
        return f"expected a JSON object, got {type(raw).__name__}"
    if raw.get("verdict") not in RUNNER_VERDICTS:
        return f"unknown verdict {raw.get('verdict')!r}"
    if not isinstance(raw.get("tests"), list):
        return "'tests' is not a list"
    if len(raw["tests"]) > n_tests:
        return f"{len(raw['tests'])} test results for {n_tests} tests"
    for t in raw["tests"]:
        if not isinstance(t, dict) or t.get("verdict") not in RUNNER_VERDICTS:
            return f"bad test entry {t!r:.120}"
        if not isinstance(t.get("index"), int) or not 0 <= t["index"] < n_tests:
            return f"test index {t.get('index')!r} out of range"
    return None
