"""`autodidact chat` end to end: the real program in a real terminal (tmux), the embedded model, the Docker
sandbox. Load a starter task, run its answer, learn, undo, save, leave; then resume the session. Assertions
are on what the screen shows and on the files the session wrote."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.docker]

ROOT = Path(__file__).resolve().parents[1]
CHAT = [str(Path(sys.executable).with_name("autodidact")), "chat"]
TASK = "starter:ad-001"
# Model load, generation and updates share two CPU cores with everything else: generous waits.
WAIT = 300


class Screen:
    """A program running in its own tmux server, read back as the screen (with scrollback) shows it."""

    def __init__(self, command: list[str], width: int = 140, height: int = 50) -> None:
        # A private tmux server (its own socket) started from here, so the program inherits this environment.
        self.socket = f"autodidact-test-{uuid.uuid4().hex[:8]}"
        # COLUMNS/LINES (pytest sets them) would override the terminal's real size. The shell stays after the
        # program ends so its last screen can still be read.
        script = (f"cd {shlex.quote(str(ROOT))} && env -u COLUMNS -u LINES {shlex.join(command)}; "
                  f"echo EXIT=$?; sleep 600")
        self._tmux("new-session", "-d", "-s", "chat", "-x", str(width), "-y", str(height), script)
        self._tmux("set-option", "-t", "chat", "history-limit", "20000")

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def text(self) -> str:
        """Everything shown so far, wrapped lines joined."""
        return self._tmux("capture-pane", "-p", "-J", "-t", "chat", "-S", "-")

    def send(self, line: str) -> None:
        self._tmux("send-keys", "-t", "chat", "-l", line)
        self._tmux("send-keys", "-t", "chat", "Enter")

    def type(self, text: str) -> None:
        """Type text without pressing Enter."""
        self._tmux("send-keys", "-t", "chat", "-l", text)

    def key(self, name: str) -> None:
        """Press one key, named as tmux names them (C-c, C-d)."""
        self._tmux("send-keys", "-t", "chat", name)

    def wait_for(self, pattern: str, after: int = 0, timeout: float = WAIT, poll: float = 0.5) -> re.Match:
        """The first match of `pattern` in the screen text past offset `after`; fails with the screen shown."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.text()
            match = re.compile(pattern, re.MULTILINE).search(shown, after)
            if match:
                return match
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {pattern!r}; screen:\n{shown[-4000:]}")
            time.sleep(poll)

    def wait_prompt(self, after: int) -> int:
        """Wait until the chat asks for the next message; returns the offset just past that prompt."""
        return self.wait_for(r"^(you|feedback on #\d+|problem) › *$", after).end()

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def chat_home(tmp_path):
    if shutil.which("tmux") is None:
        # Setup installs tmux (scripts/system_packages.sh): a missing one is a setup defect, not a reason to
        # pass quietly, unless the user opts out.
        if os.environ.get("AUTODIDACT_SKIP_TMUX") == "1":
            pytest.skip("AUTODIDACT_SKIP_TMUX=1 and tmux is not installed")
        pytest.fail("tmux is not installed: run `bash scripts/setup.sh` (as root on Debian it installs it) or "
                    "apt-get install tmux; set AUTODIDACT_SKIP_TMUX=1 to skip the chat tests", pytrace=False)
    return tmp_path / "home"


def start(home: Path, *extra: str) -> Screen:
    return Screen([*CHAT, "--home", str(home), "--max-new-tokens", "96", "--seed", "0", *extra])


def state_of(home: Path) -> tuple[Path, dict]:
    sessions = [d for d in home.iterdir() if (d / "session.json").is_file()]
    assert len(sessions) == 1, sessions
    return sessions[0], json.loads((sessions[0] / "session.json").read_text())


