"""The vLLM engine (`--engine vllm`) with the real vLLM (its CPU build here, installed by `make test`'s setup),
against the hf engine on the same weights, in float32: the same greedy tokens for a fresh adapter, after real
SDPO updates and after undo; a new adapter version after every change; the engine's log-probs as the learner's
behaviour policy; and `autodidact run --engine vllm` interrupted and resumed.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import RunConfig
from agent.protocols import LearnerEpisode, SamplingConfig

HAVE_VLLM = importlib.util.find_spec("vllm") is not None
needs_vllm = pytest.mark.skipif(not HAVE_VLLM, reason="vLLM is not installed: `make test` installs its CPU build")
ROOT = Path(__file__).resolve().parent.parent
GREEDY = SamplingConfig(temperature=0, max_new_tokens=24)


def test_without_vllm_the_engine_is_refused_before_any_work(monkeypatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else real(name, *a))
    with pytest.raises(ValueError, match=r"vLLM is not installed: on a CUDA machine `pip install -e \.\[vllm\]`"):
        RunConfig.from_dict({"engine": {"name": "vllm"}})
    with pytest.raises(ValueError, match="kv_cache_gib"):
        RunConfig.from_dict({"engine": {"name": "vllm", "options": {"kv_cache_gib": 0}}})


@pytest.fixture(scope="module")
def pair():
    """(the trainable hf model, the vLLM engine following it, an SDPO learner on it), float32 on the CPU."""
    if not HAVE_VLLM:
        pytest.skip("vLLM is not installed: `make test` installs its CPU build")
    from agent import registry

    trainable = registry.load_trainable("smollm2-135m", device="cpu", dtype="fp32")
    engine = registry.open_engine("vllm", trainable, {})
    learner = registry.make_learner("sdpo", trainable, {"lr": 3e-3, "measure_after": False})
    yield trainable, engine, learner
    engine.close()


def messages():
    from agent.episode.prompts import problem_messages
    from tasks.loaders import load_taskset

    return problem_messages(load_taskset("starter", ids=["ad-001"])[0])


def episode(trainable, ids=None, **more) -> LearnerEpisode:
    m = messages()
    ids = ids if ids is not None else trainable.generate(m, 1, GREEDY)[0].ids
    return LearnerEpisode(prompt=m[1]["content"], system=m[0]["content"], response_ids=ids,
                          feedback="Test Case 1: Wrong Answer\nInput:\n3 4\nOutput:\n-1\nExpected:\n7", **more)


@pytest.mark.slow
@needs_vllm
def test_greedy_tokens_equal_the_hf_engines_through_updates_and_undo(pair) -> None:
    trainable, engine, learner = pair
    learner.reset()
    fresh = engine.generate(messages(), 1, GREEDY)[0]
    assert fresh.ids == trainable.generate(messages(), 1, GREEDY)[0].ids and engine.version == 0
    learner.update([episode(trainable)])
    learner.update([episode(trainable)])
    updated = engine.generate(messages(), 1, GREEDY)[0]
    assert engine.version == trainable.history.version == 2
    assert updated.ids != fresh.ids  # the next generation comes from the new version
    assert updated.ids == trainable.generate(messages(), 1, GREEDY)[0].ids
    learner.undo()
    learner.undo()
    assert engine.generate(messages(), 1, GREEDY)[0].ids == fresh.ids  # back to the earlier outputs exactly
    assert engine.version == 4  # undo is a change too: a new version, never a reused one
    assert [p.name for p in engine.adapter_dir.iterdir()] == ["v4"]  # older versions unloaded and removed
    learner.reset()
    assert engine.version == 0 and not list(engine.adapter_dir.iterdir())


@pytest.mark.slow
@needs_vllm
def test_sampling_means_what_it_means_in_the_hf_engine(pair) -> None:
    trainable, engine, learner = pair
    learner.reset()
    hi = [{"role": "user", "content": "Say hi."}]
    short = SamplingConfig(temperature=0, max_new_tokens=40)
    vllm_answer, hf_answer = engine.generate(hi, 1, short)[0], trainable.generate(hi, 1, short)[0]
    assert vllm_answer.ids == hf_answer.ids and vllm_answer.ids[-1] in trainable.stop_ids  # end of turn kept
    assert vllm_answer.finish_reason == hf_answer.finish_reason == "stop"
    assert vllm_answer.text == hf_answer.text
    seeded = SamplingConfig(temperature=0.7, top_p=0.95, max_new_tokens=12, seed=5)
    first, again = engine.generate(messages(), 2, seeded), engine.generate(messages(), 2, seeded)
    assert [g.ids for g in first] == [g.ids for g in again] and all(g.finish_reason == "length" for g in first)
    assert all(len(g.logprobs) == len(g.ids) for g in first)


@pytest.mark.slow
@needs_vllm
def test_engine_logprobs_are_the_behaviour_policy_and_agree_in_float32(pair) -> None:
    trainable, engine, learner = pair
    learner.reset()
    sampled = engine.generate(messages(), 1, SamplingConfig(temperature=0.7, top_p=1.0, max_new_tokens=24, seed=1))[0]
    stats = learner.update([episode(trainable, sampled.ids, behaviour_logprobs=sampled.logprobs, temperature=0.7)])
    assert stats.sampler_mismatch is not None and stats.sampler_mismatch < 1e-3
    learner.reset()


@pytest.mark.slow
@pytest.mark.docker
@needs_vllm
def test_run_with_the_vllm_engine_is_interrupted_and_resumes(tmp_path) -> None:
    from test_run_e2e import interrupt_after

    out = tmp_path / "run"
    interrupt_after(["run", "starter", "--ids", "ad-002,ad-003", "-K", "2", "--engine", "vllm", "--dtype", "fp32",
                     "--max-new-tokens", "24", "--out", str(out)], out, attempts=1, wait=400, cwd=ROOT)
    before = [json.loads(x) for x in (out / "attempts.jsonl").read_text().splitlines()]
    done = subprocess.run([sys.executable, "-m", "agent", "run", "--resume", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    after = [json.loads(x) for x in (out / "attempts.jsonl").read_text().splitlines()]
    keys = [(a["problem"], a["attempt"]) for a in after]
    assert len(keys) == len(set(keys)) and after[: len(before)] == before  # nothing lost or repeated
    assert {a["problem"] for a in after} == {"ad-002", "ad-003"}
    updates = [json.loads(x) for x in (out / "updates.jsonl").read_text().splitlines()]
    learned = [u for u in updates if not u["skipped"]]
    assert learned and all(u["sampler_mismatch"] is not None and u["sampler_mismatch"] < 0.1 for u in learned)
    assert all(u["version"] is not None for u in learned)
    assert json.loads((out / "config.json").read_text())["engine"]["name"] == "vllm"


@pytest.mark.slow
@needs_vllm
def test_streaming_joins_to_the_answer_and_stops_when_asked(pair) -> None:
    import threading

    trainable, engine, learner = pair
    learner.reset()
    pieces = list(engine.stream(messages(), GREEDY))
    assert len(pieces) > 1 and "".join(pieces) == engine.last_generation.text
    assert engine.last_generation.ids == engine.generate(messages(), 1, GREEDY)[0].ids
    stop = threading.Event()
    for _ in engine.stream(messages(), SamplingConfig(temperature=0, max_new_tokens=200), stop_event=stop):
        stop.set()
    assert engine.last_generation.finish_reason == "interrupted" and len(engine.last_generation.ids) < 200
    assert engine.generate(messages(), 1, GREEDY)[0].text == "".join(pieces)  # the aborted request left nothing behind
