"""discovery@K estimators against hand-computed values, and bench reports from a hand-written attempts.jsonl."""

from __future__ import annotations

import itertools
import json
import math
import shutil

import numpy as np
import pytest
from rich.console import Console

from agent.report import discovery
from agent.report.summary import compare, plot_curves, render_table, report_main, summarize


# ---- pass@k -------------------------------------------------------------------------------------------------

def _pass_at_k_by_subsets(outcomes: list[bool], k: int) -> float:
    """The definition: the share of k-subsets of the samples that contain a pass."""
    subsets = list(itertools.combinations(outcomes, k))
    return sum(any(s) for s in subsets) / len(subsets)


def test_pass_at_k_known_values():
    assert discovery.pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert discovery.pass_at_k(10, 3, 10) == 1.0
    assert discovery.pass_at_k(10, 1, 10) == 1.0
    assert discovery.pass_at_k(10, 0, 5) == 0.0
    assert discovery.pass_at_k(5, 5, 1) == 1.0
    # 1 - C(7,2)/C(10,2) = 1 - 21/45
    assert discovery.pass_at_k(10, 3, 2) == pytest.approx(1 - 21 / 45)


@pytest.mark.parametrize("n", range(1, 8))
def test_pass_at_k_matches_enumerating_subsets(n):
    for c in range(n + 1):
        outcomes = [True] * c + [False] * (n - c)
        for k in range(1, n + 1):
            assert discovery.pass_at_k(n, c, k) == pytest.approx(_pass_at_k_by_subsets(outcomes, k), abs=1e-12)


def test_pass_at_k_is_stable_for_large_n():
    expected = 1 - math.comb(900, 50) / math.comb(1000, 50)
    assert discovery.pass_at_k(1000, 100, 50) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n,c,k,fragment", [(5, 2, 6, "k must lie in 1..n"), (5, 6, 1, "c must lie in 0..n"),
                                             (5, -1, 1, "c must lie"), (5, 2, 0, "k must lie"),
                                             (0, 0, 1, "at least one sample")])
def test_pass_at_k_rejects_bad_arguments(n, c, k, fragment):
    with pytest.raises(ValueError, match=fragment):
        discovery.pass_at_k(n, c, k)


def test_best_of_k_curve_is_pass_at_k_for_each_k():
    curve = discovery.best_of_k_curve(4, 1, 4)
    assert curve == pytest.approx([0.25, 0.5, 0.75, 1.0])
    with pytest.raises(ValueError, match="draw at least k samples"):
        discovery.best_of_k_curve(3, 1, 4)


# ---- empirical curves for sequential methods ----------------------------------------------------------------

def test_discovery_curve_on_hand_made_times():
    assert discovery.discovery_curve([1, 3, None, 2], 4) == pytest.approx([0.25, 0.5, 0.75, 0.75])
    # A time beyond the budget is not a discovery within it.
    assert discovery.discovery_curve([5, 1], 3) == pytest.approx([0.5, 0.5, 0.5])
    assert discovery.discovery_curve([None, None], 2) == pytest.approx([0.0, 0.0])


@pytest.mark.parametrize("times", [[0], [1.5], [True], ["2"]])
def test_discovery_curve_rejects_non_indices(times):
    with pytest.raises(ValueError, match="1-based attempt index"):
        discovery.discovery_curve(times, 3)


def test_discovery_curve_needs_runs_and_budget():
    with pytest.raises(ValueError, match="no runs"):
        discovery.discovery_curve([], 3)
    with pytest.raises(ValueError, match="K=0"):
        discovery.discovery_curve([1], 0)


def test_mean_curve_weighs_problems_equally():
    a = discovery.discovery_curve([1], 2)  # one seed
    b = discovery.discovery_curve([None, None, None, 2], 2)  # four seeds
    assert discovery.mean_curve([a, b]) == pytest.approx([0.5, 0.625])


def test_mean_attempts_to_first_success():
    assert discovery.mean_attempts_to_first_success([1, 3, None, 2]) == (2.0, 0.75)
    assert discovery.mean_attempts_to_first_success([1, 3, None, 2], K=2) == (1.5, 0.5)
    assert discovery.mean_attempts_to_first_success([None, None]) == (None, 0.0)


def test_mean_attempts_from_curves_agrees_with_runs_for_equal_seeds():
    per_problem = [[1, 3, None, 2], [None, 2, 2, None]]
    curves = [discovery.discovery_curve(t, 4) for t in per_problem]
    from_runs = discovery.mean_attempts_to_first_success([t for ts in per_problem for t in ts])
    assert discovery.mean_attempts_from_curves(curves) == pytest.approx(from_runs)
    # For independent samples: n=3, c=1 gives T uniform over 1..3 in a random order, mean 2.
    assert discovery.mean_attempts_from_curves([discovery.best_of_k_curve(3, 1, 3)]) == pytest.approx((2.0, 1.0))


# ---- bootstrap intervals -------------------------------------------------------------------------------------

