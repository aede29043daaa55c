"""The seams: names and dotted paths resolve to implementations, an engine from outside the project plugs into
`autodidact run` through a dotted path alone, and every change of the weights is announced with a new version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent import registry
from agent.config import RunConfig
from agent.episode.rundir import RunDir

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kind, name, expected", [
    ("engine", "hf", "HFPolicy"),
    ("learner", "sdpo", "SDPOLearner"),
    ("learner", "sdpo-grpo", "BlendLearner"),
    ("sandbox", "local", "LocalSandbox"),
    ("learner", "agent.learn.sdpo:SDPOLearner", "SDPOLearner"),
    ("learner", "agent.learn.sdpo.BlendLearner", "BlendLearner"),
])
def test_names_and_dotted_paths_resolve(kind, name, expected) -> None:
    assert registry.resolve(kind, name).__name__ == expected


@pytest.mark.parametrize("kind, name, message", [
    ("engine", "vllm-typo", "choose one of hf"),
    ("learner", "no.such.module:Thing", "cannot import no.such.module"),
    ("learner", "agent.learn.sdpo:Missing", "has no Missing"),
])
def test_unknown_implementations_are_named(kind, name, message) -> None:
    with pytest.raises(ValueError, match=message):
        registry.resolve(kind, name)


def test_every_registered_part_has_what_its_kind_needs() -> None:
    for name in registry.names("engine"):
        engine = registry.resolve("engine", name)
        assert callable(engine.open) and hasattr(engine, "Options")
    for name in registry.names("learner"):
        learner = registry.resolve("learner", name)
        assert callable(learner.settings) and all(callable(getattr(learner, m)) for m in
                                                  ("update", "undo", "reset", "save", "load"))
    for name in registry.names("sandbox"):
        sandbox = registry.resolve("sandbox", name)
        assert all(callable(getattr(sandbox, m)) for m in ("grade", "close", "__enter__", "__exit__"))


def test_engine_options_are_validated_when_the_config_is_read(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "tests"))
    cfg = RunConfig.from_dict({"engine": {"name": "engine_plugin:ReplayEngine", "options": {"answer": "x"}}})
    assert cfg.engine.settings().answer == "x"
    with pytest.raises(ValueError, match="engine.options: unknown setting"):
        RunConfig.from_dict({"engine": {"name": "engine_plugin:ReplayEngine", "options": {"answr": "x"}}})
    with pytest.raises(ValueError, match="engine.options: unknown setting"):
        RunConfig.from_dict({"engine": {"options": {"gpu_memory_utilization": 0.3}}})  # hf has no options


def test_a_run_directory_from_before_a_setting_existed_still_resumes(tmp_path) -> None:
    current = RunConfig().to_dict()
    older = {k: v for k, v in current.items() if k != "engine"}  # config.json written before `engine` existed
    RunDir.create(tmp_path / "run", older)
    RunDir.resume(tmp_path / "run", current, defaults=RunConfig().to_dict())


@pytest.mark.slow
def test_weights_changed_is_announced_with_versions_never_reused(tmp_path) -> None:
    from test_sdpo import failed_episode

    trainable = registry.load_trainable("smollm2-135m", device="cpu")
    learner = registry.make_learner("sdpo", trainable, {"measure_after": False})
    events = []
    trainable.history.subscribe(events.append)
    stats = learner.update([failed_episode(trainable)])
    learner.update([failed_episode(trainable, feedback=None)])  # no signal: no step, no announcement
    learner.save(str(tmp_path / "a"))
    learner.update([failed_episode(trainable)])
    assert learner.undo()
    learner.load(str(tmp_path / "a"))
    learner.reset()
    seen = [(e.version, e.reason) for e in events]
    assert seen == [(1, "update"), (2, "update"), (3, "undo"), (4, "load"), (0, "reset")]
    assert stats.version == 1 and trainable.history.version == 0


@pytest.mark.slow
@pytest.mark.docker
def test_an_engine_from_outside_plugs_into_run_by_dotted_path(tmp_path) -> None:
    out = tmp_path / "run"
    config = tmp_path / "engine.toml"
    config.write_text('[engine]\nname = "engine_plugin:ReplayEngine"\n[engine.options]\n'
                      'answer = "```python\\na, b = map(int, input().split())\\nprint(a + b)\\n```"\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "agent", "run", "starter", "--ids", "ad-001", "-K", "2",
                           "--config", str(config), "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    attempts = [json.loads(x) for x in (out / "attempts.jsonl").read_text().splitlines()]
    assert [a["verdict"] for a in attempts] == ["pass"]  # the plugin's answer, graded by the real sandbox
    saved = json.loads((out / "config.json").read_text())
    assert saved["engine"]["name"] == "engine_plugin:ReplayEngine" and saved["learn"] == "sdpo"
