"""The chat loop: start (session, model, sandbox), then read a message, dispatch it, and repeat until /exit
or Ctrl-D.

The model is loaded and warmed up BEFORE the first prompt appears, so the first answer starts streaming
within the latency budget. A handler's one-line hint (CommandError and the problem/task input errors) is
printed and the loop goes on; any other failure is shown in one line, written to the transcript with its
traceback, and the loop still goes on: a bad step never costs the session.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from agent.chat import actions, learning, render
from agent.chat.busy import Worker
from agent.chat.commands import CommandError, interpret_message, parse_line
from agent.chat.config import DEFAULT_MODEL, ChatConfig
from agent.chat.engine import ChatEngine, SandboxMissing
from agent.chat.keys import ChatInput, escape
from agent.chat.problem import ProblemInputError
from agent.chat.session import ChatSession, SessionError, chat_home

HANDLERS = {
    "task": actions.cmd_task, "problem": actions.cmd_problem, "test-add": actions.cmd_test_add,
    "attempt": actions.cmd_attempt, "run": actions.cmd_run, "auto": actions.cmd_auto, "chat": actions.cmd_chat,
    "skip": actions.cmd_skip, "stats": actions.cmd_stats, "help": actions.cmd_help,
    "learn": learning.cmd_learn, "feedback": learning.cmd_feedback, "teach": learning.cmd_teach,
    "retry": learning.cmd_retry, "undo": learning.cmd_undo, "reset": learning.cmd_reset,
    "save": learning.cmd_save, "load": learning.cmd_load,
}
HISTORY_FILE = "history"


class ChatApp:
    """One run of `autodidact chat`."""

    def __init__(self, config: ChatConfig, console=None) -> None:
        from rich.console import Console

        self.config = config
        self.console = console or Console(highlight=False)
        self.home = Path(config.home).expanduser() if config.home else chat_home()
        self.session: ChatSession | None = None
        self.engine = ChatEngine(config)
        self.worker = Worker(self.console)
        self.input: ChatInput | None = None

    # ---- the loop ------------------------------------------------------------------------------------------

    def run(self) -> int:
        # A closed terminal (SIGHUP) or a kill (SIGTERM) leaves through the same cleanup as /exit, so the
        # sandbox containers are removed and the session's last line is written.
        previous = {signum: signal.getsignal(signum) for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)}
        for signum in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(signum, _leave)
        try:
            try:
                self._start()
            except SessionError as e:
                self.console.print(f"[red]error:[/] {e}")
                return 2
            self._loop()
        finally:
            # Nothing may cut the cleanup short: a hang-up or a kill arriving now (often right after /exit)
            # waits until the containers are gone. Containers and the worker go first: on a closed terminal
            # the prints below may fail.
            for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)
            self.engine.close()
            self.worker.close()
            if self.session is not None:
                self.session.log("info", "session closed")
                home = f" --home {self.home}" if self.config.home else ""
                with contextlib.suppress(OSError):
                    self.console.print(f"[dim]session saved in {self.session.dir}[/]")
                    self.console.print(f"[dim]resume with: autodidact chat{home} --resume {self.session.state.id}[/]")
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 0

    def _loop(self) -> None:
        while True:
            try:
                text = self.input.read(*self._prompt())
            except KeyboardInterrupt:
                continue
            except EOFError:
                return
            if text.strip() and not self.dispatch(text):
                return

    def dispatch(self, text: str) -> bool:
        """Handle one message; False when the user asked to leave."""
        self.worker.stop_requested.clear()
        try:
            cmd = parse_line(text)
            if cmd is None:
                cmd = interpret_message(text, self.session.task is not None, self.session.state.feedback_offer)
            else:
                self.session.log("user", text.strip(), meaning="command")
            if cmd.name == "exit":
                return False
            HANDLERS[cmd.name](self, cmd)
        except (CommandError, ProblemInputError, SandboxMissing) as e:
            self.hint(str(e))
        except Exception as e:  # one failed step must not end the session; the transcript keeps the details
            self.console.print(f"[red]error: {type(e).__name__}: {e}[/] [dim](the session goes on; details in "
                               f"{self.session.dir.name}/transcript.jsonl)[/]")
            self.session.log("error", f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        return True

    # ---- helpers handlers use ------------------------------------------------------------------------------

    def hint(self, message: str) -> None:
        self.console.print(f"[yellow]{message}[/]")
        self.session.log("hint", message)

    def ask(self, question: str) -> str:
        """A sub-prompt for a multi-line value (a test input, a pasted solution); Ctrl-C abandons the command."""
        self.console.print(f"[bold]{question}[/]")
        try:
            return self.input.read("<b>…</b> › ")
        except (KeyboardInterrupt, EOFError):
            raise CommandError("cancelled") from None

    # ---- start ---------------------------------------------------------------------------------------------

    def _start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.config.resume:
            self.session = ChatSession.resume(self.home, self.config.resume)
            recorded = self.session.state.model
            if self.config.model is None:
                self.config.model = recorded  # its adapter only fits the model it was trained on
            elif self.config.model != recorded:
                self.console.print(f"[yellow]this session was recorded with {recorded}; its adapter will not fit "
                                   f"{self.config.model}: leave out --model to continue with {recorded}[/]")
        else:
            self.config.model = self.config.model or DEFAULT_MODEL
            self.session = ChatSession.create(self.home, self.config.model, self.config.sandbox)
            self.session.state.auto = self.config.auto
            self.session.save()
        (self.session.dir / "config.json").write_text(json.dumps(asdict(self.config), indent=1) + "\n")
        self.console.print(f"[bold]autodidact chat[/] · model {self.config.model} · sandbox {self.config.sandbox}"
                           f" · session {self.session.state.id}")
        t0 = time.perf_counter()
        with self.console.status("loading the model") as status:
            timings = self.engine.load(on_step=lambda step: status.update(step))
        self.console.print(f"[dim]model ready in {time.perf_counter() - t0:.1f} s (load {timings['model']:.1f} s, "
                           f"warm-up {timings['warmup']:.1f} s)[/]")
        if self.engine.sandbox_problem:
            self.console.print(f"[yellow]grading is unavailable: {self.engine.sandbox_problem}[/]")
        self.input = ChatInput(self.home / HISTORY_FILE)
        if self.config.resume:
            self._restore()
        self.session.log("info", f"session started (model {self.config.model})")
        if self.config.task:
            self.dispatch(f"/task {self.config.task}")
        elif self.session.task is None:
            self.console.print("Type a problem, or /task TASKSET:ID (e.g. /task starter:ad-001). /help lists "
                               "the commands.")

    def _restore(self) -> None:
        """Bring back the resumed session's weights and show where it stood."""
        if self.session.adapter_dir.is_dir():
            try:
                self.worker.run("restoring the session's adapter", self.engine.load_adapter, self.session.adapter_dir)
            except (ValueError, FileNotFoundError) as e:  # the adapter's own check names the mismatch
                self.session.mark_all("reset", base="base")
                kept = self.session.adapter_dir.with_name("adapter.unrestored")
                shutil.rmtree(kept, ignore_errors=True)
                self.session.adapter_dir.replace(kept)
                self.hint(f"could not restore the session's adapter ({e}); it is kept in {kept}; "
                          f"continuing from the base weights")
        self.console.print(f"resumed session {self.session.state.id}: {len(self.session.state.attempts)} attempts,"
                           f" adapter: {self.session.describe_adapter()}")
        if self.session.task is not None:
            self.console.print(render.problem_panel(self.session.task, self.session.state.task_spec))
        latest = self.session.latest_attempt()
        if latest is not None:
            self.console.print(f"latest: attempt #{latest.index}, {render.verdict_text(latest.verdict)}")
        if self.session.state.feedback_offer is not None:
            self.console.print(render.offer_line(self.session.state.feedback_offer))

    def _prompt(self) -> tuple[str, str]:
        """The prompt marker and the status line: what a plain message means now, and where the session is."""
        s = self.session
        offer = s.state.feedback_offer
        if s.task is None:
            marker = "<b>problem</b> › "
        elif offer is not None:
            marker = f"<style fg='ansiyellow'><b>feedback on #{offer}</b></style> › "
        else:
            marker = "<b>you</b> › "
        parts = [f"problem: {escape(s.task.id)}" if s.task else "no problem"]
        latest = s.latest_attempt()
        if latest is not None:
            parts.append(f"#{latest.index} {latest.verdict or 'not run'}")
        parts.append(escape(s.describe_adapter()))
        parts.append(f"auto {'on' if s.state.auto else 'off'}")
        if offer is not None:
            parts.append(f"<b>next plain message = feedback on #{offer}</b> (/chat TEXT talks, /skip cancels)")
        return marker, " · ".join(parts)


def _leave(signum, frame) -> None:
    # A hang-up often comes twice (from the terminal, then from the shell): one is enough to leave.
    for other in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(other, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def run_chat(config: ChatConfig) -> int:
    """Entry point for `autodidact chat`."""
    return ChatApp(config).run()