def _sequential_problems(repeats: int) -> list[list[int | None]]:
    patterns = [[1, None, 3, 2], [2, None, None, 4], [None, 1, 3, None], [1, 2, None, 4]]
    return [p * repeats for p in patterns]


def test_bootstrap_interval_contains_the_point_estimate():
    K = 4
    per_problem = _sequential_problems(2)
    point = discovery.mean_curve([discovery.discovery_curve(t, K) for t in per_problem])
    low, high = discovery.bootstrap_ci(per_problem, K, level=0.9, n_boot=2000, seed=1)
    assert low.shape == high.shape == (K,)
    assert np.all(low <= point) and np.all(point <= high)
    assert np.all(low < high)
    assert np.all(np.diff(low) >= 0) and np.all(np.diff(high) >= 0)  # bands of a CDF do not go down


def test_bootstrap_interval_narrows_with_more_seeds():
    few = discovery.bootstrap_ci(_sequential_problems(1), 4, n_boot=2000, seed=0)
    many = discovery.bootstrap_ci(_sequential_problems(16), 4, n_boot=2000, seed=0)
    width_few, width_many = few[1] - few[0], many[1] - many[0]
    assert width_many.sum() < 0.8 * width_few.sum()


def test_bootstrap_is_reproducible_and_level_widens_it():
    per_problem = _sequential_problems(2)
    a = discovery.bootstrap_ci(per_problem, 4, seed=3)
    b = discovery.bootstrap_ci(per_problem, 4, seed=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    wide = discovery.bootstrap_ci(per_problem, 4, level=0.99, seed=3)
    assert (wide[1] - wide[0]).sum() > (a[1] - a[0]).sum()
    with pytest.raises(ValueError, match="level=1.5"):
        discovery.bootstrap_ci(per_problem, 4, level=1.5)


def test_bootstrap_best_of_k_contains_point_and_narrows_with_more_samples():
    K = 4
    def outcomes(repeats):
        return [[True, False, False, False] * repeats, [True, True, False, False] * repeats,
                [False] * 4 * repeats, [True, False, True, False] * repeats]
    few, many = outcomes(1), outcomes(8)
    point = discovery.mean_curve([discovery.best_of_k_curve(len(o), sum(o), K) for o in many])
    low, high = discovery.bootstrap_ci_best_of_k(many, K, seed=0)
    assert np.all(low <= point) and np.all(point <= high)
    low_few, high_few = discovery.bootstrap_ci_best_of_k(few, K, seed=0)
    assert (high - low).sum() < (high_few - low_few).sum()
    with pytest.raises(ValueError, match="needs at least K samples"):
        discovery.bootstrap_ci_best_of_k([[True, False]], K)


# ---- reports from attempts.jsonl -----------------------------------------------------------------------------

def _attempts() -> list[dict]:
    rows = []
    def run(method, problem, seed, outcomes):
        for i, ok in enumerate(outcomes, start=1):
            rows.append({"method": method, "problem": problem, "seed": seed, "attempt": i, "passed": ok,
                         "verdict": "pass" if ok else "wrong_answer"})
    run("sdpo", "p1", 0, [False, True])          # T = 2
    run("sdpo", "p1", 1, [False, False, False])  # never, complete (K attempts)
    run("sdpo", "p2", 0, [True])                 # T = 1
    run("sdpo", "p2", 1, [False])                # interrupted: incomplete
    run("multi-turn", "p1", 0, [False, False, False])
    run("multi-turn", "p1", 1, [False, False, True])
    run("multi-turn", "p2", 0, [False, True])
    run("multi-turn", "p2", 1, [True])
    run("best-of-k", "p1", 0, [False, True, False, False, False, False])  # K x R = 6 samples
    run("best-of-k", "p2", 0, [False] * 6)
    run("best-of-k", "p3", 0, [True])            # interrupted: incomplete
    run("best-of-k", "p4", 0, [True] * 4)        # K samples but not K x R: still incomplete
    return rows


@pytest.fixture
def bench_dir(tmp_path):
    d = tmp_path / "bench-a"
    d.mkdir()
    rows = _attempts()
    lines = [json.dumps(r) for r in rows]
    lines.insert(5, json.dumps(rows[4]))  # a resumed run wrote one attempt twice
    lines.append('{"method": "sdpo", "problem": "p2", "se')  # cut off by an interruption
    (d / "attempts.jsonl").write_text("\n".join(lines))
    config = {"budget": 3, "seeds": 2, "methods": ["sdpo", "multi-turn", "best-of-k"]}
    (d / "config.json").write_text(json.dumps(config))
    return d


def test_summary_by_hand(bench_dir):
    s = summarize(bench_dir, n_boot=500)
    assert s["K"] == 3 and s["K_source"] == "config.json" and s["best_of_k_samples"] == 6
    assert s["truncated_last_line"] == 1 and s["duplicates"] == 1
    sdpo, multi, best = s["methods"]["sdpo"], s["methods"]["multi-turn"], s["methods"]["best-of-k"]

    assert sdpo["estimator"] == "empirical"
    assert sdpo["per_problem"]["p1"]["times"] == [2, None]
    assert sdpo["per_problem"]["p2"]["times"] == [1]
    assert sdpo["discovery"] == pytest.approx([0.5, 0.75, 0.75])
    assert sdpo["mean_attempts"] == pytest.approx(1.5) and sdpo["solved_fraction"] == pytest.approx(2 / 3)
    assert sdpo["complete_runs"] == 3 and sdpo["incomplete_runs"] == 1
    assert sdpo["incomplete"] == [{"problem": "p2", "seed": 1, "attempts": 1}]

    assert multi["discovery"] == pytest.approx([0.25, 0.5, 0.75])
    assert multi["incomplete_runs"] == 0

    assert best["estimator"] == "pass@k"
    assert best["per_problem"]["p1"]["n"] == 6 and best["per_problem"]["p1"]["c"] == 1
    assert best["discovery"] == pytest.approx([1 / 12, 1 / 6, 1 / 4])  # p1: k/6, p2: 0
    # p1's T is uniform on 1..6; within K=3 its mean is 2 and P(T <= 3) = 1/2.
    assert best["mean_attempts"] == pytest.approx(2.0) and best["solved_fraction"] == pytest.approx(0.25)
    assert best["problems_without_complete_runs"] == ["p3", "p4"] and best["incomplete_runs"] == 2

    for m in (sdpo, multi, best):
        assert all(lo <= p <= hi for lo, p, hi in zip(m["low"], m["discovery"], m["high"]))
    written = json.loads((bench_dir / "summary.json").read_text())
    assert written["methods"]["sdpo"]["discovery"] == pytest.approx(sdpo["discovery"])


def test_budget_falls_back_to_largest_attempt(bench_dir):
    (bench_dir / "config.json").unlink()
    s = summarize(bench_dir, n_boot=100, write=False)
    assert s["K"] == 3 and s["K_source"] == "inferred"  # from the sequential runs, not best-of-k's 6 samples
    assert not (bench_dir / "summary.json").exists()
    # A smaller K than was run: attempt 3's discovery no longer counts, and runs longer than K are complete.
    s2 = summarize(bench_dir, budget=2, n_boot=100, write=False)
    assert s2["methods"]["multi-turn"]["discovery"] == pytest.approx([0.25, 0.5])


def test_bad_lines_name_the_line_and_the_fix(tmp_path):
    (tmp_path / "attempts.jsonl").write_text('{"method": "sdpo"}\n')
    with pytest.raises(ValueError, match=r"attempts.jsonl:1 lacks \['problem', 'seed', 'attempt', 'passed'\]"):
        summarize(tmp_path)
    (tmp_path / "attempts.jsonl").write_text('not json\n{"method": "sdpo"}\n')
    with pytest.raises(ValueError, match=r"attempts.jsonl:1 is not valid JSON.*repair or delete"):
        summarize(tmp_path)
    with pytest.raises(FileNotFoundError, match="autodidact bench"):
        summarize(tmp_path / "missing")


def test_table_lists_methods_and_notes_incomplete_runs(bench_dir):
    console = Console(record=True, width=200)
    console.print(render_table(summarize(bench_dir, n_boot=100, write=False)))
    text = console.export_text()
    for fragment in ("sdpo", "multi-turn", "best-of-k", "@1", "@3", "50.0", "75.0", "8.3",
                     "sdpo: 1 incomplete run(s) not counted"):
        assert fragment in text


def test_plot_is_a_png(bench_dir, tmp_path):
    path = plot_curves(summarize(bench_dir, n_boot=100, write=False), tmp_path / "plots" / "curves.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_report_compares_directories(bench_dir, tmp_path, capsys):
    other = tmp_path / "bench-b"
    shutil.copytree(bench_dir, other)
    merged = compare([str(bench_dir), str(other)], n_boot=100)
    assert {"bench-a:sdpo", "bench-b:sdpo", "bench-a:best-of-k"} <= set(merged["methods"])
    out = tmp_path / "out"
    assert report_main([str(bench_dir), str(other)], str(out)) == 0
    assert (out / "discovery_compare.png").read_bytes()[:4] == b"\x89PNG"
    assert set(json.loads((out / "comparison.json").read_text())["methods"]) == set(merged["methods"])
    assert "bench-b:multi-turn" in capsys.readouterr().out
    assert not (bench_dir / "summary.json").exists()  # comparing does not write into the runs


def test_report_of_one_directory_writes_there_and_keeps_the_bench_fields(bench_dir):
    (bench_dir / "summary.json").write_text(json.dumps({"time": {"generation": 0.7}, "K": 99}))
    assert report_main([str(bench_dir)], None) == 0
    assert (bench_dir / "discovery.png").is_file()
    written = json.loads((bench_dir / "summary.json").read_text())
    assert written["K"] == 3 and written["time"] == {"generation": 0.7}


def test_report_of_a_missing_directory_fails_clearly(tmp_path, capsys):
    assert report_main([str(tmp_path / "nope")], None) == 2
    assert "pass a directory written by `autodidact bench`" in capsys.readouterr().err
