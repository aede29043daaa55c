"""The contracts between autodidact's parts. Implementations satisfy them without inheriting.

Data flows one way: Task -> prompt -> attempt (token ids) -> sandbox verdict -> feedback text
-> teacher context -> LoRA update -> next attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol, Sequence

from sandbox.result import GradeResult
from tasks.model import Task, TestCase


class Sandbox(Protocol):
    """Grades code against tests. Never raises because the code failed; sandbox failures are infra_error."""

    def grade(
        self, code: str, task: Task, tests: Sequence[TestCase], *, timeout: float | None = None,
        stop_on_failure: bool = True,
    ) -> GradeResult: ...

    def close(self) -> None: ...


@dataclass
class Generation:
    """One sampled answer. `ids` are the generated token ids exactly as sampled (never re-tokenized)."""

    text: str
    ids: list[int]
    prompt_ids: list[int]
    seconds: float = 0.0
    finish_reason: str = "stop"
    """'stop' (end of answer) or 'length' (max_new_tokens reached)."""


@dataclass
class SamplingConfig:
    temperature: float = 1.0
    """Sampling temperature; 0 means greedy."""
    top_p: float = 1.0
    """Nucleus sampling mass."""
    max_new_tokens: int = 512
    """Cap on generated tokens per attempt."""
    seed: int | None = None
    """Seed for reproducible sampling; None draws fresh randomness."""

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature={self.temperature}: use 0 for greedy or a positive value")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p={self.top_p}: top_p must lie in (0, 1]; 1 turns nucleus sampling off")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens={self.max_new_tokens}: at least 1 token must be generated")


class Policy(Protocol):
    """A chat model that writes attempts. `messages` are chat-format dicts: {'role', 'content'}."""

    def generate(self, messages: list[dict], n: int, sampling: SamplingConfig) -> list[Generation]: ...

    def stream(self, messages: list[dict], sampling: SamplingConfig) -> Iterator[str]: ...


@dataclass
class LearnerEpisode:
    """One attempt handed to the learner.

    `prompt` is the plain problem prompt (the user turn the student saw); `response_ids` the attempt's
    generated ids; `feedback` the text built from visible tests (None when it passed or none exists);
    `demonstration` a successful sibling attempt or a user-supplied solution (SDFT), thinking removed.
    """

    prompt: str
    response_ids: list[int]
    feedback: str | None = None
    demonstration: str | None = None
    system: str | None = None
    """The system prompt the student saw, if any; the teacher sees the same one."""
    reward: float | None = None
    """The attempt's reward for the policy-gradient term of the blend (the fraction of visible tests passed);
    None where there is none (chat), which leaves the episode out of the group."""


@dataclass
class UpdateStats:
    loss: float = 0.0
    kl_before: float = 0.0
    kl_after: float | None = None
    grad_norm: float = 0.0
    tokens: int = 0
    seconds: float = 0.0
    teacher_prompt_tokens: list[int] = field(default_factory=list)
    truncated: list[bool] = field(default_factory=list)
    no_signal: list[int] = field(default_factory=list)
    """Indices of episodes that carried no signal (no feedback and no demonstration, or empty attempt)."""
    skipped: bool = False
    """True when no episode carried signal and no step was taken."""


class Learner(Protocol):
    def update(self, episodes: Sequence[LearnerEpisode]) -> UpdateStats: ...

    def undo(self) -> bool: ...

    def reset(self) -> None: ...

    def save(self, path: str) -> None: ...

    def load(self, path: str) -> None: ...
