"""`autodidact run TASKSET`: a learning session over a problem set.

The recipe: resolve the configuration, load the tasks, open the run directory (or resume one), open the
sandbox, load the model, optionally measure a held-out set, run every problem through the episode loop with
the adapter carried over (or reset per problem), measure the held-out set again, write the summary.
"""

from __future__ import annotations

import argparse
import json
import sys

from agent.cli.common import (
    add_common_args, fail, load_models, load_tasks, make_learner, open_run_dir, resolve_config,
)
from agent.config import NO_LEARNING, learn_choices


def register(sub) -> None:
    p = sub.add_parser("run", help="attempt a problem set while learning from test feedback")
    add_common_args(p)
    p.add_argument("--learn", metavar="LEARNER",
                   help=f"{', '.join(learn_choices())}: sdpo (default), sdpo-grpo (blended with a policy-gradient "
                        "term), none (no updates), or a dotted path")
    p.add_argument("--reset-per-problem", action="store_true", default=None,
                   help="start every problem from the base weights instead of carrying the adapter over")
    p.add_argument("--eval", dest="eval_taskset", metavar="TASKSET",
                   help="held-out set measured before and after the session (transfer and forgetting)")
    p.add_argument("--eval-samples", type=int, metavar="N",
                   help="samples per held-out task for pass@1 (default 8; 0: one greedy attempt)")
    p.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    try:
        cfg, out, resuming = resolve_config(args, "run", {
            "learn": args.learn, "reset_per_problem": args.reset_per_problem, "eval_taskset": args.eval_taskset,
            "eval_samples": args.eval_samples,
        })
        tasks = load_tasks(cfg)
        eval_tasks = _load_eval(cfg)
        rundir = open_run_dir(cfg, out, resuming)
    except ValueError as e:
        return fail(str(e))
    console.print(f"[bold]autodidact run[/] {cfg.taskset}: {len(tasks)} problems -> {rundir.path}")
    console.print_json(json.dumps(cfg.to_dict()))

    from agent.episode.methods import make_method
    from agent.episode.session import Session, Unit
    from sandbox.factory import open_sandbox

    with open_sandbox(cfg.sandbox) as sandbox:
        try:
            policy, trainable = load_models(cfg, console)
            learner = _make_learner(cfg, trainable)
            method_name = cfg.learn
            method = make_method(method_name, policy=policy, learner=learner)
            state = rundir.load_state()
            if eval_tasks and "eval_before" not in state:
                state["eval_before"] = evaluate(eval_tasks, policy, sandbox, cfg, console, rundir, "before")
                rundir.save_state(state)
            session = Session(
                rundir, [Unit(method_name, t.id, cfg.seed) for t in tasks], {t.id: t for t in tasks},
                policy=policy, sandbox=sandbox, learner=learner, methods={method_name: method}, config=cfg,
                reset_each_unit=cfg.reset_per_problem, reporter=_reporter(cfg),
            )
            outcomes = session.run()
            if eval_tasks and "eval_after" not in session.state:
                session.state["eval_after"] = evaluate(eval_tasks, policy, sandbox, cfg, console, rundir, "after")
                rundir.save_state(session.state)
            if learner is not None:
                learner.save(str(rundir.checkpoints / "final"))
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted[/]: finished work is saved; continue with "
                          f"`autodidact run --resume {rundir.path}`")
            return 130
        except Exception as e:  # noqa: BLE001 — show the cause and how to resume, not a traceback wall
            from agent.report.evaluation import EvalInfraError
            from agent.episode.grading import InfraError

            if isinstance(e, (InfraError, EvalInfraError, ValueError, FileNotFoundError)):
                console.print(f"[red]error[/]: {escape(str(e))}\nfinished work is saved; continue with "
                              f"`autodidact run --resume {rundir.path}`")
                return 3 if isinstance(e, (InfraError, EvalInfraError)) else 2
            raise
    summary = _summary(tasks, outcomes, session, cfg)
    (rundir.path / "summary.json").write_text(json.dumps(summary, indent=2))
    _print_summary(console, tasks, outcomes, session, cfg)
    return 0


def _load_eval(cfg):
    if not cfg.eval_taskset:
        return []
    from tasks.loaders import load_taskset

    tasks = load_taskset(cfg.eval_taskset)
    if not tasks:
        raise ValueError(f"--eval {cfg.eval_taskset}: the set has no tasks")
    return tasks


