"""The SDPO learner on the real embedded model (SmolLM2-135M through HFPolicy), plus its config and the
teacher prompt text.

The attempts are fixed token ids (a wrong `add` function, about 20 tokens) so each update takes about a second.
"""

from __future__ import annotations

import pytest

from agent.protocols import LearnerEpisode
from agent.learn.sdpo import SDPOConfig, SDPOLearner
from agent.episode.prompts import CLOSING_INSTRUCTION, FEEDBACK_HEADER
from agent.learn.teacher import (
    CUT_MARKER,
    NoSignal,
    build_sequences,
    chat_messages,
    teacher_prompt,
)

PROMPT = "Write a Python function add(a, b) that returns the sum of a and b."
WRONG_ATTEMPT = "```python\ndef add(a, b):\n    return a - b\n```"
FEEDBACK = "Test Case 1: Wrong Answer\nInput: add(2, 3)\nOutput: -1\nExpected: 5"


# ----- teacher prompt text and config checks (no model) -----


def test_teacher_prompt_layout() -> None:
    assert teacher_prompt("P", feedback="F") == (
        "P\nThe following is feedback from your unsuccessful earlier attempt:\n\nF"
        "\n\nCorrectly solve the original question."
    )
    assert teacher_prompt("P", demonstration="D", feedback="F") == (
        "P\nCorrect solution:\n\nD\nThe following is feedback from your unsuccessful earlier attempt:\n\nF"
        "\n\nCorrectly solve the original question."
    )
    assert teacher_prompt("P", demonstration="D") == (
        "P\nCorrect solution:\n\nD\n\nCorrectly solve the original question."
    )


def test_teacher_prompt_keeps_the_answer_line_last() -> None:
    from agent.episode.prompts import ANSWER_LINE

    prompt = "### Question:\nQ\n\n### Format: F\n```python\n# YOUR CODE HERE\n```\n\n" + ANSWER_LINE
    assert teacher_prompt(prompt, feedback="F1") == (
        "### Question:\nQ\n\n### Format: F\n```python\n# YOUR CODE HERE\n```\n"
        "\nThe following is feedback from your unsuccessful earlier attempt:\n\nF1"
        "\n\nCorrectly solve the original question.\n\n" + ANSWER_LINE
    )
    assert teacher_prompt(prompt, feedback="F1").endswith(prompt[-len(ANSWER_LINE):])  # ends as the student's does


def test_teacher_prompt_without_signal_is_none() -> None:
    assert teacher_prompt("P") is None
    assert teacher_prompt("P", feedback="  \n", demonstration="") is None
    assert teacher_prompt("P", demonstration="<think>only thinking</think>") is None


