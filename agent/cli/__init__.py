"""The `autodidact` command line. Each command group lives in its own module and registers itself here.

Heavy imports (torch, transformers, docker) happen inside the command handlers, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that define `register(subparsers)`; each adds one or more commands.
COMMAND_MODULES = (
    "agent.cli.tasks",
    "agent.cli.sandbox",
    "agent.cli.run",
    "agent.cli.eval",
    "agent.cli.bench",
    "agent.cli.chat",
    "agent.cli.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodidact",
        description="A coding agent that learns from its test failures (LoRA self-distillation, SDPO).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # argparse fills a trailing `nargs="*"` positional before the options that follow it, so
        # `bench report --shards A B` leaves A B over: they belong to that positional.
        if isinstance(getattr(args, "dirs", None), list) and not any(e.startswith("-") for e in extra):
            args.dirs.extend(extra)
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
