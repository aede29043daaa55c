"""Live progress for run and bench: one line per attempt and per update, and a status bar with an ETA."""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

VERDICT_STYLE = {
    "pass": "bold green", "wrong_answer": "red", "time_limit": "yellow", "runtime_error": "magenta",
    "compile_error": "magenta", "infra_error": "bold red",
}


class Reporter:
    def __init__(self, budget: int, console: Console | None = None):
        self.console = console or Console(highlight=False)
        self.budget = budget
        self.total_units = 0
        self.done_units = 0
        self.started = time.perf_counter()
        self.done_at_start = 0

    def start(self, units, done: dict, resumed: bool) -> None:
        self.total_units = len(units)
        self.done_units = sum(1 for u in units if u.key in done)
        self.done_at_start = self.done_units
        note = f" (resuming: {self.done_units} of {self.total_units} done)" if self.done_units or resumed else ""
        self.console.print(f"[bold]{self.total_units} problem runs, budget K={self.budget}[/]{note}")

    def _eta(self) -> str:
        finished_here = self.done_units - self.done_at_start
        if finished_here <= 0 or self.done_units >= self.total_units:
            return "-"
        remaining = (time.perf_counter() - self.started) / finished_here * (self.total_units - self.done_units)
        return f"{int(remaining // 60)}m{int(remaining % 60):02d}s"

    def attempt(self, unit, a, budget: int | None = None) -> None:
        """One attempt's line; `budget` is this unit's own (best-of-k in bench draws K x R samples)."""
        style = VERDICT_STYLE.get(a.verdict, "")
        tag = f"{unit.method}" + (f" seed {unit.seed}" if unit.method != "none" else "")
        self.console.print(
            f"[dim]{self.done_units + 1}/{self.total_units}[/] {unit.problem:<14} {tag:<16} "
            f"attempt {a.index}/{budget or self.budget}  [{style}]{a.verdict:<13}[/] "
            f"feedback={a.feedback_kind:<13} {len(a.response_ids):>4} tok  "
            f"gen {a.gen_seconds:5.1f}s  grade {a.grade_seconds:4.2f}s"
        )

    def update(self, unit, stats) -> None:
        if stats.skipped:
            self.console.print(f"    [dim]update skipped: no episode carried signal[/]")
            return
        after = f"{stats.kl_after:.4f}" if stats.kl_after is not None else "-"
        self.console.print(
            f"    [cyan]update[/] loss {stats.loss:.4f}  KL {stats.kl_before:.4f} -> {after}  "
            f"grad {stats.grad_norm:.3f}  {stats.tokens} tok  {stats.seconds:.1f}s"
            + (f"  no-signal {stats.no_signal}" if stats.no_signal else "")
        )

    def unit_done(self, unit, outcome) -> None:
        self.done_units += 1
        result = f"[green]solved at attempt {outcome.solved_at}[/]" if outcome.solved_at else "[red]not solved[/]"
        self.console.print(f"  {unit.problem}: {result}  (ETA {self._eta()})")


def outcome_table(title: str, rows: list[tuple[str, str, int | None, int]], budget: int) -> Table:
    """Rows: (problem, title, solved_at, attempts). Marks which attempt solved each problem."""
    table = Table(title=title)
    table.add_column("problem")
    table.add_column("title")
    for k in range(1, budget + 1):
        table.add_column(str(k), justify="center")
    table.add_column("solved at", justify="right")
    for problem, name, solved_at, attempts in rows:
        cells = []
        for k in range(1, budget + 1):
            if solved_at == k:
                cells.append("[bold green]✓[/]")
            elif k <= attempts:
                cells.append("[red]·[/]")
            else:
                cells.append("")
        table.add_row(problem, name[:32], *cells, str(solved_at) if solved_at else "-")
    return table
