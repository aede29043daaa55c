"""The chat's commands: one table (name, arguments, one line of help), parsing a typed line, and what a plain
message means at this moment.

A plain message (no leading '/') is never ambiguous; it maps to exactly one command, which the UI names:
  - no problem yet             -> /problem TEXT   (the message becomes the problem statement)
  - a feedback offer pending   -> /feedback TEXT  (after a failed /run; the message is learned from)
  - otherwise                  -> /chat TEXT      (conversation about the latest answer; nothing is learned)
A failed /run arms the offer and the prompt changes to show it; /chat TEXT talks instead, /skip disarms it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARG_KINDS = ("none", "text", "optional-text", "on-off", "count", "name")
RETRY_DEFAULT = 3
RETRY_MAX = 20
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class CommandSpec:
    name: str
    usage: str
    """What follows the name, as shown in /help ('' for nothing)."""
    help: str
    """One line for /help."""
    args: str
    """none, text (required), optional-text, on-off, count (a positive integer) or name (a file-safe name)."""

    def __post_init__(self) -> None:
        if self.args not in ARG_KINDS:
            raise ValueError(f"command /{self.name}: argument kind {self.args!r} is unknown; use one of {ARG_KINDS}")


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("task", "[TASKSET:ID]", "load a problem from a task set (e.g. starter:<id>); alone: show the problem",
                "optional-text"),
    CommandSpec("problem", "[--function NAME(ARGS)] TEXT",
                "type a new problem (a stdin program; --function for a function problem)", "text"),
    CommandSpec("test-add", "[INPUT => EXPECTED]",
                "add a visible test (\\n for newlines); alone: asks for the input, then the expected output",
                "optional-text"),
    CommandSpec("attempt", "", "a fresh attempt at the problem with the current weights", "none"),
    CommandSpec("run", "", "grade the latest code: per-test table and the feedback the learner would see", "none"),
    CommandSpec("auto", "[on|off]", "run every answer that has code automatically (alone: show the setting)", "on-off"),
    CommandSpec("learn", "", "one SDPO update on the latest attempt from its test feedback, then a fresh attempt",
                "none"),
    CommandSpec("feedback", "TEXT", "learn from your words about the latest attempt (SDPO), then a fresh attempt",
                "text"),
    CommandSpec("teach", "[SOLUTION]", "distill a correct solution you paste (SDFT), then a fresh attempt",
                "optional-text"),
    CommandSpec("chat", "TEXT", "talk about the latest answer; nothing is learned from it", "text"),
    CommandSpec("skip", "", "do not take the next plain message as feedback", "none"),
    CommandSpec("retry", "[N]",
                f"up to N rounds of attempt, run, learn; stops at the first pass (default {RETRY_DEFAULT})", "count"),
    CommandSpec("undo", "", "revert the last update exactly", "none"),
    CommandSpec("reset", "", "return to the base weights", "none"),
    CommandSpec("save", "NAME", "keep the current adapter under NAME for later sessions", "name"),
    CommandSpec("load", "NAME", "load an adapter kept with /save", "name"),
    CommandSpec("stats", "", "updates (loss, KL), attempts and verdicts, the adapter in use", "none"),
    CommandSpec("help", "", "this list", "none"),
    CommandSpec("exit", "", "leave (Ctrl-D too); the session is already saved", "none"),
)
BY_NAME = {c.name: c for c in COMMANDS}
ALIASES = {"quit": "exit", "q": "exit", "?": "help", "h": "help"}

INPUT_HELP = (
    "Enter sends. Esc then Enter, or a line ending in \\, starts a new line; pasted text keeps its newlines.",
    "Ctrl-C stops an answer (or clears the line); Ctrl-D leaves. A message starting with // sends one '/'.",
)


class CommandError(ValueError):
    """A typed command is unknown or has bad arguments; str() is a one-line hint."""


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""
    """The argument text as typed (may span lines), stripped; a count or on/off already checked."""
    implicit: bool = False
    """True when a plain message was mapped to this command (the UI says so)."""


def parse_line(text: str) -> Command | None:
    """A typed line as a command, or None for a plain message (see interpret_message). Raises CommandError."""
    stripped = text.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    # The name ends at the first whitespace, a newline included: "/teach" then a pasted solution is one command.
    match = re.match(r"/(\S*)(.*)", stripped, re.DOTALL)
    head, arg = match.group(1), match.group(2).strip()
    name = ALIASES.get(head.lower(), head.lower())
    spec = BY_NAME.get(name)
    if spec is None:
        near = [c.name for c in COMMANDS if c.name.startswith(name[:2])] if name else []
        hint = f" (did you mean /{near[0]}?)" if near else ""
        raise CommandError(f"unknown command /{head}{hint}: /help lists the commands")
    return Command(name, _check_arg(spec, arg))


def plain_text(text: str) -> str:
    """A plain message as meant: a leading '//' stands for one '/'."""
    stripped = text.strip()
    return stripped[1:] if stripped.startswith("//") else stripped


def interpret_message(text: str, has_problem: bool, feedback_offer: int | None) -> Command:
    """What a plain message means right now (module docstring): /problem, /feedback or /chat."""
    message = plain_text(text)
    if not has_problem:
        return Command("problem", message, implicit=True)
    if feedback_offer is not None:
        return Command("feedback", message, implicit=True)
    return Command("chat", message, implicit=True)


def _check_arg(spec: CommandSpec, arg: str) -> str:
    usage = f"/{spec.name} {spec.usage}".rstrip()
    if spec.args == "none":
        if arg:
            raise CommandError(f"/{spec.name} takes no arguments: type just /{spec.name}")
        return arg
    if spec.args == "text":
        if not arg:
            raise CommandError(f"/{spec.name} needs text: {usage}")
        return arg
    if spec.args == "optional-text":
        return arg
    if spec.args == "on-off":
        if arg.lower() not in ("", "on", "off"):
            raise CommandError(f"/{spec.name} takes on or off, not {arg!r}: {usage}")
        return arg.lower()
    if spec.args == "count":
        if not arg:
            return str(RETRY_DEFAULT)
        if not arg.isdigit() or not 1 <= int(arg) <= RETRY_MAX:
            raise CommandError(f"/{spec.name} takes a whole number from 1 to {RETRY_MAX}, not {arg!r}: {usage}")
        return arg
    if spec.args == "name":
        if not NAME_PATTERN.fullmatch(arg):
            raise CommandError(f"/{spec.name} needs a NAME of letters, digits, '.', '_' or '-' "
                               f"(got {arg!r}): {usage}")
        return arg
    raise ValueError(f"command /{spec.name}: argument kind {spec.args!r} is unknown; use one of {ARG_KINDS}")


def split_function_flag(arg: str) -> tuple[str | None, str]:
    """`--function SIGNATURE TEXT` -> (SIGNATURE, TEXT), SIGNATURE being `name` or `name(a, b)`;
    anything else -> (None, arg)."""
    if not arg.startswith("--function"):
        return None, arg
    match = re.match(r"--function\s+(\w+(?:\([^)]*\))?)\s+(\S.*)", arg, re.DOTALL)
    if match is None:
        raise CommandError("/problem --function needs a name (or name(a, b)) and the problem: "
                           "/problem --function NAME TEXT")
    return match.group(1), match.group(2)
