"""The configuration of a chat session; written to the session directory (config.json) when the session starts."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.config import BACKENDS

DEFAULT_MODEL = "smollm2-135m"


@dataclass
class ChatConfig:
    """What `autodidact chat` was started with."""

    model: str | None = None
    """Hub id, local path, or the embedded default's short name; None: the resumed session's model, else the
    embedded default (DEFAULT_MODEL)."""
    device: str = "auto"
    """auto, cuda, mps or cpu."""
    dtype: str = "auto"
    """auto (bf16 on CUDA, fp32 elsewhere), bf16, fp16 or fp32."""
    engine: str = "hf"
    """The generation engine that writes the answers (agent/registry.py)."""
    task: str | None = None
    """TASKSET:ID to load at start, e.g. starter:<id>."""
    resume: str | None = None
    """A session id, a session directory, or 'latest' to continue."""
    sandbox: str = "docker"
    """Grader backend: docker (isolated) or local (a subprocess with limits, NOT isolated)."""
    timeout: float = 6.0
    """Per-test time limit in seconds."""
    temperature: float = 0.7
    """Sampling temperature for answers; 0 is greedy."""
    top_p: float = 0.95
    """Nucleus sampling mass."""
    max_new_tokens: int = 512
    """Cap on tokens per answer."""
    seed: int | None = None
    """Seed for the first answer (each later answer adds one); None draws fresh randomness."""
    auto: bool = False
    """Start with /auto on: grade every answer that has code."""
    learning_rate: float | None = None
    """Learner step size; None keeps the learner's default."""
    home: str | None = None
    """Directory for sessions, adapters and input history; None: $AUTODIDACT_HOME/chat or ~/.cache/autodidact/chat."""

    def __post_init__(self) -> None:
        from agent.config import EngineConfig

        EngineConfig(name=self.engine)  # unknown, or not installed here: refused before the chat starts
        if self.sandbox not in BACKENDS:
            raise ValueError(f"sandbox {self.sandbox!r} is unknown: pass --sandbox docker or --sandbox local")
        if self.task is not None and ":" not in self.task:
            raise ValueError(f"--task {self.task!r} needs TASKSET:ID, e.g. --task starter:<id> "
                             f"(`autodidact tasks list starter` shows the ids)")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")
