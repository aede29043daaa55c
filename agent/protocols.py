"""The contracts between autodidact's parts. Implementations satisfy them without inheriting.

Data flows one way: Task -> prompt -> attempt (token ids) -> sandbox verdict -> feedback text
-> teacher context -> LoRA update -> next attempt.

The seams, and who stands on each side:
- GenerationEngine: writes attempts and streams text (agent/generation/; chosen by --engine, agent/registry.py).
- TrainableModel: the weights the learner updates, with their adapter history; every change of the weights
  (update, undo, reset, load) is announced to subscribers as a WeightsChanged with a new version, so a second
  copy of the weights (an inference engine, a server) can follow.
- Learner: turns episodes into weight updates (agent/learn/; chosen by --learn).
- Method: what the engine is shown and whether the learner runs (agent/episode/methods.py).
- Sandbox: grades code (sandbox/protocol.py; chosen by --sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence

from tasks.model import Task

if TYPE_CHECKING:
    import threading

    from agent.episode.loop import Attempt
    from agent.learn.lora import AdapterHistory


@dataclass
class Generation:
    """One sampled answer. `ids` are the generated token ids exactly as sampled (never re-tokenized)."""

    text: str
    ids: list[int]
    prompt_ids: list[int]
    seconds: float = 0.0
    finish_reason: str = "stop"
    """'stop' (end of answer) or 'length' (max_new_tokens reached)."""
    logprobs: list[float] | None = None
    """The engine's log-probability of each sampled id (temperature applied), where the engine reports them."""


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


class GenerationEngine(Protocol):
    """A chat model that writes attempts. `messages` are chat-format dicts: {'role', 'content'}.

    generate returns each attempt's exact generated ids (never re-tokenized); stream yields text pieces and
    afterwards holds the whole answer in `last_generation`. An engine that can tell (agent/generation/hf.py) also
    offers `context_window` and `chat_ids` (the prompt's ids), which multi-turn uses to fit its feedback.
    """

    last_generation: Generation | None

    def generate(self, messages: list[dict], n: int, sampling: SamplingConfig) -> list[Generation]: ...

    def stream(self, messages: list[dict], sampling: SamplingConfig,
               stop_event: "threading.Event | None" = None) -> Iterator[str]: ...


@dataclass(frozen=True)
class WeightsChanged:
    """The trainable weights are now `version`: 0 is the base model; every other change gets a number never
    used before, even when it restores earlier weights (undo, load), so a follower never mistakes one version
    for another."""

    version: int
    reason: str
    """update, undo, reset or load."""


class TrainableModel(Protocol):
    """The model the learner updates: a base with a LoRA adapter and the adapter's undo history.

    `history.subscribe(callback)` registers for WeightsChanged; update (through `history.changed`), undo, reset
    and load announce one each.
    """

    model: Any
    """A peft PeftModel (base frozen, adapter trainable)."""
    tokenizer: Any
    device: Any
    context_window: int
    history: "AdapterHistory"

    def chat_ids(self, messages: list[dict], add_generation_prompt: bool = True) -> list[int]: ...


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
    history: list[dict] | None = None
    """Earlier turns of a conversation ({'role', 'content'}), between the system prompt and `prompt` (the last
    user turn); the student and the teacher both see them unchanged (a served conversation, agent/serve/)."""
    reward: float | None = None
    """The attempt's reward for the policy-gradient term of the blend (the fraction of visible tests passed);
    None where there is none (chat), which leaves the episode out of the group."""
    behaviour_logprobs: list[float] | None = None
    """The generation engine's log-probability of each response id as it sampled it (temperature applied), where
    the engine reports them; the learner's importance ratio then corrects for the engine and the learner not
    computing quite the same distribution."""
    temperature: float = 1.0
    """The sampling temperature the attempt was drawn at (what behaviour_logprobs include)."""


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
    version: int | None = None
    """The weights' version after the update (agent/protocols.py WeightsChanged); None when none was taken."""
    sampler_mismatch: float | None = None
    """Mean |engine - learner| log-probability of the sampled tokens (both at the sampling temperature), over the
    episodes that carried the engine's log-probs; None without them."""


class Learner(Protocol):
    """Turns a batch of episodes into one update of a TrainableModel's weights, and can take it back."""

    def update(self, episodes: Sequence[LearnerEpisode]) -> UpdateStats: ...

    def undo(self) -> bool: ...

    def reset(self) -> None: ...

    def save(self, path: str) -> None: ...

    def load(self, path: str) -> None: ...


class Method(Protocol):
    """A way of spending an attempt budget: what the engine sees, and what happens after each batch."""

    name: str
    stop_on_success: bool
    """Stop the problem at the first attempt that passes every test."""
    independent: bool
    """Attempts are independent samples of one prompt (scored with the pass@k estimator, drawn in one batch)."""
    learner: Learner | None
    """The learner the method updates, or None for a method that does not learn."""

    def batch_size(self, batch: int) -> int: ...

    def messages(self, task: Task, past_feedback: Sequence[str]) -> list[dict]: ...

    def learn(self, task: Task, messages: list[dict], attempts: Sequence["Attempt"]) -> UpdateStats | None: ...


WeightsListener = Callable[[WeightsChanged], None]
