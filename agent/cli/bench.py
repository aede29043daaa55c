"""`autodidact bench TASKSET`: discovery@K of best-of-k sampling, multi-turn retrying and SDPO on the same
problems, model and budget; `autodidact bench report DIR...` re-reads and compares runs; `autodidact bench snapshot
DIR --out DEST` copies a bench's finished units without its checkpoints (to continue it on another machine).

Every method x problem x seed is one unit of work, written to the run directory as it happens, so the benchmark
resumes where it stopped. SDPO units start from the base weights (per-problem reset, the paper's test-time
setting). best-of-k draws K * R independent samples per problem and is scored with the unbiased pass@k estimator;
the sequential methods run R seeds and are scored by the empirical distribution of the discovery time.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.cli.common import (
    add_common_args, fail, load_models, load_tasks, make_learner, open_run_dir, resolve_config,
)
from agent.episode.methods import LEARNING_METHODS


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmark discovery@K: best-of-k vs multi-turn vs sdpo "
                                     "(`bench report DIR...` compares finished runs; `bench snapshot DIR --out "
                                     "DEST` copies the finished units)")
    add_common_args(p)
    p.add_argument("--methods", help="comma-separated subset of best-of-k,multi-turn,sdpo,sdpo-grpo")
    p.add_argument("-R", "--seeds", type=int, help="seeds per problem for the sequential methods")
    p.add_argument("--remote-model", help="litellm model name for the non-learning methods (e.g. openai/gpt-4o)")
    p.add_argument("--api-base", help="OpenAI-compatible server for --remote-model (vLLM, Ollama, ...)")
    p.add_argument("--api-key", help="key for --remote-model (not saved with the run; or set the provider's "
                                     "environment variable, e.g. OPENAI_API_KEY)")
    p.add_argument("dirs", nargs="*", metavar="DIR",
                   help="with `report`: run directories to compare; with `snapshot`: the bench to copy")
    p.add_argument("--shards", action="store_true",
                   help="with `report`: the directories are shards of one bench (same settings, disjoint "
                        "problems, e.g. --ids halves run side by side): pool them into one summary")
    p.set_defaults(handler=bench_command)


def bench_command(args: argparse.Namespace) -> int:
    if args.taskset == "report":
        return _report(args.dirs, args.shards, args.out)
    if args.taskset == "snapshot":
        return _snapshot(args.dirs, args.out)
    if args.shards:
        return fail("--shards belongs to `autodidact bench report --shards DIR DIR...`")
    if args.dirs:
        return fail(f"unexpected arguments {' '.join(args.dirs)}; did you mean `autodidact bench report DIR...`?")
    from rich.console import Console

    console = Console(highlight=False)
    methods = [m.strip() for m in args.methods.split(",")] if args.methods else None
    try:
        cfg, out, resuming = resolve_config(args, "bench", {
            "methods": methods, "seeds": args.seeds, "remote_model": args.remote_model, "api_base": args.api_base,
        })
        tasks = load_tasks(cfg)
        if cfg.remote_model and all(m in LEARNING_METHODS for m in cfg.methods):
            raise ValueError("--remote-model serves only best-of-k and multi-turn (a remote model gives no token ids "
                             "to learn from); add those methods or drop --remote-model")
        rundir = open_run_dir(cfg, out, resuming)
    except ValueError as e:
        return fail(str(e))
    console.print(f"[bold]autodidact bench[/] {cfg.taskset}: {len(tasks)} problems, methods {', '.join(cfg.methods)}, "
                  f"K={cfg.budget}, R={cfg.seeds} -> {rundir.path}")

    from agent.episode.methods import make_method
    from agent.report.progress import Reporter
    from agent.episode.session import Session, Unit
    from sandbox.factory import open_sandbox

    with open_sandbox(cfg.sandbox) as sandbox:
        try:
            policies, learners = _policies(cfg, console, args.api_key)
            methods_by_name = {
                m: make_method(m, policy=policies[m], learner=learners.get(m), max_new_tokens=cfg.sampling.max_new_tokens)
                for m in cfg.methods
            }
            learner = next(iter(learners.values()), None)
            units = [
                Unit(m, t.id, seed)
                for t in tasks for m in cfg.methods
                for seed in (range(1) if methods_by_name[m].independent else range(cfg.seed, cfg.seed + cfg.seeds))
            ]
            session = Session(
                rundir, units, {t.id: t for t in tasks}, policy=policies, sandbox=sandbox, learner=learner,
                methods=methods_by_name, config=cfg, reset_each_unit=True, reporter=Reporter(cfg.budget), bench=True,
            )
            session.run()
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted[/]: finished units are saved; continue with "
                          f"`autodidact bench --resume {rundir.path}`")
            return 130
    return _finish(rundir, session, cfg, console)


def _policies(cfg, console, api_key: str | None):
    """The policy of each method, and a learner per learning method (all on the one local model's adapter)."""
    policies, local, trainable = {}, None, None
    for m in cfg.methods:
        if cfg.remote_model and m not in LEARNING_METHODS:
            from agent.generation.remote import RemotePolicy

            policies[m] = RemotePolicy(cfg.remote_model, api_base=cfg.api_base, api_key=api_key)
            continue
        if local is None:
            local, trainable = load_models(cfg, console)
        policies[m] = local
    learners = {m: make_learner(m, trainable, cfg) for m in cfg.methods if m in LEARNING_METHODS}
    return policies, learners


def _finish(rundir, session, cfg, console) -> int:
    from agent.report import summary as report

    summary = report.summarize(rundir.path, budget=cfg.budget)
    summary["time"] = session.time_shares()
    summary["config"] = cfg.to_dict()
    (rundir.path / "summary.json").write_text(json.dumps(summary, indent=2))
    report.plot_curves(summary, rundir.path / "discovery.png")
    console.print(report.render_table(summary))
    t = summary["time"]
    console.print(f"wall {t['wall_seconds']:.0f}s: generation {t['generation']:.0%}, grading {t['grading']:.0%}, "
                  f"updates {t['update']:.0%}, other {t['other']:.0%}; plot {rundir.path / 'discovery.png'}")
    return 0


def _report(dirs: list[str], shards: bool = False, out: str | None = None) -> int:
    from agent.report import summary as report

    if not dirs:
        return fail("usage: autodidact bench report DIR [DIR...]")
    return report.report_main(dirs, out, shards=shards)


def _snapshot(dirs: list[str], out: str | None) -> int:
    from agent.episode.rundir import RunDir, RunDirError

    if len(dirs) != 1 or not out:
        return fail("usage: autodidact bench snapshot DIR --out DEST")
    if not (Path(dirs[0]) / "config.json").is_file():
        return fail(f"{dirs[0]} is not a run directory (no config.json)")
    try:
        result = RunDir(dirs[0]).snapshot_finished(out)
    except RunDirError as e:
        return fail(str(e))
    left = ", ".join(f"{n} {name}" for name, n in result["dropped"].items() if n) or "nothing"
    units = result["units"]
    print(f"{units} finished unit{'s' if units != 1 else ''} of {dirs[0]} copied to {out} (left out of the unit in progress: {left}); "
          f"continue there with `autodidact bench --resume {out}`")
    return 0
