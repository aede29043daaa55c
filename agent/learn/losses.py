"""The learning losses as pure tensor math: the top-k divergence, per-token clipping, the importance ratio, and
the GRPO-style policy-gradient term of the blend (group advantages, the truncated-ratio objective).

No model and no I/O live here, so every function can be checked against numbers worked out by hand.

Conventions (shared by every function):
- Logits have shape [..., T, V]; per-token results have shape [..., T].
- "Student" is the model being trained; "teacher" is the same model with more context. The teacher never
  receives a gradient: its logits are detached on entry.
- All math runs in float32 whatever the input dtype, because bf16 log-probabilities lose too much precision
  for a divergence that is often below 0.01 nats.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from torch import Tensor

# The smallest log-probability a tail bucket may take. Without a floor an empty tail (k equal to the vocabulary)
# gives log(0) = -inf, and -inf times a zero probability is NaN in the backward pass.
TAIL_LOG_FLOOR = -80.0


def topk_divergence(
    student_logits: Tensor,
    teacher_logits: Tensor,
    k: int = 20,
    alpha: float = 1.0,
    add_tail: bool = True,
) -> Tensor:
    """Per-token divergence between student and teacher over the student's top-k token ids.

    Both distributions are restricted to the k ids the student rates highest at each position (the teacher's
    log-probs are gathered at the same ids). With `add_tail` each side gets one extra bucket holding the rest of
    its probability mass; without it both top-k distributions are renormalized to sum to one.

    alpha picks the divergence, S the student and T the teacher distribution:
      alpha = 0:      KL(T || S)  (forward KL)
      alpha = 1:      KL(S || T)  (reverse KL; the paper's choice for code)
      0 < alpha < 1:  (1 - alpha) KL(S || M) + alpha KL(T || M),  M = (1 - alpha) S + alpha T
    The mixture formula is the generalized Jensen-Shannon divergence. It tends to zero at both ends (near
    alpha = 0 it behaves like alpha KL(T || S), near 1 like (1 - alpha) KL(S || T)), so the end points are
    defined as the plain KLs: the direction is continuous in alpha, the scale is not. The function is
    continuous in alpha on the open interval and in the logits everywhere.

    Returns a float32 tensor of shape [..., T]; gradient flows into `student_logits` only.
    """
    import torch

    if k < 1:
        raise ValueError(f"k={k} must be at least 1; the paper uses k=20")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha={alpha} must lie in [0, 1]: 0 is forward KL, 1 reverse KL, 0.5 Jensen-Shannon")
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(
            f"student logits {tuple(student_logits.shape)} and teacher logits {tuple(teacher_logits.shape)} "
            "differ in shape; score the same response positions with both models"
        )
    student = torch.log_softmax(student_logits.float(), dim=-1)
    teacher = torch.log_softmax(teacher_logits.detach().float(), dim=-1)
    k = min(k, student.shape[-1])
    # The ids are chosen by the student (without gradient: topk's indices are integers anyway).
    student_top, ids = student.topk(k, dim=-1)
    teacher_top = teacher.gather(-1, ids)
    if add_tail:
        student_dist = torch.cat([student_top, _tail_log_mass(student, ids)], dim=-1)
        teacher_dist = torch.cat([teacher_top, _tail_log_mass(teacher, ids)], dim=-1)
    else:
        student_dist = student_top - torch.logsumexp(student_top, dim=-1, keepdim=True)
        teacher_dist = teacher_top - torch.logsumexp(teacher_top, dim=-1, keepdim=True)

    if alpha == 0.0:
        return kl(teacher_dist, student_dist)
    if alpha == 1.0:
        return kl(student_dist, teacher_dist)
    mixture = torch.logsumexp(
        torch.stack([student_dist + math.log(1.0 - alpha), teacher_dist + math.log(alpha)]), dim=0
    )
    return (1.0 - alpha) * kl(student_dist, mixture) + alpha * kl(teacher_dist, mixture)


def _tail_log_mass(log_probs: Tensor, top_ids: Tensor) -> Tensor:
    """log of the probability mass outside `top_ids`, shape [..., T, 1].

    Computed as a log-sum-exp over the ids outside the top-k rather than as log(1 - sum(top-k)): when the top-k
    holds nearly all the mass, 1 - sum cancels catastrophically in float32, while summing the small remaining
    probabilities directly stays accurate to the last bit.
    """
    import torch

    outside = log_probs.scatter(-1, top_ids, float("-inf"))
    return torch.logsumexp(outside, dim=-1, keepdim=True).clamp(min=TAIL_LOG_FLOOR)


def kl(log_p: Tensor, log_q: Tensor) -> Tensor:
    """KL(P || Q) over the last dimension, from log-probabilities; terms with P = 0 count as zero."""
    import torch

    p = log_p.exp()
    # Zero out both logs where P = 0 before subtracting: computing 0 * (-inf) and masking it afterwards would
    # still send NaN through the backward pass.
    present = p > 0
    log_p = torch.where(present, log_p, torch.zeros_like(log_p))
    log_q = torch.where(present, log_q, torch.zeros_like(log_q))
    return (p * (log_p - log_q)).sum(-1)


def reverse_kl(student_logits: Tensor, teacher_logits: Tensor) -> Tensor:
    """Full-vocabulary KL(student || teacher) per token, float32, no gradient: a measurement, not a loss."""
    import torch

    with torch.no_grad():
        student = torch.log_softmax(student_logits.float(), dim=-1)
        teacher = torch.log_softmax(teacher_logits.float(), dim=-1)
        return kl(student, teacher)


def clip_per_token(divergence: Tensor, max_value: float | None) -> Tensor:
    """Cap each token's divergence at `max_value` while keeping its gradient direction.

    A hard clamp would give zero gradient to exactly the tokens where student and teacher disagree most. Here a
    token above the cap is scaled down to the cap instead: its value becomes `max_value` and its gradient is
    multiplied by max_value / divergence. None leaves the divergence unchanged.
    """
    import torch

    if max_value is None:
        return divergence
    if max_value <= 0:
        raise ValueError(f"max_value={max_value} must be positive (or None to turn clipping off)")
    scale = (max_value / divergence.detach().clamp(min=torch.finfo(torch.float32).tiny)).clamp(max=1.0)
    return divergence * scale


def token_logprobs(logits: Tensor, ids: Tensor) -> Tensor:
    """log p(ids[t]) under `logits[t]`, float32, shape [..., T]. Keeps the gradient of `logits`."""
    import torch

    return torch.log_softmax(logits.float(), dim=-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)


def importance_ratio(current_logprobs: Tensor, behaviour_logprobs: Tensor, cap: float = 2.0) -> Tensor:
    """Per-token ratio p_current(y_t) / p_behaviour(y_t), capped at `cap`, without gradient.

    It reweights the divergence when several steps are taken on the same attempts: after the first step the
    student no longer is the policy that produced them. The log-ratio is clamped to [-20, 20] before exp so an
    extreme token cannot overflow; the cap bounds how much one token can be up-weighted.
    """
    import torch

    if cap <= 0:
        raise ValueError(f"cap={cap} must be positive; the paper caps the ratio at 2")
    log_ratio = (current_logprobs.detach().float() - behaviour_logprobs.detach().float()).clamp(-20.0, 20.0)
    return log_ratio.exp().clamp(max=cap)


def group_advantages(rewards: Sequence[float | None]) -> list[float]:
    """GRPO's advantages: each reward minus the batch mean, over the batch's standard deviation.

    Episodes without a reward (None) get 0 and do not enter the mean. A batch whose rewards are all equal
    (every batch of one attempt among them) has no group signal: every advantage is 0, so the policy-gradient
    term contributes nothing and the update is the distillation term alone.
    """
    given = [float(r) for r in rewards if r is not None]
    if len(given) < 2:
        return [0.0] * len(rewards)
    mean = sum(given) / len(given)
    std = math.sqrt(sum((r - mean) ** 2 for r in given) / (len(given) - 1))
    if std < 1e-8:
        return [0.0] * len(rewards)
    return [0.0 if r is None else (float(r) - mean) / std for r in rewards]


def policy_gradient(logprobs: Tensor, behaviour_logprobs: Tensor, advantage: float, cap: float = 2.0) -> Tensor:
    """Per-token policy-gradient loss -A * min(p(y_t) / p_behaviour(y_t), cap), with the gradient of `logprobs`.

    At the first step the behaviour log-probs are the current ones (ratio 1), so the gradient is -A * grad log p;
    on later steps over the same attempts the ratio corrects for the moved policy and the cap truncates it.
    """
    log_ratio = (logprobs.float() - behaviour_logprobs.detach().float()).clamp(-20.0, 20.0)
    return -advantage * log_ratio.exp().clamp(max=cap)
