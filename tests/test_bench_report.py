"""Bench reports across problems: the paired comparison against best-of-k, and shards pooled into one bench."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from agent.report.summary import render_table, report_main, summarize, summarize_shards


def _write(d, rows, budget=3, seeds=2, **config):
    d.mkdir(parents=True)
    (d / "attempts.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (d / "config.json").write_text(json.dumps({"budget": budget, "seeds": seeds,
                                               "methods": ["sdpo", "best-of-k"], **config}))
    return d


def _run(method, problem, seed, outcomes):
    return [{"method": method, "problem": problem, "seed": seed, "attempt": i, "passed": ok}
            for i, ok in enumerate(outcomes, start=1)]


def _p1():
    # best-of-k: 1 pass in 6 samples, so pass@3 = 1 - C(5,3)/C(6,3) = 1/2; sdpo: T = 2 and never, so 1/2.
    return (_run("best-of-k", "p1", 0, [False, True, False, False, False, False])
            + _run("sdpo", "p1", 0, [False, True]) + _run("sdpo", "p1", 1, [False, False, False]))


def _p2():
    # best-of-k: no pass in 6, so 0; sdpo: T = 1 and T = 3, so 1.
    return (_run("best-of-k", "p2", 0, [False] * 6)
            + _run("sdpo", "p2", 0, [True]) + _run("sdpo", "p2", 1, [False, False, True]))


def test_paired_difference_by_hand(tmp_path):
    s = summarize(_write(tmp_path / "b", _p1() + _p2()), n_boot=500, write=False)
    d = s["paired"]["sdpo"]
    # Per-problem differences at K = 3: p1 1/2 - 1/2 = 0, p2 1 - 0 = 1; their mean is 1/2.
    assert d["against"] == "best-of-k" and d["k"] == 3 and d["problems"] == 2
    assert d["difference"] == pytest.approx(0.5)
    assert (d["better"], d["worse"]) == (1, 0)
    # Resampling two problems gives means 0, 1/2, 1 with chances 1/4, 1/2, 1/4: the 90% band is [0, 1].
    assert d["ci"] == pytest.approx([0.0, 1.0])
    assert d["verdict"] == "contains zero"
    assert "best-of-k" not in s["paired"]

    console = Console(record=True, width=250)
    console.print(render_table(s))
    assert "sdpo - best-of-k at @3, paired over 2 problems: +50.0 (90% CI +0.0 to +100.0" in console.export_text()


def test_paired_needs_the_reference_and_common_problems(tmp_path):
    only_sdpo = [r for r in _p1() if r["method"] == "sdpo"]
    assert summarize(_write(tmp_path / "a", only_sdpo), n_boot=100, write=False)["paired"] == {}
    # best-of-k on p2 only, sdpo on p1 only: nothing to pair.
    rows = only_sdpo + [r for r in _p2() if r["method"] == "best-of-k"]
    assert summarize(_write(tmp_path / "b", rows), n_boot=100, write=False)["paired"] == {}


def test_shards_pool_to_the_summary_of_one_bench(tmp_path):
    whole = summarize(_write(tmp_path / "whole", _p1() + _p2()), n_boot=500, write=False)
    a, b = _write(tmp_path / "a", _p1(), ids="p1"), _write(tmp_path / "b", _p2(), ids="p2")
    pooled = summarize_shards([str(a), str(b)], n_boot=500)
    assert pooled["dirs"] == [str(a), str(b)]
    for name in ("sdpo", "best-of-k"):
        assert pooled["methods"][name]["discovery"] == pytest.approx(whole["methods"][name]["discovery"])
        assert pooled["methods"][name]["low"] == pytest.approx(whole["methods"][name]["low"])
    assert pooled["paired"]["sdpo"]["difference"] == pytest.approx(0.5)

    assert report_main([str(a), str(b)], str(tmp_path / "out"), shards=True) == 0
    assert json.loads((tmp_path / "out" / "shards.json").read_text())["paired"]["sdpo"]["problems"] == 2
    assert (tmp_path / "out" / "discovery_shards.png").read_bytes()[:4] == b"\x89PNG"


def test_shards_must_be_disjoint_and_alike(tmp_path, capsys):
    a = _write(tmp_path / "a", _p1())
    overlap = _write(tmp_path / "b", _p1() + _p2())
    with pytest.raises(ValueError, match="best-of-k on p1 is in both .*a and .*b: shards must hold disjoint problems"):
        summarize_shards([str(a), str(overlap)])
    other = _write(tmp_path / "c", _p2(), budget=4)
    with pytest.raises(ValueError, match=r"other settings than .*a \(budget\)"):
        summarize_shards([str(a), str(other)])
    with pytest.raises(ValueError, match="at least two shard directories"):
        summarize_shards([str(a)])
    assert report_main([str(a), str(overlap)], None, shards=True) == 2
    assert "disjoint problems" in capsys.readouterr().err


def test_the_command_line_takes_shard_dirs_after_the_flag(tmp_path, monkeypatch):
    from agent.cli import main

    a, b = _write(tmp_path / "a", _p1(), ids="p1"), _write(tmp_path / "b", _p2(), ids="p2")
    monkeypatch.chdir(tmp_path / "a")  # the report must not land in the current directory
    assert main(["bench", "report", "--shards", str(a), str(b)]) == 0
    assert json.loads((tmp_path / "shards.json").read_text())["paired"]["sdpo"]["problems"] == 2
    assert main(["bench", "report", str(a), "--shards", str(b), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "discovery_shards.png").is_file()
    assert not (tmp_path / "a" / "shards.json").exists()
    with pytest.raises(SystemExit):
        main(["bench", "report", "--shards", str(a), str(b), "--bogus"])