def _make_learner(cfg, trainable):
    if cfg.learn == NO_LEARNING:
        return None
    learner = make_learner(cfg.learn, trainable, cfg)
    if getattr(learner.config, "blends", False) and cfg.batch == 1:
        print(f"note: --learn {cfg.learn} with batch B=1: a batch of one attempt has no group, so every advantage is 0 "
              "and the policy-gradient term adds nothing; use -B 2 or more for its signal", file=sys.stderr)
    return learner


def _reporter(cfg):
    from agent.report.progress import Reporter

    return Reporter(cfg.budget)


def evaluate(tasks, policy, sandbox, cfg, console, rundir, label: str) -> dict:
    """pass@1 on the held-out set with the current weights (no learning), resumable task by task.

    The same sampling seeds are used before and after, so the paired difference compares the weights on
    the same draws. Finished tasks are appended to eval-<label>.jsonl as they complete.
    """
    from agent.report.evaluation import append_result, evaluate_tasks, read_results
    from agent.protocols import SamplingConfig

    greedy = cfg.eval_samples == 0
    sampling = SamplingConfig(temperature=0.0 if greedy else cfg.sampling.temperature, top_p=cfg.sampling.top_p,
                              max_new_tokens=cfg.sampling.max_new_tokens)
    progress = rundir.path / f"eval-{label}.jsonl"
    done = read_results(progress.read_text().splitlines()) if progress.exists() else {}
    n = 1 if greedy else cfg.eval_samples
    with console.status(f"held-out evaluation ({label}) on {len(tasks)} tasks x {n} samples"):
        report = evaluate_tasks(tasks, policy, sandbox, n=n, sampling=sampling, seed=cfg.seed, done=done,
                                on_task=lambda result: append_result(progress, result))
    result = {**report.to_dict(), "taskset": cfg.eval_taskset}
    low, high = result["ci"]
    console.print(f"held-out pass@1 {label}: {result['pass_at_1']:.3f} (90% CI {low:.3f}-{high:.3f}; "
                  f"{result['correct']}/{result['samples']} samples passed)")
    return result


def eval_change(state: dict) -> dict | None:
    """The paired difference after - before, when both measurements are there in the current format."""
    from agent.report.evaluation import paired_difference

    before, after = state.get("eval_before"), state.get("eval_after")
    if not (before and after and "per_task" in before and "per_task" in after):
        return None
    return paired_difference(before, after)


def _summary(tasks, outcomes, session, cfg) -> dict:
    per_problem = {}
    for t in tasks:
        o = next(o for o in outcomes.values() if o.problem == t.id)
        per_problem[t.id] = {"solved_at": o.solved_at, "attempts": o.attempts}
    solved = [p for p in per_problem.values() if p["solved_at"]]
    summary = {
        "taskset": cfg.taskset, "problems": len(tasks), "solved": len(solved),
        "solve_rate": len(solved) / len(tasks), "budget": cfg.budget, "learn": cfg.learn,
        "per_problem": per_problem, "time": session.time_shares(),
        "updates": session.rundir.count_lines("updates.jsonl"),
    }
    for key in ("eval_before", "eval_after"):
        if key in session.state:
            summary[key] = session.state[key]
    change = eval_change(session.state)
    if change is not None:
        summary["eval_change"] = change
    return summary


def _print_summary(console, tasks, outcomes, session, cfg) -> None:
    from agent.report.progress import outcome_table

    rows = []
    for t in tasks:
        o = next(o for o in outcomes.values() if o.problem == t.id)
        rows.append((t.id, t.title, o.solved_at, o.attempts))
    console.print(outcome_table(f"solved at attempt (K={cfg.budget}, learn={cfg.learn})", rows, cfg.budget))
    change = eval_change(session.state)
    if change is not None:
        low, high = change["ci"]
        console.print(f"held-out pass@1 on {cfg.eval_taskset}: before {change['before']:.3f}, after "
                      f"{change['after']:.3f}, difference {change['difference']:+.3f} (90% CI {low:+.3f} to "
                      f"{high:+.3f} over {change['tasks']} tasks): {change['verdict']}")
    shares = session.time_shares()
    console.print(
        f"solved {sum(1 for r in rows if r[2])}/{len(rows)}; wall {shares['wall_seconds']:.0f}s: generation "
        f"{shares['generation']:.0%}, grading {shares['grading']:.0%}, updates {shares['update']:.0%}, "
        f"other {shares['other']:.0%}"
    )
