"""End to end: `autodidact eval` and `run --eval` with the real embedded model and the real Docker sandbox, on a
tiny configuration: the JSON it prints, resuming from its progress file, a saved adapter, and the paired
before/after difference of a learning session."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lcb_rows import stdin_row, write_jsonl

pytestmark = [pytest.mark.slow, pytest.mark.docker]

AUTODIDACT = [sys.executable, "-m", "agent"]
TINY = ["--max-new-tokens", "32"]


def autodidact(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(AUTODIDACT + list(args), capture_output=True, text=True, timeout=timeout)


def test_eval_prints_pass_at_k_and_resumes_from_its_progress_file(tmp_path):
    progress = tmp_path / "eval.jsonl"
    args = ["eval", "starter", "--ids", "ad-001,ad-006", "-n", "2", "-k", "1,2", *TINY, "--json",
            "--out", str(progress)]
    r = autodidact(*args)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads(r.stdout)
    assert set(result["per_task"]) == {"ad-001", "ad-006"}
    assert all(cell["n"] == 2 and 0 <= cell["correct"] <= 2 for cell in result["per_task"].values())
    correct = sum(cell["correct"] for cell in result["per_task"].values())
    assert result["pass_at_1"] == pytest.approx(correct / 4)
    low, high = result["ci"]
    assert 0 <= low <= result["pass_at_1"] <= high <= 1
    assert set(result["pass_at_k"]) == {"1", "2"} and result["adapter"] is None
    lines = progress.read_text().splitlines()
    assert "settings" in json.loads(lines[0]) and len(lines) == 3

    first = tmp_path / "first.json"
    first.write_text(r.stdout)
    again = autodidact(*args, "--against", str(first))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "2 already done" in again.stderr
    repeated = json.loads(again.stdout)
    assert repeated["per_task"] == result["per_task"]
    assert len(progress.read_text().splitlines()) == 3  # nothing measured twice
    assert repeated["against"]["difference"] == 0 and repeated["against"]["ci"] == [0, 0]
    assert repeated["against"]["verdict"].startswith("no measurable change")


def test_run_with_eval_reports_the_paired_difference_and_eval_reads_its_adapter(tmp_path):
    held_out = write_jsonl(tmp_path / "held.jsonl", [stdin_row("h1"), stdin_row("h2")])
    out = tmp_path / "run"
    r = autodidact("run", "starter", "--ids", "ad-002", "-K", "2", "-B", "1", *TINY, "--temperature", "1.0",
                   "--eval", str(held_out), "--eval-samples", "2", "--out", str(out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    for key in ("eval_before", "eval_after"):
        assert set(summary[key]["per_task"]) == {"h1", "h2"}
        assert all(cell["n"] == 2 for cell in summary[key]["per_task"].values())
    change = summary["eval_change"]
    assert change["tasks"] == 2 and len(change["ci"]) == 2
    assert change["difference"] == pytest.approx(change["after"] - change["before"])
    assert change["verdict"].split(":")[0] in ("higher after", "lower after", "no measurable change")
    assert "held-out pass@1" in r.stdout and "difference" in r.stdout
    assert len((out / "eval-before.jsonl").read_text().splitlines()) == 2

    r = autodidact("eval", str(held_out), "--adapter", str(out), "-n", "2", *TINY, "--temperature", "1.0",
                   "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads(r.stdout)["adapter"] == str(out / "checkpoints" / "final")