def test_teacher_prompt_removes_thinking_from_the_demonstration() -> None:
    text = teacher_prompt("P", demonstration="<think>try x, then y</think>\n```python\nprint(1)\n```")
    assert text is not None
    assert "try x" not in text and "<think>" not in text
    assert "```python\nprint(1)\n```" in text


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("lr", 0.0, "lr=0.0"),
        ("k", 0, "k=0"),
        ("alpha", 1.2, "alpha=1.2"),
        ("teacher", "ema", "teacher='ema'"),
        ("token_clip", -1.0, "token_clip=-1.0"),
        ("grad_clip", 0.0, "grad_clip=0.0"),
        ("weight_decay", -0.1, "weight_decay=-0.1"),
        ("steps_per_update", 0, "steps_per_update=0"),
        ("ratio_cap", 0.5, "ratio_cap=0.5"),
        ("max_teacher_prompt_tokens", 0, "max_teacher_prompt_tokens=0"),
        ("chunk_size", 0, "chunk_size=0"),
    ],
)
def test_config_rejects_bad_values_by_name(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        SDPOConfig(**{field: value})


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_trust_region_rate_must_be_strictly_inside(rate: float) -> None:
    with pytest.raises(ValueError, match=f"trust_region_rate={rate}"):
        SDPOConfig(teacher="trust-region", trust_region_rate=rate)
    SDPOConfig(teacher="base", trust_region_rate=rate)  # unused by the base teacher


# ----- the real model -----


@pytest.fixture(scope="module")
def policy():
    from agent.generation.hf import HFPolicy

    return HFPolicy("smollm2-135m", device="cpu")


@pytest.fixture
def fresh(policy):
    """The policy with a fresh adapter and empty undo history."""
    policy.history.reset()
    yield policy
    policy.history.reset()


def attempt_ids(policy) -> list[int]:
    end_of_turn = policy.tokenizer.convert_tokens_to_ids("<|im_end|>")
    return policy.tokenizer.encode(WRONG_ATTEMPT, add_special_tokens=False) + [end_of_turn]


def failed_episode(policy, **changes) -> LearnerEpisode:
    fields = dict(prompt=PROMPT, response_ids=attempt_ids(policy), feedback=FEEDBACK)
    fields.update(changes)
    return LearnerEpisode(**fields)


def adapter_state(policy) -> dict:
    return {n: p.detach().clone() for n, p in policy.model.named_parameters() if "lora_" in n}


def base_state(policy) -> dict:
    return {n: p.detach().clone() for n, p in policy.model.named_parameters() if "lora_" not in n}


def same(a: dict, b: dict) -> bool:
    import torch

    return a.keys() == b.keys() and all(torch.equal(a[n], b[n]) for n in a)


def logits_of(policy, ids: list[int]):
    import torch

    with torch.no_grad():
        return policy.model(input_ids=torch.tensor([ids], device=policy.device)).logits


@pytest.mark.slow
def test_update_changes_adapter_but_not_base(fresh) -> None:
    adapter, base = adapter_state(fresh), base_state(fresh)
    stats = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update([failed_episode(fresh)])
    assert not stats.skipped and stats.tokens == len(attempt_ids(fresh))
    assert stats.loss > 0 and stats.grad_norm > 0 and stats.kl_before > 0
    assert not same(adapter, adapter_state(fresh))
    assert same(base, base_state(fresh))
    assert fresh.history.depth == 1


@pytest.mark.slow
def test_kl_to_teacher_falls_over_steps(fresh) -> None:
    learner = SDPOLearner(fresh, SDPOConfig())
    episode = failed_episode(fresh)
    history = [learner.update([episode]) for _ in range(5)]
    first, last = history[0], history[-1]
    assert last.kl_after is not None
    # Each update's "after" is the next one's "before": the same teacher and the same measurement.
    assert history[1].kl_before == pytest.approx(first.kl_after, rel=1e-4)
    assert last.kl_after < 0.5 * first.kl_before
    assert first.teacher_prompt_tokens[0] > 0 and first.truncated == [False]


@pytest.mark.slow
def test_undo_restores_exact_weights(fresh) -> None:
    learner = SDPOLearner(fresh, SDPOConfig(measure_after=False))
    before = adapter_state(fresh)
    learner.update([failed_episode(fresh)])
    after_one = adapter_state(fresh)
    learner.update([failed_episode(fresh)])
    assert learner.undo()
    assert same(after_one, adapter_state(fresh))
    assert learner.undo()
    assert same(before, adapter_state(fresh))
    assert not learner.undo()


@pytest.mark.slow
def test_save_then_load_gives_identical_logits(fresh, tmp_path) -> None:
    import torch

    learner = SDPOLearner(fresh, SDPOConfig(measure_after=False))
    learner.update([failed_episode(fresh)])
    ids = fresh.chat_ids(chat_messages(PROMPT)) + attempt_ids(fresh)
    trained = logits_of(fresh, ids)
    learner.save(str(tmp_path / "adapter"))
    learner.reset()
    assert not torch.equal(trained, logits_of(fresh, ids))
    learner.load(str(tmp_path / "adapter"))
    assert torch.equal(trained, logits_of(fresh, ids))


@pytest.mark.slow
def test_teacher_context_holds_the_feedback_and_both_end_in_the_attempt(policy) -> None:
    response = attempt_ids(policy)
    sequences = build_sequences(
        policy.chat_ids, policy.tokenizer, prompt=PROMPT, response_ids=response, feedback=FEEDBACK,
        context_window=policy.context_window,
    )
    teacher_text = policy.tokenizer.decode(sequences.teacher_ids[: -len(response)])
    student_text = policy.tokenizer.decode(sequences.student_ids[: -len(response)])
    assert FEEDBACK in teacher_text and FEEDBACK not in student_text
    assert PROMPT in teacher_text and PROMPT in student_text
    assert sequences.teacher_ids != sequences.student_ids
    assert sequences.student_ids[-len(response):] == response
    assert sequences.teacher_ids[-len(response):] == response
    # Same template and system prompt: the two prefixes start alike and end with the same generation prompt.
    assert sequences.teacher_ids[:5] == sequences.student_ids[:5]
    generation_prompt = policy.chat_ids(chat_messages(PROMPT))[-3:]
    assert sequences.teacher_ids[-len(response) - 3: -len(response)] == generation_prompt


@pytest.mark.slow
def test_long_feedback_is_cut_in_the_middle_to_the_budget(policy) -> None:
    head, tail = "FIRST LINE of the feedback.", "LAST LINE of the feedback."
    feedback = head + "\n" + "Test Case 7: Wrong Answer, output 12345 expected 54321.\n" * 60 + tail
    response = attempt_ids(policy)
    sequences = build_sequences(
        policy.chat_ids, policy.tokenizer, prompt=PROMPT, response_ids=response, feedback=feedback,
        context_window=policy.context_window, max_teacher_prompt_tokens=200,
    )
    assert sequences.truncated
    assert sequences.teacher_prompt_tokens <= 200
    text = policy.tokenizer.decode(sequences.teacher_ids[: -len(response)])
    assert PROMPT in text and CLOSING_INSTRUCTION.strip() in text and FEEDBACK_HEADER.strip() in text
    assert head in text and tail in text and CUT_MARKER.strip() in text
    assert sequences.teacher_ids[-len(response):] == response
    # A budget the problem prompt alone nearly fills: no signal, with the reason, rather than a crash.
    with pytest.raises(NoSignal, match="does not fit"):
        build_sequences(
            policy.chat_ids, policy.tokenizer, prompt=PROMPT, response_ids=response, feedback=feedback,
            context_window=policy.context_window, max_teacher_prompt_tokens=60,
        )


@pytest.mark.slow
def test_batch_without_signal_is_skipped_and_touches_nothing(fresh) -> None:
    adapter = adapter_state(fresh)
    too_long = "word " * (fresh.context_window + 100)
    episodes = [
        failed_episode(fresh, response_ids=[]),  # empty attempt
        failed_episode(fresh, feedback=None),  # neither feedback nor demonstration
        failed_episode(fresh, prompt=too_long),  # longer than the context window
        failed_episode(fresh, response_ids=[10**9]),  # not a token of this vocabulary
    ]
    stats = SDPOLearner(fresh, SDPOConfig()).update(episodes)
    assert stats.skipped
    assert stats.no_signal == [0, 1, 2, 3]
    assert "empty" in stats.reasons[0]
    assert "no feedback and no demonstration" in stats.reasons[1]
    assert "context window" in stats.reasons[2]
    assert "vocabulary" in stats.reasons[3]
    assert stats.tokens == 0 and stats.truncated == [False] * 4
    assert fresh.history.depth == 0
    assert same(adapter, adapter_state(fresh))


@pytest.mark.slow
def test_mixed_batch_learns_from_the_episodes_with_signal(fresh) -> None:
    demonstration = "```python\ndef add(a, b):\n    return a + b\n```"
    episodes = [
        failed_episode(fresh, response_ids=[]),
        failed_episode(fresh),
        failed_episode(fresh, feedback=None, demonstration=demonstration),  # SDFT: a solution, no feedback
    ]
    stats = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update(episodes)
    assert not stats.skipped
    assert stats.no_signal == [0]
    assert stats.tokens == 2 * len(attempt_ids(fresh))
    assert stats.teacher_prompt_tokens[0] == 0 and min(stats.teacher_prompt_tokens[1:]) > 0
    assert fresh.history.depth == 1


@pytest.mark.slow
def test_chunked_recomputed_scoring_gives_the_same_gradient_as_one_plain_pass(policy) -> None:
    # Chunks of 3 positions with gradient checkpointing against one chunk with stored activations.
    # Compared on gradients, not weights: Adam's first step is about lr * sign(g), which float noise on
    # near-zero gradients flips.
    import torch

    from agent.learn.sdpo import SDPOStats

    def gradients(chunk_size: int, recompute: bool) -> tuple[float, dict]:
        learner = SDPOLearner(policy, SDPOConfig(chunk_size=chunk_size, recompute_activations=recompute))
        (item,) = learner._prepare([failed_episode(policy)], SDPOStats())
        with learner.scorer.recomputed_activations():
            loss = learner._student_pass(item, step=0, total_tokens=item.sequences.response_length).loss
        grads = {n: p.grad.clone() for n, p in policy.model.named_parameters() if p.grad is not None}
        policy.model.zero_grad(set_to_none=True)
        return loss, grads

    policy.history.reset()
    loss_chunked, chunked = gradients(3, recompute=True)
    loss_whole, whole = gradients(4096, recompute=False)
    assert loss_chunked == pytest.approx(loss_whole, rel=1e-5)
    assert chunked.keys() == whole.keys() and len(whole) > 0
    # Equal up to float32 summation order: within 1e-3 of each tensor's norm.
    assert all(torch.linalg.norm(chunked[n] - whole[n]) <= 1e-3 * torch.linalg.norm(whole[n]) for n in whole)


@pytest.mark.slow
def test_recompute_and_the_after_step_measure_change_the_cost_not_the_step(policy) -> None:
    # What lets a run resume with them changed (agent/episode/rundir.py COST_ONLY_SDPO): the same adapter after
    # an update with or without gradient checkpointing and the KL measured after the step.
    import torch

    def adapter_after(**settings) -> dict:
        policy.history.reset()
        torch.manual_seed(0)
        SDPOLearner(policy, SDPOConfig(**settings)).update([failed_episode(policy)])
        return adapter_state(policy)

    reference = adapter_after()
    for settings in ({"recompute_activations": False}, {"measure_after": False},
                     {"recompute_activations": False, "measure_after": False}):
        assert same(adapter_after(**settings), reference), settings
    policy.history.reset()


@pytest.mark.slow
def test_recompute_runs_each_layer_again_in_backward_and_leaves_the_model_as_it_was(policy) -> None:
    from agent.learn.sdpo import SDPOStats

    layer = policy.model.get_base_model().get_decoder().layers[0]
    calls = []
    # A pre-hook on a child: transformers replays the layer's forward but not the layer's own hooks, and the
    # replay stops as soon as the last stored tensor is rebuilt, before the child's forward returns.
    handle = layer.mlp.register_forward_pre_hook(lambda *_: calls.append(1))
    try:
        for recompute, expected in ((True, 2), (False, 1)):
            learner = SDPOLearner(policy, SDPOConfig(recompute_activations=recompute))
            (item,) = learner._prepare([failed_episode(policy)], SDPOStats())
            calls.clear()
            with learner.scorer.recomputed_activations():
                learner._student_pass(item, step=0, total_tokens=item.sequences.response_length)
            policy.model.zero_grad(set_to_none=True)
            assert len(calls) == expected  # the forward, plus its replay during the backward when recomputing
    finally:
        handle.remove()
    assert not layer.training and not layer.gradient_checkpointing


@pytest.mark.slow
def test_several_steps_per_update_use_one_snapshot(fresh) -> None:
    before = adapter_state(fresh)
    learner = SDPOLearner(fresh, SDPOConfig(steps_per_update=3, measure_after=False))
    stats = learner.update([failed_episode(fresh)])
    assert len(stats.step_losses) == 3
    assert stats.step_losses[2] < stats.step_losses[0]
    assert fresh.history.depth == 1
    assert learner.undo() and same(before, adapter_state(fresh))


@pytest.mark.slow
def test_trust_region_teacher_starts_as_the_base_teacher(fresh) -> None:
    # With a fresh adapter (B = 0) the current-adapter teacher equals the base one, so both modes agree.
    episode = failed_episode(fresh)
    base = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update([episode])
    fresh.history.reset()
    trust = SDPOLearner(fresh, SDPOConfig(teacher="trust-region", measure_after=False)).update([episode])
    assert trust.kl_before == pytest.approx(base.kl_before, rel=1e-5)
    # After that step the current adapter differs from the base, and so do the two teachers.
    at_base = SDPOLearner(fresh, SDPOConfig(measure_after=False)).update([episode])
    assert fresh.history.depth == 2 and fresh.history.undo()
    half = SDPOConfig(teacher="trust-region", trust_region_rate=0.5, measure_after=False)
    at_trust = SDPOLearner(fresh, half).update([episode])
    assert at_trust.kl_before != pytest.approx(at_base.kl_before, rel=1e-3)
