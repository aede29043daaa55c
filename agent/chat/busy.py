"""Model work off the UI thread, and what Ctrl-C means while it runs.

One worker thread does every piece of model or sandbox work, so generation, grading and updates never
overlap (they share one model) and the main thread stays free to draw a spinner or stream tokens.

While work runs, Ctrl-C does not raise in the main thread: a KeyboardInterrupt landing inside rich's or the
policy's locks could leave them held. Instead the SIGINT handler only records the request; a generation
stops at the next token, and a grade or an update (which cannot stop halfway and keep the weights exact)
finishes, after which the command goes no further (`stop_requested`). Keys typed meanwhile are not echoed
over the spinner; they wait in the terminal and appear at the next prompt.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator


class Worker:
    """The single thread that does model and sandbox work for the chat."""

    def __init__(self, console) -> None:
        self.console = console
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-work")
        self.stop_requested = threading.Event()
        """Set by Ctrl-C during work; cleared when a new command starts."""

    def submit(self, fn: Callable[..., Any], *args, **kwargs) -> Future:
        return self._pool.submit(fn, *args, **kwargs)

    def run(self, label: str, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Run fn on the worker with a spinner naming the work; returns its result or raises its exception."""
        start = time.monotonic()
        # The handler goes in before the work starts, so no Ctrl-C can fall between the two.
        with working(self.stop_requested), self.console.status(label, spinner="dots") as status:
            future = self.submit(fn, *args, **kwargs)
            while True:
                try:
                    return future.result(timeout=0.1)
                except TimeoutError:
                    stopping = self.stop_requested.is_set()
                    note = " · Ctrl-C noted: finishing this step, then stopping" if stopping else ""
                    status.update(f"{label} · {time.monotonic() - start:.0f} s{note}")

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@contextmanager
def working(stop: threading.Event) -> Iterator[None]:
    """Within the block, Ctrl-C sets `stop` instead of raising KeyboardInterrupt, and typing is not echoed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        with _no_echo():
            yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _no_echo() -> Iterator[None]:
    try:
        import termios
    except ImportError:  # not a POSIX terminal: echo stays as it is
        yield
        return
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # no stdin, or one that is not a file (captured)
        fd = -1
    if fd < 0 or not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)  # TCSANOW keeps the typeahead for the next prompt
