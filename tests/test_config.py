"""Configuration is validated when it is read: a typo or a bad value in flags, a TOML file or a JSON file stops
`run` and `bench` with exit code 2, the key and the value named, and nothing created on disk."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent.config import RunConfig


@pytest.mark.parametrize("data, named", [
    ({"sdpo": {"lr": -1}}, "lr=-1"),
    ({"sdpo": {"bogus": 3}}, "bogus = 3"),
    ({"sdpo": {"lr": "fast"}}, "sdpo.lr = 'fast'"),
    ({"sdpo": {"teacher": "ema"}}, "teacher='ema'"),
    ({"sdpo": {"distillation_weight": 1.5}}, "distillation_weight=1.5"),
    ({"lora": {"rank": 0}}, "rank=0"),
    ({"lora": {"rank": "16"}}, "lora.rank = '16'"),
    ({"lora": {"target_modules": "q_proj"}}, "lora.target_modules = 'q_proj'"),
    ({"sampling": {"temperature": -0.5}}, "temperature=-0.5"),
    ({"sampling": {"top_p": 0}}, "top_p=0"),
    ({"sampling": {"max_new_tokens": 0}}, "max_new_tokens=0"),
    ({"sampling": {"tempreature": 0.7}}, "tempreature = 0.7"),
    ({"sandbox": {"timeout": True}}, "sandbox.timeout = True"),
    ({"sandbox": {"backend": "podman"}}, "'podman'"),
    ({"budget": "8"}, "budget = '8'"),
    ({"methods": ["sdpo", "grpo"]}, "grpo"),
    ({"learn": "ppo"}, "ppo"),
    ({"sdpo": [1, 2]}, "sdpo"),
])
def test_bad_settings_are_refused_by_name(data, named) -> None:
    with pytest.raises(ValueError) as caught:
        RunConfig.from_dict(data)
    assert named in str(caught.value)


def test_good_settings_keep_their_values() -> None:
    cfg = RunConfig.from_dict({
        "sdpo": {"lr": 2e-5, "token_clip": None, "steps_per_update": 2}, "lora": {"rank": 8, "alpha": 16},
        "sampling": {"temperature": 1, "top_p": 0.9}, "sandbox": {"timeout": 3}, "learn": "sdpo-grpo",
    })
    assert cfg.sdpo_config("sdpo-grpo").lr == 2e-5 and cfg.sdpo_config("sdpo-grpo").token_clip is None
    assert cfg.lora_settings().rank == 8 and cfg.sampling.temperature == 1 and cfg.sandbox.timeout == 3
    assert RunConfig.from_dict(cfg.to_dict()) == cfg  # what config.json holds reads back the same


def cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("source", ["flags", "toml", "json"])
@pytest.mark.parametrize("command", ["run", "bench"])
def test_cli_refuses_a_bad_config_before_any_work(tmp_path, source: str, command: str) -> None:
    out = tmp_path / "out"
    if source == "flags":
        extra = ["--lr", "-1"]
        named = "lr=-1.0"
    elif source == "toml":
        (tmp_path / "c.toml").write_text("[sdpo]\nlr = 1e-4\nlearning_rate = 3e-4\n")
        extra = ["--config", str(tmp_path / "c.toml")]
        named = "learning_rate = 0.0003"
    else:
        (tmp_path / "c.json").write_text(json.dumps({"lora": {"rank": "sixteen"}}))
        extra = ["--config", str(tmp_path / "c.json")]
        named = "lora.rank = 'sixteen'"
    from pathlib import Path

    result = cli(command, "starter", "--out", str(out), *extra, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr and "--resume" not in result.stderr
    assert not out.exists()
