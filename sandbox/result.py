"""What a grade returns. A grade never raises because the graded code failed: that is a verdict.
A failure of the sandbox itself is the separate verdict `infra_error`, which is neither a pass nor a fail."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

VERDICTS: tuple[str, ...] = ("pass", "wrong_answer", "time_limit", "runtime_error", "compile_error", "infra_error")


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    index: int
    """Position of the test in the list that was graded."""
    verdict: str
    input: str = ""
    expected: str = ""
    actual: str = ""
    """The program's output (stdin tasks) or the JSON text of the returned value (functional; its repr when it
    is not JSON data), truncated."""
    seconds: float = 0.0
    error: str | None = None
    """'ExceptionType: message' for runtime and compile errors."""
    traceback: str | None = None
    """Traceback lines that lie in the solution (file '<solution>'), most recent call last."""
    truncated: bool = False
    """The output exceeded the output limit and was cut off."""

    @classmethod
    def from_dict(cls, d: dict) -> "TestResult":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


@dataclass
class GradeResult:
    verdict: str
    tests: list[TestResult] = field(default_factory=list)
    seconds: float = 0.0
    message: str | None = None
    """For infra_error and compile_error: what went wrong."""

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @property
    def is_infra_error(self) -> bool:
        return self.verdict == "infra_error"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "GradeResult":
        return cls(
            verdict=d["verdict"],
            tests=[TestResult.from_dict(t) for t in d.get("tests", [])],
            seconds=d.get("seconds", 0.0),
            message=d.get("message"),
        )
