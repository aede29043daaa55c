"""`autodidact eval TASKSET`: held-out pass@1 and pass@k of the current (or a saved) adapter, no learning.

The recipe: read the flags, load the tasks, open the sandbox, load the model and the adapter, sample N
attempts per task, grade each on all tests, print pass@k with a 90% bootstrap interval over tasks (or one JSON
object with --json). With --out FILE every finished task is appended as it completes and a rerun with the
same settings continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agent import registry
from agent.cli.common import SANDBOX_CHOICES, add_engine_args, fail
from agent.config import EngineConfig

DEFAULT_SAMPLES = 8


def register(sub) -> None:
    p = sub.add_parser("eval", help="held-out pass@1 / pass@k of the model or a saved adapter (no learning)")
    p.add_argument("taskset", help="built-in set (starter, bundled, heldout, humaneval, humaneval-subset) or a "
                                   "LiveCodeBench JSONL path / release directory")
    p.add_argument("--adapter", metavar="DIR", help="a saved adapter (a checkpoint directory, or a run directory: "
                                                     "its checkpoints/final); default: the base weights")
    p.add_argument("-n", "--samples", type=int, default=DEFAULT_SAMPLES,
                   help=f"attempts per task (default {DEFAULT_SAMPLES}; 1 with --greedy)")
    p.add_argument("-k", default="1", help="comma-separated k for pass@k, each at most -n (default 1)")
    p.add_argument("--greedy", action="store_true", help="greedy decoding, one attempt per task")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--out", metavar="FILE", help="JSONL file of per-task results, appended as they finish; "
                                                  "rerunning with the same settings resumes")
    p.add_argument("--against", metavar="FILE", help="an earlier `eval --json` result on the same tasks: also "
                                                      "print the paired difference (this - that) with its interval")
    g = p.add_argument_group("tasks")
    g.add_argument("--ids", help="comma-separated task ids")
    g.add_argument("--difficulty", help="comma-separated: easy,medium,hard")
    g.add_argument("--limit", type=int, help="at most this many tasks")
    g = p.add_argument_group("model and sampling")
    g.add_argument("--model", default="smollm2-135m", help="hub id, local path, or smollm2-135m (the default)")
    add_engine_args(g, defaults=True)
    g.add_argument("--temperature", type=float, default=0.7, help="sampling temperature (default 0.7)")
    g.add_argument("--top-p", type=float, default=0.95, help="nucleus sampling (default 0.95)")
    g.add_argument("--max-new-tokens", type=int, default=128, help="tokens per attempt (default 128)")
    g.add_argument("--seed", type=int, default=0, help="sampling seeds are derived from it and the task id")
    g = p.add_argument_group("sandbox")
    g.add_argument("--sandbox", choices=SANDBOX_CHOICES, default="docker",
                   help="grader backend")
    g.add_argument("--timeout", type=float, help="per-test time limit in seconds")
    p.set_defaults(handler=eval_command)


def adapter_dir(path: str) -> Path:
    """The checkpoint directory for --adapter: itself, or a run directory's checkpoints/final."""
    given = Path(path).expanduser()
    for candidate in (given, given / "checkpoints" / "final"):
        if (candidate / "adapter_model.safetensors").is_file():
            return candidate
    raise ValueError(f"--adapter {path}: no adapter there (no adapter_model.safetensors in it or in its "
                     "checkpoints/final); pass a directory written by a run or by /save in the chat")


def saved_lora_settings(path: Path):
    """LoRA settings matching a saved adapter, so the policy is built with the right shape."""
    from agent.learn.lora import LoraSettings

    config = json.loads((path / "adapter_config.json").read_text())
    return LoraSettings(rank=int(config["r"]), alpha=float(config["lora_alpha"]),
                        target_modules=sorted(config["target_modules"]))


