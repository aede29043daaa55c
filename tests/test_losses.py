"""topk_divergence and its helpers against numbers worked out by hand with plain Python math.

The distributions are written out as probabilities; the logits handed to the function are their logs, so
log_softmax recovers them exactly (up to float32 rounding).
"""

from __future__ import annotations

import math

import pytest
import torch

from agent.learn.losses import clip_per_token, importance_ratio, reverse_kl, token_logprobs, topk_divergence

# Vocabulary of 4; the student's top-2 ids are 0 and 1.
STUDENT = [0.5, 0.3, 0.15, 0.05]
TEACHER = [0.2, 0.4, 0.3, 0.1]


def logits(probs: list[float]) -> torch.Tensor:
    return torch.tensor([[math.log(p) for p in probs]])  # one token position: shape [1, V]


def kl_by_hand(p: list[float], q: list[float]) -> float:
    return sum(pi * math.log(pi / qi) for pi, qi in zip(p, q) if pi > 0)


def divergence_by_hand(s: list[float], t: list[float], alpha: float) -> float:
    if alpha == 0.0:
        return kl_by_hand(t, s)
    if alpha == 1.0:
        return kl_by_hand(s, t)
    m = [(1 - alpha) * si + alpha * ti for si, ti in zip(s, t)]
    return (1 - alpha) * kl_by_hand(s, m) + alpha * kl_by_hand(t, m)


# Top-2 (ids 0, 1) plus one tail bucket with the remaining mass of each side.
S_TAIL = [0.5, 0.3, 0.2]
T_TAIL = [0.2, 0.4, 0.4]
# Top-2 renormalized: 0.5 / 0.8, 0.3 / 0.8 and 0.2 / 0.6, 0.4 / 0.6.
S_RENORM = [0.625, 0.375]
T_RENORM = [1 / 3, 2 / 3]


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("add_tail", [True, False])
def test_topk_divergence_matches_hand_computation(alpha: float, add_tail: bool) -> None:
    s, t = (S_TAIL, T_TAIL) if add_tail else (S_RENORM, T_RENORM)
    expected = divergence_by_hand(s, t, alpha)
    got = topk_divergence(logits(STUDENT), logits(TEACHER), k=2, alpha=alpha, add_tail=add_tail)
    assert got.shape == (1,)
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_reverse_kl_with_tail_literal_value() -> None:
    # 0.5 ln(0.5/0.2) + 0.3 ln(0.3/0.4) + 0.2 ln(0.2/0.4) = 0.458145 - 0.086305 - 0.138629
    got = topk_divergence(logits(STUDENT), logits(TEACHER), k=2, alpha=1.0, add_tail=True)
    assert got.item() == pytest.approx(0.233211, abs=1e-5)


def test_forward_kl_without_tail_literal_value() -> None:
    # (1/3) ln((1/3)/0.625) + (2/3) ln((2/3)/0.375) = -0.209530 + 0.383576
    got = topk_divergence(logits(STUDENT), logits(TEACHER), k=2, alpha=0.0, add_tail=False)
    assert got.item() == pytest.approx(0.174046, abs=1e-5)


def test_teacher_ids_come_from_the_student() -> None:
    # The teacher's own top-2 would be ids 1 and 2; the function must use the student's ids 0 and 1.
    got = topk_divergence(logits(STUDENT), logits(TEACHER), k=2, alpha=1.0, add_tail=False)
    wrong = kl_by_hand([0.3 / 0.45, 0.15 / 0.45], [0.4 / 0.7, 0.3 / 0.7])
    assert got.item() == pytest.approx(kl_by_hand(S_RENORM, T_RENORM), rel=1e-5)
    assert got.item() != pytest.approx(wrong, rel=1e-2)


def test_k_equal_to_vocabulary_with_tail_is_the_full_kl() -> None:
    # The tail is empty on both sides; the floor keeps it finite and it contributes nothing.
    got = topk_divergence(logits(STUDENT), logits(TEACHER), k=4, alpha=1.0, add_tail=True)
    assert got.item() == pytest.approx(kl_by_hand(STUDENT, TEACHER), rel=1e-5)
    assert torch.isfinite(got).all()


