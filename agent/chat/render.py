"""What the chat draws with rich: the problem and its tests, a grade table, the feedback, updates, stats, help.

Every function returns a renderable (or prints nothing itself), so the layout can be read in one place and the
app decides where it goes. Long fields are cut to a few lines: the table is for reading, the session files
keep everything.
"""

from __future__ import annotations

from typing import Iterable

from agent.chat.commands import COMMANDS, INPUT_HELP
from agent.chat.session import ChatSession, UpdateRecord
from tasks.model import Task, TestCase

VERDICT_STYLE = {"pass": "bold green", "wrong_answer": "bold red", "time_limit": "bold magenta",
                 "runtime_error": "bold red", "compile_error": "bold red", "infra_error": "bold yellow"}
FIELD_LINES = 4
FIELD_CHARS = 160


def clip(text: str | None, lines: int = FIELD_LINES, chars: int = FIELD_CHARS) -> str:
    """At most `lines` lines and `chars` characters, with a marker where something was cut."""
    if not text:
        return ""
    text = text.rstrip("\n")
    parts = text.splitlines()
    out = "\n".join(parts[:lines])
    if len(out) > chars:
        out = out[:chars]
    if len(parts) > lines or len(text) > len(out):
        out += " …"
    return out


def verdict_text(verdict: str | None):
    from rich.text import Text

    if verdict is None:
        return Text("not run", style="dim")
    mark = "✓ " if verdict == "pass" else "✗ "
    return Text(mark + verdict, style=VERDICT_STYLE.get(verdict, "bold"))


def problem_panel(task: Task, spec: str | None):
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    origin = spec or "typed by you"
    kind = f"function {task.func_name}" if task.kind == "functional" else task.kind
    body = [Text(task.statement.strip())]
    if task.starter_code:
        from rich.syntax import Syntax

        body += [Text("\nstarter code:", style="dim"), Syntax(task.starter_code, "python", theme="monokai")]
    body += [Text(""), tests_table(task.public_tests, "visible tests")]
    hidden = f" · {len(task.hidden_tests)} hidden tests" if task.hidden_tests else ""
    return Panel(Group(*body), title=f"[bold]{task.id}[/] · {task.title}",
                 subtitle=f"{origin} · {kind}{hidden}", title_align="left", subtitle_align="left")


def tests_table(tests: Iterable[TestCase], title: str):
    from rich.table import Table

    tests = list(tests)
    table = Table(title=title, title_justify="left", show_lines=True, expand=False)
    table.add_column("#", justify="right")
    table.add_column("input", overflow="fold")
    table.add_column("expected output", overflow="fold")
    for i, test in enumerate(tests, 1):
        table.add_row(str(i), clip(test.input, 6), clip(test.output, 6))
    if not tests:
        table.add_row("", "[dim]none yet: /test-add INPUT => EXPECTED[/]", "")
    return table


