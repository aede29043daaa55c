"""LoRA adapter on the real embedded model: starts equal to the base, undo is exact, reset returns to the
base, save/load round-trips, mismatched adapters are refused, and base weights never change."""

from __future__ import annotations

import json

import pytest

from agent.learn.lora import AdapterHistory, LoraSettings, attach_lora, default_target_modules
from agent.generation.models import DEFAULT_MODEL

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@pytest.fixture(scope="module")
def policy():
    from agent.generation.hf import HFPolicy

    return HFPolicy(DEFAULT_MODEL, device="cpu", history_depth=3)


@pytest.fixture()
def fresh(policy):
    """The shared policy with its adapter back at the start before and after each test."""
    policy.history.reset()
    yield policy
    policy.history.reset()


@pytest.fixture(scope="module")
def prompt_ids(policy):
    return policy.chat_ids([{"role": "user", "content": "Print the sum of two integers."}])


def logits(model, ids):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits[0]


def base_logits(policy, ids):
    with policy.model.disable_adapter():
        return logits(policy.model, ids)


def nudge_adapter(model, scale=0.02, seed=0):
    """Stand-in for an optimizer step: move every LoRA weight (A and B) by seeded noise."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.add_(torch.randn(p.shape, generator=gen) * scale)


def adapter_state(model):
    return {n: p.detach().clone() for n, p in model.named_parameters() if "lora_" in n}


def base_state(model):
    return {n: p.detach().clone() for n, p in model.named_parameters() if "lora_" not in n}


def same(a, b):
    import torch

    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="rank=0"):
        LoraSettings(rank=0)
    with pytest.raises(ValueError, match="dropout=1.0"):
        LoraSettings(dropout=1.0)
    with pytest.raises(ValueError, match="alpha=-1"):
        LoraSettings(alpha=-1)
    with pytest.raises(ValueError, match=r"target_modules=\[\]"):
        LoraSettings(target_modules=[])


def test_unknown_architecture_lists_its_linear_modules():
    import torch

    class Odd(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.mixer = torch.nn.Linear(4, 4)
            self.lm_head = torch.nn.Linear(4, 8)

    with pytest.raises(ValueError, match=r"linear modules are \['mixer'\].*target_modules"):
        default_target_modules(Odd())


@pytest.mark.slow
def test_adapter_targets_attention_and_mlp_and_freezes_the_base(policy):
    assert sorted(policy.model.peft_config["default"].target_modules) == sorted(PROJECTIONS)
    trainable = [n for n, p in policy.model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    assert len(trainable) == 2 * len(PROJECTIONS) * policy.model.config.num_hidden_layers


@pytest.mark.slow
def test_fresh_adapter_equals_base_and_a_change_shows(fresh, prompt_ids):
    import torch

    base = base_logits(fresh, prompt_ids)
    assert torch.equal(logits(fresh.model, prompt_ids), base)
    nudge_adapter(fresh.model)
    assert not torch.allclose(logits(fresh.model, prompt_ids), base)


@pytest.mark.slow
def test_undo_restores_each_update_bitwise_and_reset_returns_to_base(fresh, prompt_ids):
    import torch

    history, model = fresh.history, fresh.model
    base_before = base_state(model)
    base = base_logits(fresh, prompt_ids)
    states, outputs = [], []
    for step in range(3):
        history.snapshot()  # before the update, as the learner does
        nudge_adapter(model, seed=step)
        states.append(adapter_state(model))
        outputs.append(logits(model, prompt_ids))
    assert history.depth == 3
    for step in (1, 0):
        assert history.undo()
        assert same(adapter_state(model), states[step])
        assert torch.equal(logits(model, prompt_ids), outputs[step])
    history.reset()
    assert history.depth == 0 and not history.undo()
    assert torch.equal(logits(model, prompt_ids), base)
    assert same(base_state(model), base_before)


@pytest.mark.slow
def test_history_depth_is_bounded(fresh):
    history = fresh.history
    assert history.max_depth == 3
    for step in range(5):
        history.snapshot()
        nudge_adapter(fresh.model, seed=step)
    assert history.depth == 3
    assert [history.undo() for _ in range(4)] == [True, True, True, False]
    with pytest.raises(ValueError, match="max_depth=0"):
        AdapterHistory(fresh.model, max_depth=0)


@pytest.mark.slow
def test_save_and_load_round_trip(fresh, prompt_ids, tmp_path):
    import torch

    base_before = base_state(fresh.model)
    nudge_adapter(fresh.model, seed=3)
    trained = logits(fresh.model, prompt_ids)
    fresh.history.save(tmp_path / "adapter")
    saved = json.loads((tmp_path / "adapter" / "autodidact_adapter.json").read_text())
    assert saved["settings"]["rank"] == 16 and saved["architecture"]["model_type"] == "llama"

    fresh.history.reset()
    assert not torch.equal(logits(fresh.model, prompt_ids), trained)
    fresh.history.snapshot()
    fresh.history.load(tmp_path / "adapter")
    assert torch.equal(logits(fresh.model, prompt_ids), trained)
    assert fresh.history.depth == 0  # loading starts a new history
    assert same(base_state(fresh.model), base_before)


@pytest.mark.slow
def test_adapter_of_another_rank_is_refused(fresh, tmp_path):
    other = attach_lora(_tiny_llama(hidden=64, layers=2), LoraSettings(rank=4))
    other.save_pretrained(str(tmp_path / "rank4"))
    before = adapter_state(fresh.model)
    with pytest.raises(ValueError, match=r"rank=4 but this policy's LoRA has rank=16.*LoraSettings\(rank=4\)"):
        fresh.history.load(tmp_path / "rank4")
    assert same(adapter_state(fresh.model), before)


@pytest.mark.slow
def test_adapter_of_another_base_is_refused(fresh, tmp_path):
    # same depth as SmolLM2-135M (30 layers), so only the tensor shapes differ
    small = attach_lora(_tiny_llama(hidden=64, layers=30), LoraSettings())
    AdapterHistory(small).save(tmp_path / "small")
    before = adapter_state(fresh.model)
    with pytest.raises(ValueError, match="different base model.*hidden_size"):
        fresh.history.load(tmp_path / "small")
    # without the metadata file, the tensor shapes still give it away
    (tmp_path / "small" / "autodidact_adapter.json").unlink()
    with pytest.raises(ValueError, match="has shape .* expects"):
        fresh.history.load(tmp_path / "small")
    assert same(adapter_state(fresh.model), before)
    with pytest.raises(FileNotFoundError, match="no adapter at"):
        fresh.history.load(tmp_path / "nothing-here")


def _tiny_llama(hidden: int, layers: int):
    """A randomly initialised llama of a given shape: a real model unlike the policy's, built locally."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=1000, hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2)
    return LlamaForCausalLM(config)
