"""Options shared by `autodidact run` and `autodidact bench`, and the steps both take to start:
resolve the configuration, load the tasks, open the run directory, the sandbox and the model."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from agent import registry
from agent.config import RunConfig, load_config_file, merge


def add_common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("taskset", nargs="?", help="built-in set (starter, bundled, humaneval) or LiveCodeBench JSONL path")
    p.add_argument("--config", help="TOML or JSON file with settings (flags override it)")
    p.add_argument("--out", help="run directory to create (default runs/<command>-<time>); with `bench report`: "
                                 "the folder for its summary and plot")
    p.add_argument("--resume", metavar="DIR", help="continue an interrupted run in DIR")
    g = p.add_argument_group("tasks")
    g.add_argument("--ids", help="comma-separated task ids")
    g.add_argument("--difficulty", help="comma-separated: easy,medium,hard")
    g.add_argument("--limit", type=int, help="at most this many tasks")
    g = p.add_argument_group("model and sampling")
    g.add_argument("--model", help="hub id, local path, or smollm2-135m (the embedded default)")
    add_engine_args(g, defaults=False)
    g.add_argument("--temperature", type=float)
    g.add_argument("--top-p", type=float)
    g.add_argument("--max-new-tokens", type=int)
    g.add_argument("--seed", type=int)
    g = p.add_argument_group("episode")
    g.add_argument("-K", "--budget", type=int, help="attempts per problem (per seed)")
    g.add_argument("-B", "--batch", type=int, help="attempts per episode (per update)")
    g.add_argument("--visible", choices=["public", "hidden-half"], help="tests the model may see")
    g = p.add_argument_group("learner (LoRA + SDPO)")
    g.add_argument("--lora-rank", type=int)
    g.add_argument("--lora-alpha", type=float)
    g.add_argument("--lr", type=float, help="learning rate of the LoRA update")
    g.add_argument("--teacher", choices=["base", "trust-region"])
    g.add_argument("--steps-per-update", type=int)
    g.add_argument("--distillation-weight", type=float,
                   help="w in w * distillation + (1 - w) * policy gradient (sdpo-grpo; default 0.9 there)")
    g = p.add_argument_group("sandbox")
    g.add_argument("--sandbox", choices=SANDBOX_CHOICES, help="grader backend (default docker; local is NOT isolated)")
    g.add_argument("--workers", type=int, help="parallel graders")
    g.add_argument("--timeout", type=float, help="per-test time limit in seconds")


SANDBOX_CHOICES = [b for b in registry.names("sandbox") if b != "inprocess"]
"""What --sandbox offers (inprocess, without any isolation, is for benchmarks only)."""


def add_engine_args(g, *, defaults: bool) -> None:
    """--engine, --device, --dtype; without defaults (None) where a config file may set them instead."""
    g.add_argument("--engine", default="hf" if defaults else None,
                   help=f"generation engine: {', '.join(registry.names('engine'))} (default hf), or a dotted path")
    g.add_argument("--device", default="auto" if defaults else None, help="auto, cuda, mps, cpu")
    g.add_argument("--dtype", default="auto" if defaults else None, help="auto, bf16, fp16, fp32")


def resolve_config(args: argparse.Namespace, command: str, extra: dict | None = None) -> tuple[RunConfig, Path, bool]:
    """Defaults <- the resumed run's config (on --resume) <- --config file <- flags."""
    base: dict = {}
    if args.resume:
        saved = Path(args.resume) / "config.json"
        if not saved.is_file():
            raise ValueError(f"--resume {args.resume}: not a run directory (no config.json)")
        base = json.loads(saved.read_text())
    if args.config:
        base = merge(base, load_config_file(args.config), keep_none=True)
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    flags = {
        "taskset": args.taskset, "ids": split(args.ids), "difficulty": split(args.difficulty), "limit": args.limit,
        "model": args.model, "engine": {"name": args.engine}, "device": args.device, "dtype": args.dtype, "seed": args.seed,
        "budget": args.budget, "batch": args.batch, "visible": args.visible,
        "sampling": {"temperature": args.temperature, "top_p": args.top_p, "max_new_tokens": args.max_new_tokens},
        "lora": {"rank": args.lora_rank, "alpha": args.lora_alpha},
        "sdpo": {"lr": args.lr, "teacher": args.teacher, "steps_per_update": args.steps_per_update,
                 "distillation_weight": args.distillation_weight},
        "sandbox": {"backend": args.sandbox, "workers": args.workers, "timeout": args.timeout},
        **(extra or {}),
    }
    cfg = RunConfig.from_dict(merge(base, flags))
    if args.resume:
        out, resuming = Path(args.resume), True
    else:
        out = Path(args.out or f"runs/{command}-{datetime.now():%Y%m%d-%H%M%S}")
        resuming = False
    return cfg, out, resuming


def load_tasks(cfg: RunConfig) -> list:
    from tasks.loaders import load_taskset

    tasks = load_taskset(cfg.taskset, ids=cfg.ids, difficulty=cfg.difficulty, limit=cfg.limit)
    if not tasks:
        raise ValueError(
            f"task set {cfg.taskset!r} with filters ids={cfg.ids} difficulty={cfg.difficulty} limit={cfg.limit} "
            "has no tasks; list them with `autodidact tasks list TASKSET`"
        )
    return tasks


def open_run_dir(cfg: RunConfig, out: Path, resuming: bool):
    from agent.episode.rundir import RunDir

    if resuming:
        return RunDir.resume(out, cfg.to_dict(), defaults=RunConfig().to_dict())
    return RunDir.create(out, cfg.to_dict())


def load_models(cfg: RunConfig, console):
    """(the generation engine, the trainable model) that cfg names; for the hf engine they are one object."""
    from agent import registry

    with console.status(f"loading model {cfg.model}"):
        trainable = registry.load_trainable(cfg.model, device=cfg.device, dtype=cfg.dtype, lora=cfg.lora_settings())
    with console.status(f"starting the {cfg.engine.name} engine"):
        engine = registry.open_engine(cfg.engine.name, trainable, cfg.engine.options)
    return engine, trainable


def make_learner(name: str, trainable, cfg: RunConfig):
    from agent import registry

    return registry.make_learner(name, trainable, cfg.sdpo)


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
