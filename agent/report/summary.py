"""Bench reports: read a bench directory's attempts, estimate discovery@k per method, print, plot, compare.

Input: `attempts.jsonl` in the bench directory, one JSON object per attempt with at least
{"method", "problem", "seed", "attempt", "passed"}; `attempt` is the 1-based index of the generation within
its run, a run being one (method, problem, seed). The budget K comes from the caller, else from the
directory's `config.json` (the run configuration's integer "budget"), else the largest attempt index seen.

Which estimator: a method whose name starts with "best-of-k" drew independent samples, so its samples of a
problem are pooled over seeds and scored with the unbiased pass@k estimator; such a run must record all K
samples (it does not stop at its first pass). Every other method is sequential: one discovery time per
seed, empirical CDF over seeds (see agent/report/discovery.py for why).

Interrupted benches: only complete runs count. A sequential run is complete when its attempts 1..m are all
present and either one of them passed or m >= K; a best-of-k run when it holds all its samples: budget x
seeds from config.json when both are there (the bench draws K * R samples as one run), else K. The rest
are listed as incomplete. A line cut off by an interruption (the last line) is skipped; a repeated attempt
(a resumed run) keeps its last record.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from agent.report import discovery

ATTEMPTS_FILE = "attempts.jsonl"
SUMMARY_FILE = "summary.json"
CONFIG_FILE = "config.json"
PLOT_FILE = "discovery.png"
REQUIRED_FIELDS = ("method", "problem", "seed", "attempt", "passed")
INDEPENDENT_PREFIX = "best-of-k"
# Settings that shards of one bench must share (they may differ in the problems they ran, and in the engine
# and sandbox, which change how fast, not what, a bench computes).
SHARD_KEYS = ("model", "dtype", "budget", "batch", "visible", "seed", "seeds", "methods", "sampling", "lora", "sdpo")


def estimator_for(method: str) -> str:
    """'pass@k' for independent sampling (names starting with 'best-of-k'), else 'empirical'."""
    return "pass@k" if method.startswith(INDEPENDENT_PREFIX) else "empirical"


def read_log(path: str | Path) -> tuple[list[tuple[int, dict]], bool]:
    """(line number, record) for each record of a JSONL log, and whether a last line cut short was left out.

    An interrupted write (a bench still running, or killed mid-line) leaves at most the final line cut short;
    a bad line anywhere else is an error that names the line.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    records, truncated = [], False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as e:
            if number == len(lines):
                truncated = True
                continue
            raise ValueError(f"{path}:{number} is not valid JSON ({e}): repair or delete that line") from e
    return records, truncated


def read_attempts(bench_dir: str | Path) -> tuple[list[dict], dict[str, int]]:
    """The attempt records of a bench directory (deduplicated) and counts of what was skipped."""
    path = Path(bench_dir) / ATTEMPTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: pass a directory written by `autodidact bench`")
    records, truncated = read_log(path)
    latest: dict[tuple, dict] = {}
    skipped = {"truncated_last_line": int(truncated), "duplicates": 0}
    for number, record in records:
        missing = [f for f in REQUIRED_FIELDS if f not in record]
        if missing:
            raise ValueError(f"{path}:{number} lacks {missing}: every attempt needs fields {list(REQUIRED_FIELDS)}")
        if not isinstance(record["attempt"], int) or record["attempt"] < 1:
            raise ValueError(f"{path}:{number} has attempt={record['attempt']!r}: attempts are 1-based integers")
        key = (record["method"], str(record["problem"]), record["seed"], record["attempt"])
        skipped["duplicates"] += key in latest
        latest[key] = record
    return list(latest.values()), skipped


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def resolve_budget(bench_dir: str | Path, records: list[dict], budget: int | None) -> tuple[int, str, int]:
    """(K, where K came from, samples a complete best-of-k run holds).

    K is the argument, else config.json's "budget", else the largest attempt index. A best-of-k run holds
    config budget x seeds samples when config.json gives both, else K (never fewer than K).
    """
    config_path = Path(bench_dir) / CONFIG_FILE
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    run_budget, seeds = _positive_int(config.get("budget")), _positive_int(config.get("seeds"))
    if budget is not None:
        if budget < 1:
            raise ValueError(f"budget K={budget} must be at least 1")
        K, source = budget, "argument"
    elif run_budget is not None:
        K, source = run_budget, CONFIG_FILE
    elif records:
        # Best-of-k runs may hold K x R samples; sequential runs show K itself when one ran out its budget.
        sequential = [r["attempt"] for r in records if estimator_for(r["method"]) == "empirical"]
        K, source = max(sequential or [r["attempt"] for r in records]), "inferred"
    else:
        raise ValueError(f"{bench_dir} has no attempts and no budget in {CONFIG_FILE}: pass the budget K or "
                         "run the bench first")
    samples = run_budget * seeds if run_budget is not None and seeds is not None else K
    return K, source, max(K, samples)