def test_chat_run_learn_undo_save_exit_then_resume(chat_home):
    screen = start(chat_home, "--task", TASK)
    try:
        # The task loads with its statement and visible tests, and the first answer streams.
        screen.wait_for(r"ad-001 · Two Integers Added")
        screen.wait_for(r"visible tests")
        first = screen.wait_for(r"attempt #1 · (\d+) tokens · first token ([\d.]+) s")
        assert int(first.group(1)) > 0
        pos = screen.wait_prompt(first.end())

        # /run: a per-test table with every column, the verdict, and the feedback the learner would see.
        screen.send("/run")
        table = screen.wait_for(r"attempt #1 on the visible tests", pos)
        verdict = screen.wait_for(r"(✓ PASS|✗ \w+) attempt #1 \(", table.end())
        shown = screen.text()[table.start():verdict.end()]
        for column in ("verdict", "input", "expected", "got", "time"):
            assert column in shown
        assert "3 4" in shown and "-10 25" in shown  # the visible tests' inputs
        passed = verdict.group(1) == "✓ PASS"
        if not passed:
            screen.wait_for(r"feedback the learner would see", verdict.end())
            screen.wait_for(r"next plain message will be taken as FEEDBACK on attempt #1", verdict.end())
        pos = screen.wait_prompt(verdict.end())

        # /learn: one SDPO update from the test feedback, then a fresh attempt from the updated weights.
        # (Should the model already pass, its tests teach nothing; the user's words take their place.)
        if passed:
            screen.send("/feedback Print only the sum, nothing else.")
            update = screen.wait_for(r"update #1 from your feedback on attempt #1 · loss [\d.]+ · KL", pos)
        else:
            screen.send("/learn")
            update = screen.wait_for(r"update #1 from test feedback on attempt #1 · loss [\d.]+ · KL", pos)
        screen.wait_for(r"attempt #2 · base \+ 1 update", update.end())
        second = screen.wait_for(r"attempt #2 · \d+ tokens", update.end())
        pos = screen.wait_prompt(second.end())
        session_dir, state = state_of(chat_home)
        assert [u["state"] for u in state["updates"]] == ["active"]
        assert state["updates"][0]["tokens"] > 0
        assert (session_dir / "adapter" / "adapter_model.safetensors").is_file()

        # /undo: the update leaves the weights; the session's adapter goes back to none (base weights).
        screen.send("/undo")
        undo = screen.wait_for(r"undid update #1 .*exactly as before it · adapter: base weights", pos)
        pos = screen.wait_prompt(undo.end())
        _, state = state_of(chat_home)
        assert [u["state"] for u in state["updates"]] == ["undone"]
        assert not (session_dir / "adapter").exists()

        screen.send("/undo")
        pos = screen.wait_prompt(screen.wait_for(r"nothing to undo", pos).end())

        # /save NAME keeps the adapter for later sessions.
        screen.send("/save kept-1")
        saved = screen.wait_for(r"saved adapter kept-1", pos)
        pos = screen.wait_prompt(saved.end())
        assert (chat_home / "adapters" / "kept-1" / "adapter_model.safetensors").is_file()
        assert json.loads((chat_home / "adapters" / "kept-1" / "chat-adapter.json").read_text())["name"] == "kept-1"

        # Ctrl-C stops an answer without leaving (pressed as soon as the answer starts); at the prompt it
        # only clears the line.
        screen.send("/attempt")
        screen.wait_for(r"attempt #3 · base weights", pos, poll=0.05)
        screen.key("C-c")
        stopped = screen.wait_for(r"attempt #3 · \d+ tokens .*stopped by Ctrl-C", pos)
        pos = screen.wait_prompt(stopped.end())
        screen.type("half a thought")
        screen.key("C-c")
        screen.send("/frobnicate")
        pos = screen.wait_prompt(screen.wait_for(r"unknown command /frobnicate: /help lists the commands", pos).end())

        screen.send("/exit")
        screen.wait_for(r"resume with: autodidact chat --home \S+ --resume \S+", pos)
        screen.wait_for(r"EXIT=0", pos)
    finally:
        screen.close()

    # The files the session wrote: state, transcript, the configuration it ran with, the input history.
    session_dir, state = state_of(chat_home)
    attempts = state["attempts"]
    assert [a["index"] for a in attempts] == [1, 2, 3]
    assert [a["stopped"] for a in attempts] == [False, False, True]
    assert all(a["ids"] and a["origin"] == "problem" and a["task_id"] == "ad-001" for a in attempts[:2])
    assert attempts[0]["verdict"] is not None and len(attempts[0]["grade"]["tests"]) == 2
    assert state["task_spec"] == TASK
    kinds = [e["kind"] for e in map(json.loads, (session_dir / "transcript.jsonl").read_text().splitlines())]
    for kind in ("problem", "assistant", "run", "update", "user", "hint"):
        assert kind in kinds
    assert "half a thought" not in (session_dir / "transcript.jsonl").read_text()  # Ctrl-C discarded it
    assert json.loads((session_dir / "config.json").read_text())["task"] == TASK
    history = (chat_home / "history").read_text()
    assert "+/run" in history and "+/save kept-1" in history

    # --resume brings the session back: the problem, the attempts, the update history.
    screen = start(chat_home, "--resume", state["id"])
    try:
        resumed = screen.wait_for(rf"resumed session {state['id']}: 3 attempts, adapter: base weights")
        pos = screen.wait_prompt(resumed.end())
        screen.send("/stats")
        stats = screen.wait_for(r"adapter in use: base weights", pos)
        screen.wait_for(r"│ 1 │ (tests|words) .*│ undone", stats.end())
        pos = screen.wait_prompt(stats.end())
        screen.send("/load kept-1")
        pos = screen.wait_prompt(screen.wait_for(r"loaded adapter kept-1", pos).end())
        screen.key("C-d")  # Ctrl-D on an empty line leaves
        screen.wait_for(r"resume with: autodidact chat --home \S+ --resume \S+", pos)
        screen.wait_for(r"EXIT=0", pos)
    finally:
        screen.close()
    _, state = state_of(chat_home)
    assert state["adapter_base"] == "loaded:kept-1"
