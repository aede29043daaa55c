"""A serving session's files, written as it goes so `autodidact serve --resume` picks it up again.

A session directory, <home>/serve/<session-id>/ (home: --home, else $AUTODIDACT_HOME, else ~/.cache/autodidact),
holds:
    session.json      the settings, every update (source, signal, statistics, whether it is still in the
                      weights) and the name of the weights in force
    answers.jsonl     every answer served (messages, text, token ids, the weights that wrote it), appended as
                      it is sent, so feedback on an answer from before a restart is still recognised
    adapter/          the adapter in use, rewritten after every change of weights; absent at base weights
    adapters/NAME/    adapters kept by POST /v1/adapter/save

session.json is replaced atomically after each change (the chat's way, agent/chat/session.py), so a kill loses at
most the step in flight. Names of saved adapters are checked so that none can point outside adapters/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.chat.learning import write_adapter
from agent.chat.session import STATE_FILE, SessionError, chat_home, find_session, new_session_dir
from agent.serve.learning import ServedAnswer, Update

ANSWERS_FILE = "answers.jsonl"
ADAPTER_DIR = "adapter"
SAVED_DIR = "adapters"
ADAPTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def serve_home(home: str | None = None) -> Path:
    """<home>/serve, where serving sessions live."""
    return (Path(home).expanduser() if home else chat_home().parent) / "serve"


@dataclass
class SessionState:
    id: str
    created: str
    model: str
    settings: dict = field(default_factory=dict)
    updates: list[dict] = field(default_factory=list)
    weights: int = 0
    """The name of the weights in force (adapter-N)."""
    last_weights: int = 0
    """The highest name given so far; new weights get higher ones, across restarts too."""
    saved_adapters: list[str] = field(default_factory=list)


class ServeSession:
    def __init__(self, state: SessionState, directory: Path) -> None:
        self.state = state
        self.dir = directory

    @classmethod
    def create(cls, home: Path, model: str, settings: dict) -> "ServeSession":
        directory = new_session_dir(home)
        session = cls(SessionState(directory.name, time.strftime("%Y-%m-%dT%H:%M:%S"), model, settings), directory)
        session.save()
        return session

    @classmethod
    def resume(cls, home: Path, which: str) -> "ServeSession":
        """A saved session by id, by directory, or 'latest'."""
        directory = find_session(home, which, "serving session", "start one without --resume")
        path = directory / STATE_FILE
        try:
            state = SessionState(**json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError) as e:
            raise SessionError(f"{path} is not a serving session this version can read ({e}): start a new "
                               f"session without --resume") from None
        return cls(state, directory)

    def save(self, updates: list[Update] | None = None) -> None:
        if updates is not None:
            self.state.updates = [u.to_dict() for u in updates]
        path = self.dir / STATE_FILE
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self.state), indent=1))
        os.replace(tmp, path)

    def updates(self) -> list[Update]:
        return [Update(**u) for u in self.state.updates]

    # ---- answers -------------------------------------------------------------------------------------------

    def add_answer(self, answer: ServedAnswer) -> None:
        with open(self.dir / ANSWERS_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(answer), ensure_ascii=False) + "\n")

    def answers(self, last: int) -> list[ServedAnswer]:
        """The newest `last` answers served in this session (a torn final line, from a kill, is skipped)."""
        path = self.dir / ANSWERS_FILE
        if not path.is_file():
            return []
        found = []
        for line in path.read_text(encoding="utf-8").splitlines()[-last:]:
            try:
                found.append(ServedAnswer(**json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue
        return found

    # ---- adapters ------------------------------------------------------------------------------------------

    @property
    def adapter_dir(self) -> Path:
        return self.dir / ADAPTER_DIR

    def write_adapter(self, save, at_base: bool) -> None:
        """Make adapter/ match the weights: absent at base weights, the adapter in use otherwise."""
        if at_base:
            shutil.rmtree(self.adapter_dir, ignore_errors=True)
        else:
            write_adapter(save, self.adapter_dir)

    def saved_adapter(self, name: str) -> Path:
        """Where adapter NAME is kept; ValueError for a name that is not a plain file name."""
        if not ADAPTER_NAME.fullmatch(name) or name in (".", ".."):
            raise ValueError(f"adapter name {name!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', "
                             f"starting with a letter or digit (no '/' or '..')")
        root = (self.dir / SAVED_DIR).resolve()
        path = (root / name).resolve()
        if path.parent != root:  # belt and braces: the pattern already rules this out
            raise ValueError(f"adapter name {name!r} would leave the session's adapters directory")
        return path

    def save_adapter(self, save, name: str) -> tuple[Path, bool]:
        path = self.saved_adapter(name)
        replaced = path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        write_adapter(save, path)
        if name not in self.state.saved_adapters:
            self.state.saved_adapters.append(name)
        return path, replaced
