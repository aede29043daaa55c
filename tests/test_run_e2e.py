"""End to end: `autodidact run` and `autodidact bench` with the real embedded model and the real Docker sandbox,
on a tiny configuration; interrupting a run with a real SIGINT and resuming it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.docker]

AUTODIDACT = [sys.executable, "-m", "agent"]
TINY = ["--max-new-tokens", "48", "--temperature", "1.0"]


def autodidact(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(AUTODIDACT + list(args), capture_output=True, text=True, timeout=timeout)


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def project_containers() -> list[str]:
    from sandbox.config import LABEL

    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={LABEL}"], capture_output=True, text=True)
    return out.stdout.split()


def adapter_b_norm(adapter_dir: Path) -> float:
    from safetensors.torch import load_file

    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    return sum(float(t.abs().sum()) for name, t in weights.items() if "lora_B" in name)


def test_run_learns_and_records_everything(tmp_path):
    out = tmp_path / "run"
    r = autodidact("run", "starter", "--ids", "ad-002,ad-003", "-K", "2", "-B", "1", *TINY, "--out", str(out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    attempts = lines(out / "attempts.jsonl")
    updates = lines(out / "updates.jsonl")
    summary = json.loads((out / "summary.json").read_text())
    assert {a["problem"] for a in attempts} == {"ad-002", "ad-003"}
    assert all(a["tokens"] > 0 and a["verdict"] for a in attempts)
    assert len(updates) == len(attempts)  # B=1: one update per episode
    learned = [u for u in updates if not u["skipped"]]
    assert learned and all(u["grad_norm"] > 0 and u["tokens"] > 0 for u in learned)
    # the adapter starts at B = 0 (the base model); after the session it has moved
    assert adapter_b_norm(out / "checkpoints" / "final") > 0
    assert set(summary["per_problem"]) == {"ad-002", "ad-003"}
    assert json.loads((out / "config.json").read_text())["budget"] == 2
    assert "solved at attempt" in r.stdout
    assert not project_containers()


def interrupt_after(args: list[str], out: Path, attempts: int, *, wait: float = 300, cwd=None) -> str:
    """Start `autodidact ARGS`, press Ctrl-C once `attempts` attempts are committed in `out`; its output.
    Asserts that it stopped as an interrupted run does (exit 130)."""
    proc = subprocess.Popen(AUTODIDACT + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + wait
    while time.time() < deadline and proc.poll() is None:
        state = out / "state.json"
        if state.exists() and json.loads(state.read_text()).get("lines", {}).get("attempts.jsonl", 0) >= attempts:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=180)
    assert proc.returncode == 130, output[-3000:]
    return output


def test_interrupted_run_resumes_without_losing_or_repeating(tmp_path):
    out = tmp_path / "run"
    output = interrupt_after(["run", "starter", "--ids", "ad-001,ad-004,ad-010", "-K", "2", *TINY, "--out", str(out)],
                             out, attempts=2)
    assert "--resume" in output
    assert not project_containers()
    before = lines(out / "attempts.jsonl")

    r = autodidact("run", "--resume", str(out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    after = lines(out / "attempts.jsonl")
    keys = [(a["problem"], a["attempt"]) for a in after]
    assert len(keys) == len(set(keys)), "an attempt was repeated"
    committed = json.loads((out / "state.json").read_text())
    assert after[: len(before)] == before[: len(after[: len(before)])]
    for problem in ("ad-001", "ad-004", "ad-010"):
        mine = [a for a in after if a["problem"] == problem]
        assert [a["attempt"] for a in mine] == list(range(1, len(mine) + 1)), f"{problem}: attempts lost"
        solved = committed["done"][f"sdpo|{problem}|0"]["solved_at"]
        assert len(mine) == (solved or 2)
    assert set(json.loads((out / "summary.json").read_text())["per_problem"]) == {"ad-001", "ad-004", "ad-010"}


def test_resume_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(json.dumps({"budget": 2}))
    r = autodidact("run", "--resume", str(out), "-K", "5")
    assert r.returncode == 2 and "different configuration" in r.stderr


def test_bad_input_is_refused_before_any_work(tmp_path):
    r = autodidact("run", "starter", "--ids", "ad-999", "--out", str(tmp_path / "a"))
    assert r.returncode == 2 and "ad-999" in r.stderr
    r = autodidact("run", "starter", "-K", "2", "-B", "4", "--out", str(tmp_path / "b"))
    assert r.returncode == 2 and "exceeds the budget" in r.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = autodidact("run", str(empty), "--out", str(tmp_path / "c"))
    assert r.returncode == 2 and "no tasks" in r.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()


def test_bench_compares_three_methods(tmp_path):
    out = tmp_path / "bench"
    r = autodidact("bench", "starter", "--ids", "ad-001", "-K", "2", "-R", "1", *TINY, "--out", str(out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    attempts = lines(out / "attempts.jsonl")
    assert {a["method"] for a in attempts} == {"best-of-k", "multi-turn", "sdpo"} == set(summary["methods"])
    assert (out / "discovery.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shares = summary["time"]
    assert abs(shares["generation"] + shares["grading"] + shares["update"] + shares["other"] - 1) < 0.01
    r = autodidact("bench", "report", str(out))
    assert r.returncode == 0 and "sdpo" in r.stdout


def test_bench_runs_the_blend_with_its_own_learner(tmp_path):
    out = tmp_path / "bench"
    r = autodidact("bench", "starter", "--ids", "ad-002", "--methods", "sdpo-grpo", "-K", "2", "-B", "2", "-R", "1",
                   *TINY, "--out", str(out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    attempts = lines(out / "attempts.jsonl")
    (update,) = lines(out / "updates.jsonl")
    assert [a["method"] for a in attempts] == ["sdpo-grpo"] * 2 and update["method"] == "sdpo-grpo"
    assert all(0.0 <= a["reward"] <= 1.0 for a in attempts)
    assert len(update["advantages"]) == 2  # a batch of two: the group the advantages are normalised in
    if attempts[0]["reward"] != attempts[1]["reward"]:
        assert update["advantages"][0] == -update["advantages"][1] != 0
    else:
        assert update["advantages"] == [0.0, 0.0]
    assert json.loads((out / "config.json").read_text())["methods"] == ["sdpo-grpo"]
