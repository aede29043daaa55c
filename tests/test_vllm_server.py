"""vLLM in server mode (`--engine vllm-server`) with the real vLLM OpenAI server (its CPU build) on loopback,
started by the engine: the hf engine's greedy tokens through real SDPO updates and undo, each version loaded at
runtime under a new name and the old one unloaded; a second engine given the server by URL; streaming with
cancellation; bad options; and a server that dies mid-run named as such.
"""

from __future__ import annotations

import importlib.util
import threading

import httpx
import pytest

from agent.config import RunConfig
from agent.protocols import SamplingConfig
from test_vllm_engine import GREEDY, episode, messages

HAVE_VLLM = importlib.util.find_spec("vllm") is not None
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not HAVE_VLLM, reason="vLLM is not installed: `make test` installs its CPU build")]


def test_options_are_checked_when_the_configuration_is_read(monkeypatch) -> None:
    with pytest.raises(ValueError, match="http://HOST:PORT"):
        RunConfig.from_dict({"engine": {"name": "vllm-server", "options": {"url": "localhost:8000"}}})
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else real(name, *a))
    with pytest.raises(ValueError, match="starts a vLLM server here: vLLM is not installed"):
        RunConfig.from_dict({"engine": {"name": "vllm-server"}})
    # a server given by URL needs no vLLM here
    RunConfig.from_dict({"engine": {"name": "vllm-server", "options": {"url": "http://127.0.0.1:9"}}})


@pytest.fixture(scope="module")
def served():
    """(the trainable hf model, the server-mode engine that started a server and follows it, an SDPO learner)."""
    from agent import registry

    trainable = registry.load_trainable("smollm2-135m", device="cpu", dtype="fp32")
    engine = registry.open_engine("vllm-server", trainable, {})
    learner = registry.make_learner("sdpo", trainable, {"lr": 3e-3, "measure_after": False})
    yield trainable, engine, learner
    engine.close()
    assert engine.process is None


def loaded(engine) -> list[str]:
    cards = engine.http.get("/v1/models").json()["data"]
    return sorted(card["id"].removeprefix(f"{engine._tag}-") for card in cards if card.get("parent"))


def test_the_server_serves_the_hf_engines_tokens_through_updates_and_undo(served) -> None:
    trainable, engine, learner = served
    learner.reset()
    assert engine.url.startswith("http://127.0.0.1:")  # a started server binds loopback only
    assert httpx.get(f"{engine.url}/v1/models").status_code == 401  # and has a key
    fresh = engine.generate(messages(), 1, GREEDY)[0]
    assert fresh.ids == trainable.generate(messages(), 1, GREEDY)[0].ids and loaded(engine) == []
    learner.update([episode(trainable)])
    learner.update([episode(trainable)])
    updated = engine.generate(messages(), 1, GREEDY)[0]
    assert engine.version == 2 and loaded(engine) == ["v2"]  # loaded at runtime; v1 unloaded
    assert updated.ids != fresh.ids and updated.ids == trainable.generate(messages(), 1, GREEDY)[0].ids
    learner.undo()
    learner.undo()
    assert engine.generate(messages(), 1, GREEDY)[0].ids == fresh.ids
    assert loaded(engine) == ["v4"]  # undo is a new version too, never a reused name
    learner.reset()
    assert engine.version == 0 and loaded(engine) == []


def test_sampling_seed_and_logprobs_as_in_process(served) -> None:
    trainable, engine, learner = served
    seeded = SamplingConfig(temperature=0.7, top_p=0.95, max_new_tokens=12, seed=5)
    first, again = engine.generate(messages(), 2, seeded), engine.generate(messages(), 2, seeded)
    assert [g.ids for g in first] == [g.ids for g in again] and all(g.finish_reason == "length" for g in first)
    assert all(len(g.logprobs) == len(g.ids) for g in first)
    greedy = engine.generate(messages(), 3, GREEDY)  # the server refuses n > 1 greedy: asked once, repeated
    assert len(greedy) == 3 and greedy[0].ids == greedy[2].ids
    sampled = engine.generate(messages(), 1, SamplingConfig(temperature=0.7, top_p=1.0, max_new_tokens=24, seed=1))[0]
    stats = learner.update([episode(trainable, sampled.ids, behaviour_logprobs=sampled.logprobs, temperature=0.7)])
    assert stats.sampler_mismatch is not None and stats.sampler_mismatch < 1e-3
    learner.reset()


def test_streaming_joins_to_the_answer_and_stops_when_asked(served) -> None:
    trainable, engine, _ = served
    pieces = list(engine.stream(messages(), GREEDY))
    assert len(pieces) > 1 and "".join(pieces) == engine.last_generation.text
    assert engine.last_generation.ids == engine.generate(messages(), 1, GREEDY)[0].ids
    stop = threading.Event()
    got = []
    for piece in engine.stream(messages(), SamplingConfig(temperature=0, max_new_tokens=200), stop_event=stop):
        got.append(piece)
        stop.set()
    assert engine.last_generation.finish_reason == "interrupted" and len(engine.last_generation.ids) < 200


def test_a_server_given_by_url_and_its_key(served) -> None:
    from agent import registry

    trainable, engine, learner = served
    key = engine.http.headers["Authorization"].removeprefix("Bearer ")
    with pytest.raises(Exception, match="401"):
        registry.open_engine("vllm-server", trainable, {"url": engine.url, "api_key": "wrong"})
    remote = registry.open_engine("vllm-server", trainable, {"url": engine.url, "api_key": key})
    try:
        assert remote.process is None
        learner.update([episode(trainable)])  # both engines follow: each loads v1 under its own directory
        assert remote.generate(messages(), 1, GREEDY)[0].ids == trainable.generate(messages(), 1, GREEDY)[0].ids
    finally:
        remote.close()
        learner.reset()


def test_a_server_that_dies_is_named_with_what_to_do(served) -> None:
    from agent.generation.vllm_server import ServerError

    _, engine, _ = served
    engine.process.kill()
    engine.process.wait()
    with pytest.raises(ServerError, match="stopped answering .*exited with code"):
        engine.generate(messages(), 1, GREEDY)
