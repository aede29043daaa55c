"""Learning from served answers: which answers the server gave, which request turns are feedback on one of them,
and the background worker that runs the updates one at a time from a bounded queue.

A follow-up is recognised by exact match: the request's messages end with a user turn right after an assistant
turn whose text, together with every message before it, is exactly an answer this server served. The answer's
generated ids are then known as sampled (never re-tokenized), and the update is the chat's: one SDPO step whose
student sees the conversation up to the answer and whose teacher sees the same conversation with the follow-up
put into the last user turn as feedback (agent/learn/teacher.py). Each (answer, follow-up) pair is learned once,
so a client that sends the whole conversation again, or retries, does not teach the same thing twice.

The queue is bounded: when it is full, submit raises QueueFull and the request is answered 429 rather than kept.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from agent.protocols import LearnerEpisode

SOURCES = ("follow-up", "text", "tests", "solution")
STATUSES = ("queued", "running", "done", "skipped", "failed", "dropped")
STATES = ("active", "undone", "reset")


@dataclass
class ServedAnswer:
    """One choice of one chat completion, kept so that feedback on it can be learned from."""

    completion_id: str
    choice: int
    messages: list[dict]
    """The request's messages the answer followed ({'role', 'content'}, roles as the template saw them)."""
    text: str
    ids: list[int]
    weights: int
    """The name of the weights that wrote it (adapter-N)."""
    temperature: float
    created: float = field(default_factory=time.time)

    @property
    def key(self) -> str:
        return answer_key(self.messages, self.text)


def answer_key(messages: list[dict], text: str) -> str:
    """Identifies an answer by its text and everything before it."""
    canonical = json.dumps([[m["role"], m["content"]] for m in messages] + [["assistant", text]],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ServedAnswers:
    """The most recent answers served, at most `capacity`, found by content or by completion id and choice."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"remember={capacity}: keep at least one served answer to learn from")
        self.capacity = capacity
        self._by_key: OrderedDict[str, ServedAnswer] = OrderedDict()
        self._by_id: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_key)

    def add(self, answer: ServedAnswer) -> None:
        with self._lock:
            key = answer.key
            self._by_key.pop(key, None)
            self._by_key[key] = answer
            self._by_id[(answer.completion_id, answer.choice)] = key
            while len(self._by_key) > self.capacity:
                _, old = self._by_key.popitem(last=False)
                if self._by_id.get((old.completion_id, old.choice)) == old.key:
                    del self._by_id[(old.completion_id, old.choice)]

    def find(self, messages: list[dict], text: str) -> ServedAnswer | None:
        with self._lock:
            return self._by_key.get(answer_key(messages, text))

    def by_id(self, completion_id: str, choice: int = 0) -> ServedAnswer | None:
        with self._lock:
            key = self._by_id.get((completion_id, choice))
            return self._by_key.get(key) if key else None


def follow_up(messages: list[dict], answers: ServedAnswers) -> tuple[ServedAnswer, str] | None:
    """(the served answer, the user's follow-up) when the request ends in feedback on an answer of ours."""
    if len(messages) < 3 or messages[-1]["role"] != "user" or messages[-2]["role"] != "assistant":
        return None
    answer = answers.find(messages[:-2], messages[-2]["content"])
    if answer is None or not messages[-1]["content"].strip():
        return None
    return answer, messages[-1]["content"]


def episode_for(answer: ServedAnswer, feedback: str | None = None,
                demonstration: str | None = None) -> LearnerEpisode | None:
    """The learner's episode for feedback on an answer; None when the answer did not follow a user turn."""
    before = answer.messages
    if not before or before[-1]["role"] != "user" or not answer.ids:
        return None
    system = before[0]["content"] if before[0]["role"] == "system" else None
    history = before[1 if system is not None else 0:-1]
    return LearnerEpisode(prompt=before[-1]["content"], response_ids=list(answer.ids), feedback=feedback,
                          demonstration=demonstration, system=system, history=history or None,
                          temperature=answer.temperature)


@dataclass
class Update:
    """One update asked for, from the moment it is queued; what GET /v1/adapter lists."""

    id: int
    source: str
    """follow-up, text, tests or solution."""
    completion_id: str
    choice: int
    signal: str
    """The feedback or demonstration put into the teacher's context."""
    status: str = "queued"
    state: str = "active"
    """Once done: active (in the weights), undone, or reset."""
    weights: int | None = None
    """The name of the weights the update produced."""
    loss: float | None = None
    kl_before: float | None = None
    kl_after: float | None = None
    grad_norm: float | None = None
    tokens: int = 0
    seconds: float = 0.0
    reason: str | None = None
    """Why it was skipped or failed."""
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class QueueFull(Exception):
    """The update queue is at capacity; the request is refused (429) rather than queued."""


class UpdateWorker:
    """Runs queued updates one at a time on a background thread.

    `trainer_lock` is held for each update; undo, reset and save take it too, so they never meet an update.
    `on_done(update)` is called after each one, still under the lock (the session saves itself and the adapter
    there); `after_change()` after every update, even a failed one (the served model lets go of its lock).
    """

    def __init__(self, learner: Any, capacity: int, on_done: Callable[[Update], None],
                 after_change: Callable[[], None] = lambda: None) -> None:
        if capacity < 1:
            raise ValueError(f"update queue capacity {capacity}: allow at least one queued update")
        self.learner = learner
        self.trainer_lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue(maxsize=capacity)
        self._on_done = on_done
        self._after_change = after_change
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="serve-updates", daemon=True)
        self.capacity = capacity
        self.running: Update | None = None

    def start(self) -> None:
        self._thread.start()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def submit(self, update: Update, episode: LearnerEpisode) -> None:
        if self._stopping.is_set():
            raise QueueFull("the server is shutting down")
        try:
            self._queue.put_nowait((update, episode))
        except queue.Full:
            raise QueueFull(f"{self.capacity} updates are already waiting") from None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            update, episode = item
            if self._stopping.is_set():
                update.status, update.reason = "dropped", "the server shut down before it ran"
                self._on_done(update)
                continue
            with self.trainer_lock:
                self.running = update
                update.status, update.started_at = "running", time.time()
                try:
                    stats = self.learner.update([episode])
                except Exception as e:  # a failed update is reported on the update, never kills the worker
                    update.status, update.reason = "failed", f"{type(e).__name__}: {e}"
                else:
                    update.loss, update.kl_before, update.kl_after = stats.loss, stats.kl_before, stats.kl_after
                    update.grad_norm, update.tokens, update.seconds = stats.grad_norm, stats.tokens, stats.seconds
                    if stats.skipped:
                        reasons = getattr(stats, "reasons", {})
                        update.status, update.reason = "skipped", "; ".join(reasons.values()) or "no signal"
                    else:
                        update.status = "done"
                finally:
                    self._after_change()
                    update.finished_at = time.time()
                    self.running = None
                self._on_done(update)  # under the lock: the weights it names are still the ones in force

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the update that is running, drop the queued ones, end the thread."""
        self._stopping.set()
        while True:
            try:
                self._queue.put(None, timeout=0.1)
                break
            except queue.Full:
                continue
        if self._thread.is_alive():
            self._thread.join(timeout)
