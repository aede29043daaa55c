"""`autodidact chat`: work on a problem with the agent in the terminal; it learns from failing tests and from
your corrections (see agent/chat/ for how)."""

from __future__ import annotations

import argparse
import sys

from agent.cli.common import SANDBOX_CHOICES, add_engine_args


def register(sub) -> None:
    p = sub.add_parser("chat", help="a terminal chat with the agent: run its code, teach it, watch it learn",
                       description="A terminal chat with the agent. Inside, /help lists the commands.")
    p.add_argument("--task", metavar="TASKSET:ID", help="problem to load at start, e.g. starter:ad-001")
    p.add_argument("--resume", metavar="SESSION", help="continue a saved session: its id, its directory, or 'latest'")
    g = p.add_argument_group("model and sampling")
    g.add_argument("--model", help="hub id, local path, or smollm2-135m (the embedded default; on --resume, the "
                                   "session's model)")
    add_engine_args(g, defaults=True)
    g.add_argument("--temperature", type=float, default=0.7, help="sampling temperature (0: greedy; default 0.7)")
    g.add_argument("--top-p", type=float, default=0.95, help="nucleus sampling mass (default 0.95)")
    g.add_argument("--max-new-tokens", type=int, default=512, help="cap on tokens per answer (default 512)")
    g.add_argument("--seed", type=int, help="seed for reproducible answers (each answer adds one)")
    g.add_argument("--lr", type=float, help="learning rate of the LoRA update (default: the learner's)")
    g = p.add_argument_group("grading")
    g.add_argument("--sandbox", choices=SANDBOX_CHOICES, default="docker",
                   help="docker (isolated, default) or local (a subprocess with limits, NOT isolated)")
    g.add_argument("--timeout", type=float, default=6.0, help="per-test time limit in seconds (default 6)")
    g.add_argument("--auto", action="store_true", help="start with /auto on: grade every answer that has code")
    p.add_argument("--home", help="where sessions, adapters and input history live "
                                  "(default $AUTODIDACT_HOME/chat, else ~/.cache/autodidact/chat)")
    p.set_defaults(handler=chat_command)


def chat_command(args: argparse.Namespace) -> int:
    from agent.chat.config import ChatConfig

    try:
        config = ChatConfig(
            model=args.model, engine=args.engine, device=args.device, dtype=args.dtype, task=args.task, resume=args.resume,
            sandbox=args.sandbox, timeout=args.timeout, temperature=args.temperature, top_p=args.top_p,
            max_new_tokens=args.max_new_tokens, seed=args.seed, auto=args.auto, learning_rate=args.lr,
            home=args.home,
        )
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not sys.stdin.isatty():
        print("error: autodidact chat needs a terminal (stdin is not a tty): run it in a terminal; "
              "`autodidact run` works without one", file=sys.stderr)
        return 2
    from agent.chat.app import run_chat

    return run_chat(config)
