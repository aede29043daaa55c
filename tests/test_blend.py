"""The GRPO blend (learner sdpo-grpo): group advantages and the policy-gradient term against hand-worked numbers,
then the blended update on the real embedded model.

loss = w * distillation + (1 - w) * policy gradient; the rewards are the fraction of visible tests passed.
"""

from __future__ import annotations

import math

import pytest
import torch

from agent.config import RunConfig
from agent.learn.losses import group_advantages, policy_gradient, token_logprobs
from agent.episode.methods import make_method
from agent.learn.sdpo import SDPOConfig, SDPOLearner
from test_sdpo import adapter_state, attempt_ids, failed_episode, fresh, policy  # noqa: F401 (fixtures)

RIGHT_ATTEMPT = "```python\ndef add(a, b):\n    return a + b\n```"


# ----- the math (no model) -----


def test_group_advantages_by_hand() -> None:
    # rewards 1 and 0: mean 0.5, sample standard deviation sqrt(0.5) = 0.7071
    assert group_advantages([1.0, 0.0]) == pytest.approx([0.5 / math.sqrt(0.5), -0.5 / math.sqrt(0.5)])
    # 1, 0.5, 0: mean 0.5, std 0.5
    assert group_advantages([1.0, 0.5, 0.0]) == pytest.approx([1.0, 0.0, -1.0])
    # an episode without a reward gets 0 and stays out of the mean
    assert group_advantages([None, 1.0, 0.0]) == pytest.approx([0.0, 0.7071068, -0.7071068])


@pytest.mark.parametrize("rewards", [[0.5], [1.0, 1.0], [0.0, 0.0, 0.0], [None, 0.3], []])
def test_no_group_signal_gives_zero_advantages(rewards) -> None:
    assert group_advantages(rewards) == [0.0] * len(rewards)


def test_policy_gradient_at_the_first_step_is_minus_advantage_times_grad_log_p() -> None:
    logits = torch.tensor([[math.log(0.5), math.log(0.3), math.log(0.2)]], requires_grad=True)
    ids = torch.tensor([1])
    logprobs = token_logprobs(logits, ids)
    loss = policy_gradient(logprobs, logprobs.detach(), advantage=2.0)
    assert loss.item() == pytest.approx(-2.0)  # ratio 1
    loss.sum().backward()
    # d/dlogits of -2 * log softmax(logits)[1] = -2 * (onehot(1) - p)
    assert logits.grad[0].tolist() == pytest.approx([2 * 0.5, -2 * 0.7, 2 * 0.2], abs=1e-6)


def test_policy_gradient_ratio_is_capped() -> None:
    current = torch.tensor([math.log(0.9)])
    behaviour = torch.tensor([math.log(0.3)])  # ratio 3, capped at 2
    assert policy_gradient(current, behaviour, advantage=1.0, cap=2.0).item() == pytest.approx(-2.0)
    assert policy_gradient(current, behaviour, advantage=-1.0, cap=4.0).item() == pytest.approx(3.0, rel=1e-5)


def test_blend_is_a_learner_name_with_its_own_default_weight() -> None:
    assert RunConfig().sdpo_config("sdpo").distillation_weight == 1.0
    assert RunConfig().sdpo_config("sdpo-grpo").distillation_weight == 0.9
    explicit = RunConfig.from_dict({"sdpo": {"distillation_weight": 0.5}})
    assert explicit.sdpo_config("sdpo-grpo").distillation_weight == 0.5
    assert RunConfig.from_dict({"learn": "sdpo-grpo"}).learn == "sdpo-grpo"
    assert make_method("sdpo-grpo", learner=object()).name == "sdpo-grpo"


@pytest.mark.parametrize("weight", [-0.1, 1.5])
def test_distillation_weight_outside_zero_one_is_refused(weight: float) -> None:
    with pytest.raises(ValueError, match="distillation_weight"):
        SDPOConfig(distillation_weight=weight)


# ----- the real model -----


def right_ids(policy) -> list[int]:
    end_of_turn = policy.tokenizer.convert_tokens_to_ids("<|im_end|>")
    return policy.tokenizer.encode(RIGHT_ATTEMPT, add_special_tokens=False) + [end_of_turn]


def sequence_logprob(policy, episode) -> float:
    from agent.learn.teacher import chat_messages

    prefix = policy.chat_ids(chat_messages(episode.prompt), add_generation_prompt=True)
    ids = torch.tensor([prefix + list(episode.response_ids)])
    with torch.no_grad():
        logits = policy.model(input_ids=ids).logits[0, len(prefix) - 1:-1]
    return token_logprobs(logits, ids[0, len(prefix):]).sum().item()