def _runs(records: list[dict]) -> dict[str, dict[str, dict[Any, dict[int, bool]]]]:
    """method -> problem -> seed -> {attempt index: passed}."""
    runs: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for r in records:
        runs[r["method"]][str(r["problem"])][r["seed"]][r["attempt"]] = bool(r["passed"])
    return runs


def _sequential_run(attempts: dict[int, bool], K: int) -> tuple[bool, int | None, int]:
    """(complete, discovery time or None, attempts in the contiguous prefix) of one sequential run."""
    m = 0
    while m + 1 in attempts:
        m += 1
    first = next((j for j in range(1, m + 1) if attempts[j]), None)
    complete = first is not None or m >= K
    return complete, (first if first is not None and first <= K else None), m


def _summarize_method(
    method: str, problems: dict, K: int, samples: int, level: float, n_boot: int, seed: int,
) -> dict:
    estimator = estimator_for(method)
    per_problem: dict[str, dict] = {}
    incomplete: list[dict] = []
    complete_runs = 0
    for problem in sorted(problems):
        seeds = problems[problem]
        if estimator == "pass@k":
            outcomes: list[bool] = []
            for s in sorted(seeds, key=str):
                drawn = seeds[s]
                if len(drawn) >= samples:
                    complete_runs += 1
                    outcomes += [drawn[j] for j in sorted(drawn)]
                else:
                    incomplete.append({"problem": problem, "seed": s, "attempts": len(drawn)})
            if outcomes:
                curve = discovery.best_of_k_curve(len(outcomes), sum(outcomes), K)
                first = next((i + 1 for i, ok in enumerate(outcomes) if ok), None)
                per_problem[problem] = {"n": len(outcomes), "c": sum(outcomes), "outcomes": outcomes,
                                        "times": [first], "curve": curve.tolist()}
        else:
            times: list[int | None] = []
            for s in sorted(seeds, key=str):
                complete, t, m = _sequential_run(seeds[s], K)
                if complete:
                    complete_runs += 1
                    times.append(t)
                else:
                    incomplete.append({"problem": problem, "seed": s, "attempts": m})
            if times:
                curve = discovery.discovery_curve(times, K)
                per_problem[problem] = {"times": times, "curve": curve.tolist()}
    summary: dict[str, Any] = {
        "estimator": estimator, "problems": len(per_problem), "complete_runs": complete_runs,
        "incomplete_runs": len(incomplete), "incomplete": incomplete,
        "problems_without_complete_runs": sorted(set(problems) - set(per_problem)),
        "discovery": None, "low": None, "high": None, "mean_attempts": None, "solved_fraction": None,
        "per_problem": per_problem,
    }
    if not per_problem:
        return summary
    curves = [np.array(p["curve"]) for p in per_problem.values()]
    if estimator == "pass@k":
        low, high = discovery.bootstrap_ci_best_of_k(
            [p["outcomes"] for p in per_problem.values()], K, level=level, n_boot=n_boot, seed=seed)
        mean_attempts, solved = discovery.mean_attempts_from_curves(curves)
    else:
        low, high = discovery.bootstrap_ci(
            [p["times"] for p in per_problem.values()], K, level=level, n_boot=n_boot, seed=seed)
        mean_attempts, solved = discovery.mean_attempts_to_first_success(
            [t for p in per_problem.values() for t in p["times"]], K)
    summary.update(discovery=discovery.mean_curve(curves).tolist(), low=low.tolist(), high=high.tolist(),
                   mean_attempts=mean_attempts, solved_fraction=solved)
    return summary


