"""A chat session's state and the files it keeps, written as it goes so `--resume` can pick it up again.

A session directory, <home>/chat/<session-id>/ (home: $AUTODIDACT_HOME, else ~/.cache/autodidact), holds:
    session.json      the state: the problem, every attempt (text, token ids, verdicts, feedback), every
                      update (its source and statistics, and whether it is still in the weights)
    transcript.jsonl  the conversation as shown, one event per line, appended as it happens
    adapter/          the adapter in use, rewritten after every change of weights; absent at base weights
Named adapters (/save NAME) live in <home>/chat/adapters/NAME/ so that any later session can /load them.

session.json is replaced atomically (temporary file + rename) after each change, so a crash or a kill loses
at most the step that was in flight and never leaves a half-written state.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tasks.model import Task

from agent.chat.problem import task_from_dict, task_to_dict

STATE_FILE = "session.json"
TRANSCRIPT_FILE = "transcript.jsonl"
ADAPTER_DIR = "adapter"
ORIGINS = ("problem", "conversation")
UPDATE_SOURCES = ("tests", "words", "teach")
UPDATE_STATES = ("active", "undone", "reset", "replaced")
CONVERSATION_WINDOW = 7
"""Most follow-up messages put in the model's context (odd: the attempt, then user/assistant pairs, then the
newest user turn); the middle drops out first."""


def chat_home() -> Path:
    """<home>/chat, where sessions, named adapters and the input history live."""
    root = os.environ.get("AUTODIDACT_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "autodidact")
    return Path(root) / "chat"


class SessionError(RuntimeError):
    """A session cannot be found or read; the message says how to start or pick one."""


@dataclass
class Attempt:
    """One answer from the model, kept with everything needed to grade it and to learn from it."""

    index: int
    """1-based number shown in the UI (attempt #3)."""
    text: str
    ids: list[int]
    """The generated token ids exactly as sampled; the learner needs them, never a re-tokenization."""
    prompt: str
    """The user turn the model saw: the plain problem prompt for a 'problem' attempt."""
    system: str | None
    origin: str
    """'problem' (generated from the plain problem prompt, so the learner can use it) or 'conversation'
    (a reply inside a follow-up conversation, which the learner's prompt/response shape cannot express)."""
    task_id: str
    code: str | None = None
    """The last fenced code block, or None when the answer has none."""
    seconds: float = 0.0
    first_token_s: float | None = None
    stopped: bool = False
    """Cut short by Ctrl-C."""
    grade: dict | None = None
    """GradeResult.to_dict() on the visible tests, all of them run (stop_on_failure off)."""
    hidden: dict | None = None
    """{'verdict', 'passed', 'total'} on the hidden tests, run only when every visible test passed."""
    feedback: str | None = None
    """The feedback text the learner sees for this attempt (None when it passed)."""
    verdict: str | None = None
    """Overall verdict over all tests; None until /run."""

    @property
    def learnable(self) -> bool:
        return self.origin == "problem" and bool(self.ids)


@dataclass
class UpdateRecord:
    """One learner update as the session saw it."""

    index: int
    source: str
    """'tests' (/learn: feedback from failing tests), 'words' (the user's feedback), 'teach' (a demonstration)."""
    attempt: int
    text: str
    """The feedback or demonstration put into the teacher context."""
    loss: float = 0.0
    kl_before: float = 0.0
    kl_after: float | None = None
    grad_norm: float = 0.0
    tokens: int = 0
    seconds: float = 0.0
    skipped: bool = False
    """The learner found no signal and took no step."""
    state: str = "active"
    """active (in the weights), undone, reset (wiped by /reset) or replaced (by /load)."""


@dataclass
class SessionState:
    """Everything session.json holds."""

    id: str
    created: str
    model: str
    sandbox: str
    task: dict | None = None
    task_spec: str | None = None
    """TASKSET:ID when the problem was loaded, None when typed."""
    typed_count: int = 0
    auto: bool = False
    attempts: list[Attempt] = field(default_factory=list)
    updates: list[UpdateRecord] = field(default_factory=list)
    conversation: list[dict] = field(default_factory=list)
    """Follow-up turns after the problem prompt ({'role', 'content'}), newest last."""
    feedback_offer: int | None = None
    """Attempt number that the next plain message will be taken as feedback on; None: plain messages are talk."""
    adapter_base: str = "base"
    """What the updates sit on: 'base' or 'loaded:NAME'."""
    saved_adapters: list[str] = field(default_factory=list)


class ChatSession:
    """The state of one chat and the directory it is written to."""

    def __init__(self, state: SessionState, directory: Path) -> None:
        self.state = state
        self.dir = directory
        self._task: Task | None = task_from_dict(state.task) if state.task else None

    # ---- creating and finding sessions -------------------------------------------------------------------

    @classmethod
    def create(cls, home: Path, model: str, sandbox: str) -> "ChatSession":
        directory = new_session_dir(home)
        session = cls(SessionState(id=directory.name, created=_now(), model=model, sandbox=sandbox), directory)
        session.save()
        return session

    @classmethod
    def resume(cls, home: Path, which: str) -> "ChatSession":
        """Open a saved session by id, by path, or 'latest' (the most recently written)."""
        directory = find_session(home, which, "session", "start one with `autodidact chat`")
        path = directory / STATE_FILE
        try:
            raw = json.loads(path.read_text())
            raw["attempts"] = [Attempt(**a) for a in raw.get("attempts", [])]
            raw["updates"] = [UpdateRecord(**u) for u in raw.get("updates", [])]
            state = SessionState(**raw)
        except (json.JSONDecodeError, TypeError) as e:
            raise SessionError(f"{path} is not a session file this version can read ({e}): "
                               f"start a new session without --resume") from None
        return cls(state, directory)

    # ---- persistence -----------------------------------------------------------------------------------------

    def save(self) -> None:
        path = self.dir / STATE_FILE
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self.state), indent=1))
        os.replace(tmp, path)

    def log(self, kind: str, text: str, **extra) -> None:
        """Append one event to the transcript: user, assistant, info, problem, run, update, feedback."""
        event = {"time": _now(), "kind": kind, "text": text, **extra}
        with open(self.dir / TRANSCRIPT_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")

    def transcript(self) -> list[dict]:
        path = self.dir / TRANSCRIPT_FILE
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    @property
    def adapter_dir(self) -> Path:
        return self.dir / ADAPTER_DIR

    # ---- the problem -----------------------------------------------------------------------------------------

    @property
    def task(self) -> Task | None:
        return self._task

    def set_problem(self, task: Task, spec: str | None) -> None:
        """Switch to a new problem: the follow-up conversation and any pending feedback offer end here."""
        self._task = task
        self.state.task = task_to_dict(task)
        self.state.task_spec = spec
        self.state.conversation = []
        self.state.feedback_offer = None
        self.save()

    def update_problem(self, task: Task) -> None:
        """Replace the current problem by an edited version of it (same id, e.g. one more test)."""
        self._task = task
        self.state.task = task_to_dict(task)
        self.save()

    # ---- attempts --------------------------------------------------------------------------------------------

    def add_attempt(self, **fields) -> Attempt:
        if fields.get("origin") not in ORIGINS:
            raise ValueError(f"attempt origin {fields.get('origin')!r} is unknown; use one of {ORIGINS}")
        attempt = Attempt(index=len(self.state.attempts) + 1, **fields)
        self.state.attempts.append(attempt)
        if attempt.origin == "problem":
            # A fresh attempt at the problem starts a new follow-up conversation about that attempt.
            self.state.conversation = [{"role": "assistant", "content": attempt.text}]
        else:
            self.state.conversation.append({"role": "assistant", "content": attempt.text})
        self.state.feedback_offer = None
        self.save()
        return attempt

    def attempt(self, index: int) -> Attempt:
        if not 1 <= index <= len(self.state.attempts):
            raise IndexError(f"no attempt #{index}: this session has {len(self.state.attempts)}")
        return self.state.attempts[index - 1]

    def latest_attempt(self) -> Attempt | None:
        """The newest attempt at the current problem, whatever its origin."""
        task_id = self._task.id if self._task else None
        for attempt in reversed(self.state.attempts):
            if attempt.task_id == task_id:
                return attempt
        return None

    def latest_with_code(self) -> Attempt | None:
        task_id = self._task.id if self._task else None
        for attempt in reversed(self.state.attempts):
            if attempt.task_id == task_id and attempt.code is not None:
                return attempt
        return None

    def latest_learnable(self) -> Attempt | None:
        """The newest attempt at the current problem that came from the plain problem prompt."""
        task_id = self._task.id if self._task else None
        for attempt in reversed(self.state.attempts):
            if attempt.task_id == task_id and attempt.learnable:
                return attempt
        return None

    def record_grade(self, attempt: Attempt, grade: dict, hidden: dict | None, feedback: str | None,
                     verdict: str) -> None:
        attempt.grade, attempt.hidden, attempt.feedback, attempt.verdict = grade, hidden, feedback, verdict
        failed = verdict not in ("pass", "infra_error")
        # Offer the next plain message as feedback only where the learner can use it, and only on the newest
        # attempt: feedback on an older answer would be read against the wrong response.
        if failed and attempt.learnable and attempt is self.latest_attempt():
            self.state.feedback_offer = attempt.index
        self.save()

    def add_user_turn(self, text: str) -> None:
        self.state.conversation.append({"role": "user", "content": text})
        self.save()

    # ---- updates ---------------------------------------------------------------------------------------------

    def add_update(self, **fields) -> UpdateRecord:
        if fields.get("source") not in UPDATE_SOURCES:
            raise ValueError(f"update source {fields.get('source')!r} is unknown; use one of {UPDATE_SOURCES}")
        record = UpdateRecord(index=len(self.state.updates) + 1, **fields)
        self.state.updates.append(record)
        self.state.feedback_offer = None
        self.save()
        return record

    def active_updates(self) -> list[UpdateRecord]:
        return [u for u in self.state.updates if u.state == "active" and not u.skipped]

    def mark_undone(self) -> UpdateRecord | None:
        """Mark the newest update still in the weights as undone; None when there is none."""
        active = self.active_updates()
        if not active:
            return None
        active[-1].state = "undone"
        self.save()
        return active[-1]

    def mark_all(self, state: str, base: str) -> int:
        """Every update still in the weights leaves them (reset or replaced by a load); returns how many."""
        if state not in UPDATE_STATES:
            raise ValueError(f"update state {state!r} is unknown; use one of {UPDATE_STATES}")
        active = self.active_updates()
        for record in active:
            record.state = state
        self.state.adapter_base = base
        self.save()
        return len(active)

    def describe_adapter(self) -> str:
        """'base weights', 'base + 2 updates', "adapter 'fix1' + 1 update"."""
        n = len(self.active_updates())
        base = self.state.adapter_base
        head = "base weights" if base == "base" else f"adapter {base.split(':', 1)[1]!r}"
        if n == 0:
            return head
        return f"{'base' if base == 'base' else head} + {n} update{'s' if n != 1 else ''}"

    # ---- summaries -------------------------------------------------------------------------------------------

    def verdict_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for attempt in self.state.attempts:
            key = attempt.verdict or ("no code" if attempt.code is None else "not run")
            counts[key] = counts.get(key, 0) + 1
        return counts


def conversation_window(conversation: list[dict], keep: int = CONVERSATION_WINDOW) -> list[dict]:
    """The follow-up turns the model sees: the answer under discussion first, then the newest turns.

    Turns alternate assistant/user starting with the attempt; keeping the first and an odd-length tail that
    starts with a user turn preserves the alternation chat templates require.
    """
    if keep < 3 or keep % 2 == 0:
        raise ValueError(f"conversation window keep={keep}: use an odd number >= 3")
    if len(conversation) <= keep:
        return list(conversation)
    tail = conversation[-(keep - 1):]
    if tail[0]["role"] != "user":
        tail = tail[1:]
    return [conversation[0]] + tail


def new_session_dir(home: Path) -> Path:
    """A new session directory under home, named by the time and a random suffix."""
    directory = home / (time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2))
    directory.mkdir(parents=True, exist_ok=False)
    return directory


def find_session(home: Path, which: str, what: str, start: str) -> Path:
    """The saved session directory `which` names (an id, a path, or 'latest'); SessionError naming recent ones."""
    if which == "latest":
        found = list_sessions(home)
        if not found:
            raise SessionError(f"no saved {what}s under {home}: {start}")
        return found[0]
    directory = Path(which).expanduser() if os.sep in which else home / which
    if not (directory / STATE_FILE).is_file():
        names = ", ".join(d.name for d in list_sessions(home)[:5]) or "none"
        raise SessionError(f"no {what} {which!r} ({directory / STATE_FILE} missing); recent ones: {names}; "
                           f"pass one of those to --resume, or 'latest'")
    return directory


def list_sessions(home: Path) -> list[Path]:
    """Session directories under home, most recently written first."""
    if not home.is_dir():
        return []
    found = [d for d in home.iterdir() if (d / STATE_FILE).is_file()]
    return sorted(found, key=lambda d: (d / STATE_FILE).stat().st_mtime, reverse=True)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")