@pytest.mark.slow
def test_policy_gradient_alone_moves_probability_from_the_worse_attempt_to_the_better(fresh) -> None:
    good = failed_episode(fresh, response_ids=right_ids(fresh), feedback=None, reward=1.0)  # nothing to distil
    bad = failed_episode(fresh, reward=0.0)
    before = [sequence_logprob(fresh, e) for e in (good, bad)]
    stats = SDPOLearner(fresh, SDPOConfig(distillation_weight=0.0)).update([good, bad])
    after = [sequence_logprob(fresh, e) for e in (good, bad)]
    assert not stats.skipped and stats.no_signal == []
    assert stats.advantages == pytest.approx([0.7071068, -0.7071068])
    assert stats.teacher_prompt_tokens[0] == 0 and stats.teacher_prompt_tokens[1] > 0
    assert stats.pg_loss is not None and stats.tokens == len(good.response_ids) + len(bad.response_ids)
    # The two differ only from "a - b" / "a + b" on, so the shared prefix's gradients cancel; Adam's first step
    # (about lr per weight, whatever the gradient's size) need not raise the already likely good attempt, but it
    # must widen the gap between them.
    assert after[1] < before[1]
    assert after[0] - after[1] > before[0] - before[1] + 1.0


@pytest.mark.slow
def test_blend_with_one_attempt_takes_the_distillation_step(fresh) -> None:
    """A batch of one has no group: its advantage is 0, and the step (Adam, gradient clipped) is SDPO's."""
    episode = failed_episode(fresh, reward=0.0)
    start = adapter_state(fresh)
    sdpo = SDPOLearner(fresh, SDPOConfig(measure_after=False))
    sdpo.update([episode])
    after_sdpo = adapter_state(fresh)
    sdpo.reset()
    assert all(torch.equal(start[n], p) for n, p in adapter_state(fresh).items())
    stats = SDPOLearner(fresh, SDPOConfig(distillation_weight=0.9, measure_after=False)).update([episode])
    assert stats.advantages == [0.0] and stats.pg_loss == 0.0
    blended = adapter_state(fresh)
    moved = math.sqrt(sum(((after_sdpo[n] - start[n]) ** 2).sum().item() for n in start))
    apart = math.sqrt(sum(((blended[n] - after_sdpo[n]) ** 2).sum().item() for n in start))
    assert moved > 0 and apart < 0.01 * moved


@pytest.mark.slow
def test_sdpo_ignores_rewards(fresh) -> None:
    stats = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update(
        [failed_episode(fresh, response_ids=right_ids(fresh), feedback=None, reward=1.0), failed_episode(fresh, reward=0.0)])
    assert stats.advantages == [] and stats.pg_loss is None
    assert stats.no_signal == [0]  # the success has nothing to distil and SDPO has no other term


# ----- the engine's log-probs as the behaviour policy -----


def own_logprobs(policy, episode, temperature: float) -> list[float]:
    from agent.learn.teacher import chat_messages

    prefix = policy.chat_ids(chat_messages(episode.prompt), add_generation_prompt=True)
    ids = torch.tensor([prefix + list(episode.response_ids)])
    with torch.no_grad():
        logits = policy.model(input_ids=ids).logits[0, len(prefix) - 1:-1]
    return token_logprobs(logits / temperature, ids[0, len(prefix):]).tolist()


@pytest.mark.slow
def test_engine_logprobs_equal_to_the_learners_give_no_mismatch_and_the_same_step(fresh) -> None:
    episode = failed_episode(fresh)
    start = adapter_state(fresh)
    plain = SDPOLearner(fresh, SDPOConfig(measure_after=False))
    assert plain.update([episode]).sampler_mismatch is None
    after_plain = adapter_state(fresh)
    plain.reset()
    assert all(torch.equal(start[n], p) for n, p in adapter_state(fresh).items())
    import dataclasses

    sampled = dataclasses.replace(episode, behaviour_logprobs=own_logprobs(fresh, episode, 0.7), temperature=0.7)
    stats = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update([sampled])
    assert stats.sampler_mismatch is not None and stats.sampler_mismatch < 1e-4  # same weights, same float32 math
    after = adapter_state(fresh)
    moved = math.sqrt(sum(((after_plain[n] - start[n]) ** 2).sum().item() for n in start))
    apart = math.sqrt(sum(((after[n] - after_plain[n]) ** 2).sum().item() for n in start))
    assert apart < 0.01 * moved  # ratios of 1: the step of an update without engine log-probs


@pytest.mark.slow
def test_an_engine_that_disagrees_is_measured_and_its_tokens_reweighted(fresh) -> None:
    import dataclasses

    episode = failed_episode(fresh)
    plain = SDPOLearner(fresh, SDPOConfig(measure_after=False))
    plain_loss = plain.update([episode]).loss
    plain.reset()
    own = own_logprobs(fresh, episode, 1.0)
    off = [lp - 0.5 for lp in own]  # the engine gave every sampled token less probability than the learner
    stats = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update(
        [dataclasses.replace(episode, behaviour_logprobs=off, temperature=1.0)])
    assert stats.sampler_mismatch == pytest.approx(0.5, abs=1e-4)
    assert stats.loss == pytest.approx(math.exp(0.5) * plain_loss, rel=1e-3)  # every token weighted by e^0.5 < 2
    with pytest.raises(ValueError, match="log-probs cover"):
        SDPOLearner(fresh, SDPOConfig()).update([dataclasses.replace(episode, behaviour_logprobs=off[:-1])])


def test_a_learner_named_by_dotted_path_becomes_a_learning_method() -> None:
    learner = object()
    method = make_method("agent.learn.sdpo:BlendLearner", learner=learner)
    assert method.learner is learner and method.name == "agent.learn.sdpo:BlendLearner"
    with pytest.raises(ValueError, match="unknown"):
        make_method("no-such-method")