def grade_table(grade: dict, attempt_index: int):
    """Per-test rows from GradeResult.to_dict(): verdict, input, expected, got (or the error), time."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"attempt #{attempt_index} on the visible tests", title_justify="left",
                  show_lines=True, expand=False)
    for name, justify in (("#", "right"), ("verdict", "left"), ("input", "left"), ("expected", "left"),
                          ("got", "left"), ("time", "right")):
        table.add_column(name, justify=justify, overflow="fold")
    for test in grade.get("tests", []):
        got = clip(test.get("actual"))
        if test.get("error"):
            got = (got + "\n" if got else "") + clip(test["error"], 2)
        table.add_row(str(test["index"] + 1), verdict_text(test["verdict"]), clip(test.get("input")),
                      clip(test.get("expected")), Text(got), f"{test.get('seconds', 0.0):.2f} s")
    if not grade.get("tests"):
        table.add_row("", verdict_text(grade["verdict"]), "", "", clip(grade.get("message") or "", 3), "")
    return table


def hidden_line(hidden: dict | None) -> str:
    if hidden is None:
        return ""
    if hidden["verdict"] == "pass":
        return f"hidden tests: [green]all {hidden['total']} pass[/]"
    return (f"hidden tests: [red]{hidden['verdict']}[/] after {hidden['passed']} of {hidden['total']} passed "
            f"(their inputs are not shown to the model)")


def verdict_line(verdict: str, attempt_index: int, seconds: float) -> str:
    style = VERDICT_STYLE.get(verdict, "bold")
    if verdict == "pass":
        return f"[{style}]✓ PASS[/] attempt #{attempt_index} passes every test ({seconds:.1f} s)"
    return f"[{style}]✗ {verdict}[/] attempt #{attempt_index} ({seconds:.1f} s)"


def feedback_panel(text: str, title: str = "feedback the learner would see"):
    from rich.panel import Panel
    from rich.text import Text

    return Panel(Text(text), title=title, title_align="left", border_style="yellow")


def offer_line(attempt_index: int) -> str:
    return (f"[bold yellow]▶ your next plain message will be taken as FEEDBACK on attempt #{attempt_index}[/] "
            f"and learned from (SDPO). [dim]/learn uses the test feedback instead · /chat TEXT just talks · "
            f"/skip cancels[/]")


def update_line(record: UpdateRecord) -> str:
    if record.skipped:
        return (f"[yellow]update #{record.index}: no step taken[/] (the learner found no signal in attempt "
                f"#{record.attempt})")
    source = {"tests": "test feedback", "words": "your feedback", "teach": "your solution (SDFT)"}[record.source]
    after = f" → {record.kl_after:.4f}" if record.kl_after is not None else ""
    return (f"[bold cyan]update #{record.index}[/] from {source} on attempt #{record.attempt} · "
            f"loss {record.loss:.4f} · KL {record.kl_before:.4f}{after} · {record.tokens} tokens · "
            f"{record.seconds:.1f} s")


def attempt_footer(index: int, tokens: int, first_token_s: float | None, seconds: float, stopped: bool,
                   has_code: bool, origin: str, cut: bool = False) -> str:
    """The dim line under an answer; `cut`: generation hit the --max-new-tokens cap."""
    parts = [f"attempt #{index}" if origin == "problem" else f"reply #{index} (conversation)",
             f"{tokens} tokens"]
    if first_token_s is not None:
        parts.append(f"first token {first_token_s:.2f} s")
    parts.append(f"{seconds:.1f} s")
    if stopped:
        parts.append("[yellow]stopped by Ctrl-C[/]")
    elif cut:
        parts.append("[yellow]cut at --max-new-tokens[/]")
    if not has_code:
        parts.append("[yellow]no code block[/]")
    return "[dim]" + " · ".join(parts) + "[/]"


def stats_view(session: ChatSession, undo_depth: int):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    updates = Table(title="updates", title_justify="left")
    for name in ("#", "source", "attempt", "loss", "KL before", "KL after", "tokens", "time", "state"):
        updates.add_column(name, justify="right" if name not in ("source", "state") else "left")
    for u in session.state.updates:
        updates.add_row(str(u.index), u.source, f"#{u.attempt}", "-" if u.skipped else f"{u.loss:.4f}",
                        f"{u.kl_before:.4f}", "-" if u.kl_after is None else f"{u.kl_after:.4f}", str(u.tokens),
                        f"{u.seconds:.1f} s", "skipped" if u.skipped else u.state)
    verdicts = Table(title="attempts", title_justify="left")
    verdicts.add_column("verdict")
    verdicts.add_column("count", justify="right")
    for verdict, count in sorted(session.verdict_counts().items()):
        verdicts.add_row(verdict_text(verdict) if verdict in VERDICT_STYLE else Text(verdict), str(count))
    firsts = [a.first_token_s for a in session.state.attempts if a.first_token_s is not None]
    latency = f" · first token: median {sorted(firsts)[len(firsts) // 2]:.2f} s" if firsts else ""
    summary = Text.from_markup(
        f"adapter in use: [bold]{session.describe_adapter()}[/] · /undo can revert {undo_depth} · "
        f"attempts: {len(session.state.attempts)}{latency}")
    return Group(summary, updates, verdicts)


def help_view():
    from rich.table import Table

    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    from rich.markup import escape

    for c in COMMANDS:
        table.add_row(escape(f"/{c.name} {c.usage}".rstrip()), escape(c.help))
    for line in INPUT_HELP:
        table.add_row("", f"[dim]{escape(line)}[/]")
    table.add_row("", "[dim]A plain message is the problem (none yet), FEEDBACK (after a failed /run, marked on the"
                      " prompt), or conversation.[/]")
    return table