def eval_command(args: argparse.Namespace) -> int:
    from agent.protocols import SamplingConfig

    try:
        ks = sorted({int(x) for x in args.k.split(",") if x.strip()})
    except ValueError:
        return fail(f"-k {args.k!r}: give comma-separated integers, e.g. -k 1,5")
    n = 1 if args.greedy else args.samples
    if n < 1:
        return fail(f"-n {args.samples}: draw at least one sample per task")
    if any(not 1 <= k <= n for k in ks) or not ks:
        return fail(f"-k {args.k}: every k must lie in 1..n (n={n}); raise -n or lower k")
    try:
        EngineConfig(name=args.engine)  # unknown, or not installed here: refused before any work
    except ValueError as e:
        return fail(str(e))
    try:
        sampling = SamplingConfig(temperature=0.0 if args.greedy else args.temperature, top_p=args.top_p,
                                  max_new_tokens=args.max_new_tokens)
    except ValueError as e:
        return fail(f"sampling (--temperature, --top-p, --max-new-tokens): {e}")
    try:
        tasks = _load_tasks(args)
        adapter = adapter_dir(args.adapter) if args.adapter else None
        settings = {"taskset": args.taskset, "ids": [t.id for t in tasks], "model": args.model,
                    "adapter": str(adapter) if adapter else None, "n": n, "seed": args.seed,
                    "temperature": sampling.temperature, "top_p": sampling.top_p,
                    "max_new_tokens": sampling.max_new_tokens}
        done = _read_progress(Path(args.out), settings) if args.out else {}
        baseline = _read_baseline(Path(args.against)) if args.against else None
    except (ValueError, OSError) as e:
        return fail(str(e))

    from agent.learn.lora import LoraSettings
    from agent.report.evaluation import EvalInfraError, append_result, evaluate_tasks
    from sandbox.config import SandboxConfig
    from sandbox.factory import open_sandbox

    log = (lambda s: print(s, file=sys.stderr)) if args.json else print
    cfg = SandboxConfig(backend=args.sandbox, **({"timeout": args.timeout} if args.timeout else {}))
    try:
        with open_sandbox(cfg) as sandbox:
            # Without an adapter a fresh one (B = 0) leaves the base weights as they are.
            lora = saved_lora_settings(adapter) if adapter else LoraSettings()
            trainable = registry.load_trainable(args.model, device=args.device, dtype=args.dtype, lora=lora)
            if adapter:
                trainable.history.load(adapter)
            policy = registry.open_engine(args.engine, trainable)
            log(f"eval {args.taskset}: {len(tasks)} tasks x {n} samples, "
                f"{'adapter ' + str(adapter) if adapter else 'base weights'}"
                + (f", {len(done)} already done in {args.out}" if done else ""))

            def finished(result) -> None:
                log(f"  {result.task}: {result.correct}/{result.n} passed ({result.seconds:.0f} s)")
                if args.out:
                    append_result(args.out, result)

            report = evaluate_tasks(tasks, policy, sandbox, n=n, sampling=sampling, seed=args.seed, ks=ks,
                                    done=done, on_task=finished)
    except EvalInfraError as e:
        print(f"error: the sandbox failed: {e}" + (f"; rerun with --out {args.out} to continue" if args.out
                                                    else ""), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted" + (f": finished tasks are in {args.out}; rerun the same command to continue"
                               if args.out else ""), file=sys.stderr)
        return 130
    except (ValueError, FileNotFoundError) as e:
        return fail(str(e))
    result = {**report.to_dict(), "taskset": args.taskset, "model": args.model,
              "adapter": str(adapter) if adapter else None}
    if baseline is not None:
        from agent.report.evaluation import paired_difference

        try:
            result["against"] = {"file": args.against, **paired_difference(baseline, result)}
        except ValueError as e:
            return fail(f"--against {args.against}: {e}")
    if args.json:
        print(json.dumps(result))
    else:
        print(format_report(result))
    return 0


def format_report(result: dict) -> str:
    lines = [f"{result['taskset']}: {result['tasks']} tasks, {result['samples']} samples, "
             f"{result['correct']} passed"]
    for k, value in result["pass_at_k"].items():
        low, high = result["ci_at_k"][k]
        lines.append(f"pass@{k} {value:.3f}  ({result['level']:.0%} CI {low:.3f}-{high:.3f}, bootstrap over tasks)")
    if "against" in result:
        change = result["against"]
        low, high = change["ci"]
        lines.append(f"against {change['file']}: pass@1 {change['before']:.3f} -> {change['after']:.3f}, difference "
                     f"{change['difference']:+.3f} ({change['level']:.0%} CI {low:+.3f} to {high:+.3f} over "
                     f"{change['tasks']} tasks): {change['verdict']}")
    return "\n".join(lines)


def _load_tasks(args: argparse.Namespace) -> list:
    from tasks.loaders import load_taskset

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    tasks = load_taskset(args.taskset, ids=split(args.ids), difficulty=split(args.difficulty), limit=args.limit)
    if not tasks:
        raise ValueError(f"task set {args.taskset!r} with these filters has no tasks; list them with "
                         f"`autodidact tasks list {args.taskset}`")
    return tasks


def _read_baseline(path: Path) -> dict:
    try:
        baseline = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ValueError(f"--against {path}: cannot read it as JSON ({e}); pass the output of `eval --json`") from e
    if not isinstance(baseline, dict) or "per_task" not in baseline:
        raise ValueError(f"--against {path}: no per_task counts in it; pass the output of `eval --json`")
    return baseline


def _read_progress(path: Path, settings: dict) -> dict:
    """Finished tasks from an earlier run of the same evaluation; a new file gets the settings line first."""
    from agent.report.evaluation import read_results

    if path.is_dir():
        raise ValueError(f"--out {path} is a directory: pass a file name, e.g. --out {path / 'eval.jsonl'}")
    if not path.exists() or path.stat().st_size == 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"settings": settings}) + "\n")
        return {}
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    try:
        header = json.loads(lines[0])["settings"]
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"--out {path}: not an evaluation progress file (no settings line first); "
                         "pass a new file name") from None
    if header != settings:
        changed = sorted(k for k in settings if header.get(k) != settings[k])
        raise ValueError(f"--out {path} holds an evaluation with other settings ({', '.join(changed)} differ): "
                         "pass a new file name, or the same settings to continue it")
    return read_results(lines[1:])
