"""Streaming an answer to the screen token by token, code blocks syntax-highlighted once they are complete.

The worker thread pulls text pieces from the policy and queues them; the main thread draws. Finished prose
lines are printed as they end; the line being written, or the code block being written, sits in a small live
region below them (a code block shows plain until its closing fence, then is printed highlighted in place).
A block the answer never closes is highlighted when the answer ends, as code extraction also counts it.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from agent.chat.busy import Worker, working

_FENCE = re.compile(r"^\s*```+\s*([\w+.#-]*)\s*$")
CODE_THEME = "monokai"
_DONE = object()


@dataclass
class StreamResult:
    text: str
    """Everything that was shown (the policy's own record, last_generation, is the one to keep)."""
    stopped: bool
    """Ctrl-C stopped the generation."""
    first_token_s: float | None
    """Seconds from the start of streaming to the first visible piece."""
    seconds: float
    error: BaseException | None = None


class AnswerView:
    """Turns streamed text into screen output: prose lines, then highlighted code blocks."""

    def __init__(self, console) -> None:
        self.console = console
        self.pending = ""
        self.code: list[str] | None = None
        self.lang = "python"

    def feed(self, piece: str) -> None:
        self.pending += piece
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self._line(line)

    def finish(self) -> None:
        if self.pending:
            self._line(self.pending)
            self.pending = ""
        if self.code is not None:
            self._print_code()

    def live(self):
        """The part still being written: the open code block (its last lines) or the current prose line."""
        from rich.text import Text

        if self.code is None:
            return Text(self.pending)
        room = max(self.console.height - 6, 4)
        lines = self.code[-room:] + [self.pending]
        return Text("\n".join(lines), style="dim")

    def _line(self, line: str) -> None:
        from rich.text import Text

        fence = _FENCE.match(line)
        if self.code is None:
            if fence:
                self.code, self.lang = [], fence.group(1).lower() or "python"
            else:
                self.console.print(Text(line))
        elif fence and not fence.group(1):
            self._print_code()
        else:
            self.code.append(line)

    def _print_code(self) -> None:
        from rich.syntax import Syntax

        lexer = {"py": "python", "python3": "python", "": "python"}.get(self.lang, self.lang)
        self.console.print(Syntax("\n".join(self.code or [""]), lexer, theme=CODE_THEME, word_wrap=True,
                                  padding=(0, 1)))
        self.code = None


def stream_answer(console, worker: Worker, pieces: Callable[[threading.Event], Iterator[str]]) -> StreamResult:
    """Draw the answer that `pieces(stop_event)` yields; Ctrl-C sets the stop event and the answer ends early."""
    from rich.live import Live

    stop = threading.Event()
    q: queue.Queue = queue.Queue()

    def produce() -> None:
        try:
            for piece in pieces(stop):
                q.put(piece)
        except BaseException as e:  # shown by the main thread; the worker must not die silently
            q.put(e)
        finally:
            q.put(_DONE)

    view = AnswerView(console)
    chunks: list[str] = []
    start = time.perf_counter()
    first: float | None = None
    error: BaseException | None = None
    with working(stop), Live(view.live(), console=console, refresh_per_second=12, transient=True) as live:
        worker.submit(produce)
        while True:
            try:
                item = q.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                error = item
                continue
            if first is None and item:
                first = time.perf_counter() - start
            chunks.append(item)
            view.feed(item)
            live.update(view.live())
        view.finish()
        live.update("")
    return StreamResult("".join(chunks), stop.is_set(), first, time.perf_counter() - start, error)