def summarize(
    bench_dir: str | Path, *, budget: int | None = None, level: float = 0.9, n_boot: int = 2000, seed: int = 0,
    write: bool = True,
) -> dict:
    """Estimate discovery@1..K per method from a bench directory; write summary.json there when `write`."""
    records, skipped = read_attempts(bench_dir)
    K, K_source, samples = resolve_budget(bench_dir, records, budget)
    summary = {"dir": str(bench_dir), **_estimate(records, skipped, K, K_source, samples, level, n_boot, seed)}
    if write:
        (Path(bench_dir) / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def summarize_shards(dirs: list[str], *, level: float = 0.9, n_boot: int = 2000, seed: int = 0) -> dict:
    """One summary of a bench split into shards: directories run with the same settings on disjoint problems
    (for example `--ids` halves run side by side), pooled as if one bench had run them all."""
    if len(dirs) < 2:
        raise ValueError("pooling needs at least two shard directories; for one, use `bench report DIR`")
    settings, records, skipped, owner = None, [], {"truncated_last_line": 0, "duplicates": 0}, {}
    for d in dirs:
        rows, skip = read_attempts(d)
        config_path = Path(d) / CONFIG_FILE
        config = json.loads(config_path.read_text()) if config_path.is_file() else {}
        mine = {k: config.get(k) for k in SHARD_KEYS}
        if settings is None:
            settings, first, K, K_source, samples = mine, d, *resolve_budget(d, rows, None)
        elif mine != settings:
            diff = sorted(k for k in mine if mine[k] != settings[k])
            raise ValueError(f"{d} was run with other settings than {first} ({', '.join(diff)}): "
                             "only shards of one bench configuration can be pooled")
        for r in rows:
            key = (r["method"], str(r["problem"]))
            if owner.setdefault(key, d) != d:
                raise ValueError(f"{r['method']} on {r['problem']} is in both {owner[key]} and {d}: shards must "
                                 "hold disjoint problems")
        records += rows
        skipped = {k: skipped[k] + skip[k] for k in skipped}
    return {"dirs": list(dirs), **_estimate(records, skipped, K, K_source, samples, level, n_boot, seed)}


def _estimate(records, skipped, K, K_source, samples, level, n_boot, seed) -> dict:
    methods = {m: _summarize_method(m, problems, K, samples, level, n_boot, seed)
               for m, problems in sorted(_runs(records).items())}
    return {"K": K, "K_source": K_source, "best_of_k_samples": samples, "level": level, "attempts": len(records),
            **skipped, "methods": methods, "paired": paired_against(methods, K, level=level, seed=seed)}


def paired_against(methods: dict, K: int, *, reference: str = INDEPENDENT_PREFIX, level: float = 0.9,
                   seed: int = 0) -> dict:
    """Each method against `reference` problem by problem: the mean of (method's discovery@K - the
    reference's pass@K) over the problems both completed, with a bootstrap interval over problems.

    Pairing by problem removes the spread between easy and hard problems, which dominates an unpaired
    comparison of two curves on a few dozen problems. Empty when the reference did not run.
    """
    ref = methods.get(reference, {}).get("per_problem") or {}
    out = {}
    for name, m in methods.items():
        common = sorted(set(m["per_problem"]) & set(ref)) if name != reference else []
        if not common:
            continue
        diffs = [m["per_problem"][p]["curve"][K - 1] - ref[p]["curve"][K - 1] for p in common]
        low, high = discovery.bootstrap_mean_ci(diffs, level=level, seed=seed)
        out[name] = {"against": reference, "k": K, "problems": len(common), "difference": float(np.mean(diffs)),
                     "ci": [low, high], "better": sum(d > 0 for d in diffs), "worse": sum(d < 0 for d in diffs),
                     "verdict": ("above zero" if low > 0 else "below zero" if high < 0 else "contains zero")}
    return out


def compare(dirs: list[str], *, level: float = 0.9, n_boot: int = 2000) -> dict:
    """Summaries of several bench directories merged into one; methods are labelled 'dir:method' when
    there is more than one directory. The input directories are not written to."""
    if not dirs:
        raise ValueError("compare got no directories: pass at least one bench output directory")
    summaries = [summarize(d, level=level, n_boot=n_boot, write=False) for d in dirs]
    if len(summaries) == 1:
        return {"dirs": list(dirs), **summaries[0]}
    labels = [Path(d).name for d in dirs]
    if len(set(labels)) < len(labels):
        labels = [str(d) for d in dirs]  # same folder name under different parents
    methods = {}
    for label, s in zip(labels, summaries):
        for name, m in s["methods"].items():
            methods[f"{label}:{name}"] = m
    return {"dirs": list(dirs), "K": max(s["K"] for s in summaries), "level": level, "methods": methods}


def render_table(summary: dict):
    """A rich Table: discovery@1..K per method (percent), the CI at K, mean attempts, runs counted."""
    from rich.table import Table

    K = summary["K"]
    pct = int(round(summary["level"] * 100))
    table = Table(title="discovery@k (percent of problems solved within k attempts)")
    table.add_column("method", no_wrap=True)
    for k in range(1, K + 1):
        table.add_column(f"@{k}", justify="right")
    table.add_column(f"{pct}% CI at K", justify="right")
    table.add_column("mean attempts", justify="right")
    table.add_column("problems", justify="right")
    table.add_column("runs", justify="right")
    notes = []
    for name, m in summary["methods"].items():
        curve = m["discovery"] or []
        cells = [f"{100 * curve[k]:.1f}" if k < len(curve) else "-" for k in range(K)]
        ci = f"{100 * m['low'][-1]:.1f}-{100 * m['high'][-1]:.1f}" if curve else "-"
        mean = f"{m['mean_attempts']:.2f}" if m["mean_attempts"] is not None else "-"
        table.add_row(name, *cells, ci, mean, str(m["problems"]), str(m["complete_runs"]))
        if m["incomplete_runs"]:
            notes.append(f"{name}: {m['incomplete_runs']} incomplete run(s) not counted")
        if m["problems_without_complete_runs"]:
            notes.append(f"{name}: no complete run for {len(m['problems_without_complete_runs'])} problem(s)")
    for name, d in (summary.get("paired") or {}).items():
        notes.append(f"{name} - {d['against']} at @{d['k']}, paired over {d['problems']} problems: "
                     f"{100 * d['difference']:+.1f} ({pct}% CI {100 * d['ci'][0]:+.1f} to {100 * d['ci'][1]:+.1f}, "
                     f"{d['verdict']}; better on {d['better']}, worse on {d['worse']})")
    if notes:
        table.caption = "\n".join(notes)
    return table


def plot_curves(summary: dict, path: str | Path) -> Path:
    """Write a PNG: one discovery curve per method with its confidence band; k on x, discovery@k on y."""
    # The Figure/Agg canvas pair draws without pyplot, so no global backend is switched for the process.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for name, m in summary["methods"].items():
        if not m["discovery"]:
            continue
        ks = np.arange(1, len(m["discovery"]) + 1)
        (line,) = ax.plot(ks, m["discovery"], marker="o", label=f"{name} ({m['estimator']})")
        ax.fill_between(ks, m["low"], m["high"], color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel("k (attempts)")
    ax.set_ylabel("discovery@k")
    ax.set_ylim(-0.02, 1.02)  # room for bands that touch 0 or 1
    ax.set_xticks(np.arange(1, summary["K"] + 1))
    ax.set_title(f"discovery@k with {int(round(summary['level'] * 100))}% bootstrap bands")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path


def _default_out(dirs: list[str]) -> Path:
    if len(dirs) == 1:
        return Path(dirs[0])
    parents = {Path(d).resolve().parent for d in dirs}
    return parents.pop() if len(parents) == 1 else Path.cwd()


def report_main(dirs: list[str], out: str | None, *, shards: bool = False) -> int:
    """`autodidact bench report DIR...`: print the comparison table and write the plot (and comparison.json).

    With `shards`, the directories are parts of one bench on disjoint problems and are pooled into one
    summary (shards.json and discovery_shards.png). `out` is a directory for the outputs; by default the bench
    directory itself when there is one, else the folder that holds all of them (the current directory when they
    share none). Returns an exit code.
    """
    from rich.console import Console

    console = Console()
    try:
        summary = summarize_shards(dirs) if shards else compare(dirs)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out_dir = Path(out) if out else _default_out(dirs)
    out_dir.mkdir(parents=True, exist_ok=True)
    console.print(render_table(summary))
    stem = "shards" if shards else None
    plot = plot_curves(summary, out_dir / (f"discovery_{stem}.png" if stem else
                                           PLOT_FILE if len(dirs) == 1 else "discovery_compare.png"))
    summary_path = out_dir / (f"{stem}.json" if stem else SUMMARY_FILE if len(dirs) == 1 else "comparison.json")
    if summary_path.is_file() and not stem:
        # Keep what the bench added to its own summary (time shares, config); refresh the estimates.
        summary = {**json.loads(summary_path.read_text()), **summary}
    summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    console.print(f"plot: {plot}\nsummary: {summary_path}", soft_wrap=True)
    return 0