def test_mixture_tends_to_the_named_kls_at_the_ends() -> None:
    # Near alpha = 0 the mixture divergence is about alpha * KL(T || S); near 1 about (1 - alpha) * KL(S || T).
    eps = 1e-3
    near_zero = topk_divergence(logits(STUDENT), logits(TEACHER), k=2, alpha=eps).item() / eps
    near_one = topk_divergence(logits(STUDENT), logits(TEACHER), k=2, alpha=1 - eps).item() / eps
    assert near_zero == pytest.approx(kl_by_hand(T_TAIL, S_TAIL), rel=1e-2)
    assert near_one == pytest.approx(kl_by_hand(S_TAIL, T_TAIL), rel=1e-2)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("add_tail", [True, False])
def test_zero_when_student_equals_teacher(alpha: float, add_tail: bool) -> None:
    same = torch.randn(2, 5, 50, generator=torch.Generator().manual_seed(0))
    got = topk_divergence(same, same.clone(), k=20, alpha=alpha, add_tail=add_tail)
    assert got.shape == (2, 5)
    assert torch.allclose(got, torch.zeros_like(got), atol=1e-6)


def test_divergence_is_positive_when_they_differ() -> None:
    gen = torch.Generator().manual_seed(1)
    got = topk_divergence(torch.randn(3, 50, generator=gen), torch.randn(3, 50, generator=gen), k=20)
    assert (got > 0).all()


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
def test_gradient_reaches_only_the_student(alpha: float) -> None:
    gen = torch.Generator().manual_seed(2)
    student = torch.randn(4, 30, generator=gen, requires_grad=True)
    teacher = torch.randn(4, 30, generator=gen, requires_grad=True)
    topk_divergence(student, teacher, k=5, alpha=alpha).sum().backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    assert teacher.grad is None


def test_bf16_input_is_computed_in_float32() -> None:
    got = topk_divergence(logits(STUDENT).bfloat16(), logits(TEACHER).bfloat16(), k=2)
    assert got.dtype == torch.float32
    assert got.item() == pytest.approx(0.233211, abs=2e-2)  # bf16 rounding of the inputs only


def test_bad_arguments_name_the_value() -> None:
    with pytest.raises(ValueError, match="alpha=1.5"):
        topk_divergence(logits(STUDENT), logits(TEACHER), alpha=1.5)
    with pytest.raises(ValueError, match="k=0"):
        topk_divergence(logits(STUDENT), logits(TEACHER), k=0)
    with pytest.raises(ValueError, match="differ in shape"):
        topk_divergence(logits(STUDENT), torch.zeros(1, 5))


def test_reverse_kl_full_vocabulary() -> None:
    got = reverse_kl(logits(STUDENT), logits(TEACHER))
    assert got.item() == pytest.approx(kl_by_hand(STUDENT, TEACHER), rel=1e-5)


def test_clip_per_token_caps_value_and_keeps_gradient_direction() -> None:
    divergence = torch.tensor([0.5, 4.0], requires_grad=True)
    clipped = clip_per_token(divergence, 2.0)
    assert clipped.tolist() == pytest.approx([0.5, 2.0])
    clipped.sum().backward()
    # Below the cap the gradient is 1; above it is scaled by cap / value = 0.5, not zeroed.
    assert divergence.grad.tolist() == pytest.approx([1.0, 0.5])
    assert clip_per_token(divergence, None) is divergence


def test_importance_ratio_by_hand_and_capped() -> None:
    current = torch.tensor([math.log(0.3), math.log(0.9), math.log(0.1)], requires_grad=True)
    behaviour = torch.tensor([math.log(0.2), math.log(0.1), math.log(0.1)])
    ratio = importance_ratio(current, behaviour, cap=2.0)
    assert ratio.tolist() == pytest.approx([1.5, 2.0, 1.0], rel=1e-5)  # 0.9 / 0.1 = 9 is capped at 2
    assert not ratio.requires_grad


def test_token_logprobs_gathers_the_sampled_ids() -> None:
    got = token_logprobs(logits(STUDENT), torch.tensor([2]))
    assert got.item() == pytest.approx(math.log(0.15), rel=1e-5)
