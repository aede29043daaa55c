"""Settings and statistics of the SDPO update (agent/learn/sdpo.py), with the paper's values where they differ."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.protocols import UpdateStats

TEACHER_MODES = ("base", "trust-region")


@dataclass
class SDPOConfig:
    """Settings of the SDPO update (the paper's values noted where they differ)."""

    lr: float = 1e-4
    """AdamW learning rate for the LoRA weights (paper: 1e-6 for full fine-tuning; see the module docstring)."""
    k: int = 20
    """The divergence is taken over the student's top-k token ids at each position."""
    alpha: float = 1.0
    """0 forward KL, 1 reverse KL (paper's choice for code), in between the generalized Jensen-Shannon."""
    add_tail: bool = True
    """Add one bucket with the mass outside the top-k; without it the top-k is renormalized."""
    teacher: str = "base"
    """'base' (adapter disabled) or 'trust-region' (logits interpolated from base toward the current adapter)."""
    trust_region_rate: float = 0.01
    """For 'trust-region': the weight r of the current-adapter logits, (1 - r) base + r current."""
    token_clip: float | None = 10.0
    """Cap on each token's divergence in nats (scaled down, gradient kept); None turns it off."""
    grad_clip: float | None = 1.0
    """Cap on the global gradient norm of the adapter; None turns it off."""
    weight_decay: float = 0.01
    """AdamW weight decay."""
    steps_per_update: int = 1
    """Optimizer steps per update on the same episodes; after the first, tokens are importance-weighted."""
    ratio_cap: float = 2.0
    """Cap on the per-token importance ratio current / first-step probability (steps_per_update > 1)."""
    max_teacher_prompt_tokens: int | None = 4096
    """Budget for the teacher's prompt tokens (also bounded by the context window); None: the window only."""
    distillation_weight: float = 1.0
    """w in loss = w * distillation + (1 - w) * policy gradient (the GRPO blend; TRL's name). 1.0 is SDPO alone;
    the learner 'sdpo-grpo' defaults to 0.9, the paper's recommendation for weak models."""
    chunk_size: int = 64
    """Response positions whose full-vocabulary logits are alive at once (memory, see _student_pass)."""
    measure_after: bool = True
    """Recompute the student-teacher KL after the step (costs one more student forward)."""
    recompute_activations: bool = True
    """Gradient checkpointing in the student pass: about one more body forward, a fraction of the memory."""

    def __post_init__(self) -> None:
        if not self.lr > 0:
            raise ValueError(f"lr={self.lr} must be positive; 1e-4 suits LoRA")
        if self.k < 1:
            raise ValueError(f"k={self.k} must be at least 1; the paper uses 20")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha={self.alpha} must lie in [0, 1]: 0 forward KL, 1 reverse KL")
        if self.teacher not in TEACHER_MODES:
            raise ValueError(f"teacher={self.teacher!r} is not one of {TEACHER_MODES}")
        if self.teacher == "trust-region" and not 0.0 < self.trust_region_rate < 1.0:
            raise ValueError(
                f"trust_region_rate={self.trust_region_rate} must lie strictly between 0 and 1 for the "
                "trust-region teacher: 0 is the base teacher (use teacher='base'), 1 makes the teacher the live "
                "student, which diverged in the paper; the paper's best rate is 0.01"
            )
        if self.token_clip is not None and not self.token_clip > 0:
            raise ValueError(f"token_clip={self.token_clip} must be positive, or None to turn it off")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ValueError(f"grad_clip={self.grad_clip} must be positive, or None to turn it off")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay={self.weight_decay} must be >= 0; the paper uses 0.01")
        if self.steps_per_update < 1:
            raise ValueError(f"steps_per_update={self.steps_per_update} must be at least 1")
        if self.ratio_cap < 1.0:
            raise ValueError(
                f"ratio_cap={self.ratio_cap} must be at least 1, or the first step's tokens (ratio 1) would be "
                "down-weighted; the paper uses 2"
            )
        if self.max_teacher_prompt_tokens is not None and self.max_teacher_prompt_tokens < 1:
            raise ValueError(f"max_teacher_prompt_tokens={self.max_teacher_prompt_tokens} must be positive or None")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size={self.chunk_size} must be at least 1")
        if not 0.0 <= self.distillation_weight <= 1.0:
            raise ValueError(
                f"distillation_weight={self.distillation_weight} must lie in [0, 1]: 1 is SDPO alone, 0 the policy "
                "gradient alone; the blend's default is 0.9"
            )

    @property
    def blends(self) -> bool:
        """True when the policy-gradient term is on (distillation_weight below 1)."""
        return self.distillation_weight < 1.0


@dataclass
class SDPOStats(UpdateStats):
    """UpdateStats plus the SDPO-specific details."""

    reasons: dict[int, str] = field(default_factory=dict)
    """Why each no-signal episode carried none, or why the update was skipped (key -1)."""
    step_losses: list[float] = field(default_factory=list)
    """The loss at each optimizer step (`loss` is the first)."""
    step_grad_norms: list[float] = field(default_factory=list)
    """The gradient norm before clipping at each step (`grad_norm` is the first)."""
    advantages: list[float] = field(default_factory=list)
    """The blend only: each episode's group-normalised advantage (all 0 in a batch without reward spread)."""
    pg_loss: float | None = None
    """The blend only: the policy-gradient term at the first step, before weighting."""
