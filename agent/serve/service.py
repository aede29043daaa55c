"""What the server does, apart from HTTP: answer chat requests, notice follow-ups, take explicit feedback
(words, tests graded in the sandbox, a solution), and undo, reset and save the adapter.

The parts: the served model (agent/serve/served.py) answers; the learner trains the trainable copy on the
update worker's thread (agent/serve/learning.py); the session (agent/serve/session.py) keeps the updates, the
answers and the adapter on disk. Every method may block for seconds; the HTTP layer (agent/serve/app.py) calls
them from worker threads.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any, Callable

from agent.protocols import SamplingConfig
from agent.serve.learning import (
    QueueFull, ServedAnswer, ServedAnswers, Update, UpdateWorker, episode_for, follow_up,
)
from agent.serve.served import Choice, ServedModel
from agent.serve.session import ServeSession
from agent.serve.wire import ApiError, ChatRequest, FeedbackRequest, Limits

LEARN_MODES = ("follow-ups", "explicit", "none")


@dataclass(frozen=True)
class ServeSettings:
    """What the serve command was asked for (its flags)."""

    model_id: str
    """The model name clients send (GET /v1/models lists it)."""
    learn: str = "follow-ups"
    """follow-ups (a user turn after an answer of ours is feedback on it, and POST /v1/feedback), explicit (only
    POST /v1/feedback) or none."""
    limits: Limits = Limits()
    queue: int = 4
    """Most updates waiting to run; one more is refused with 429."""
    remember: int = 1024
    """Most served answers kept to recognise follow-ups and feedback on them."""
    sandbox: str = "docker"
    """Where code from /v1/feedback tests runs: docker (isolated) or local (NOT isolated)."""
    timeout: float = 6.0
    """Per-test time limit of that grading, seconds."""

    def __post_init__(self) -> None:
        if self.learn not in LEARN_MODES:
            raise ValueError(f"--learn {self.learn!r}: choose one of {', '.join(LEARN_MODES)}")
        if self.queue < 1:
            raise ValueError(f"--update-queue {self.queue}: allow at least 1 waiting update")
        if self.remember < 1:
            raise ValueError(f"--remember {self.remember}: keep at least 1 served answer")


@dataclass
class ChatResult:
    completion_id: str
    choices: list[Choice]
    prompt_tokens: int
    weights: int
    update: int | None
    """The update queued from this request's follow-up, if any."""


class Service:
    def __init__(self, settings: ServeSettings, served: ServedModel, learner: Any, session: ServeSession) -> None:
        self.settings = settings
        self.served = served
        self.learner = learner
        self.session = session
        self.answers = ServedAnswers(settings.remember)
        for answer in session.answers(settings.remember):
            self.answers.add(answer)
        self.updates: list[Update] = session.updates()
        self._learned: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self.worker = UpdateWorker(learner, settings.queue, self._update_done, after_change=served.release_change)
        self._sandbox: Any = None
        self._sandbox_lock = threading.Lock()

    def start(self) -> None:
        self.worker.start()

    @property
    def fingerprint(self) -> str:
        return f"adapter-{self.served.names.current}"

    # ---- chat ----------------------------------------------------------------------------------------------

    def check_model(self, model: str) -> None:
        if model != self.settings.model_id:
            raise ApiError(404, f"model {model!r} is not served here: use {self.settings.model_id!r} "
                                f"(GET /v1/models lists it)", param="model", code="model_not_found")

    def learn_from_request(self, request: ChatRequest) -> int | None:
        """Queue the update a follow-up asks for (before the answer is written); its id, or None."""
        if self.settings.learn != "follow-ups":
            return None
        found = follow_up(request.messages, self.answers)
        if found is None:
            return None
        answer, text = found
        pair = hashlib.sha256((answer.key + "\0" + text).encode("utf-8")).hexdigest()
        with self._lock:
            if pair in self._learned:
                return self._learned[pair]
        update = self._queue_update("follow-up", answer, feedback=text)
        if update is None:
            return None
        with self._lock:
            self._learned[pair] = update.id
            while len(self._learned) > self.settings.remember:
                self._learned.popitem(last=False)
        return update.id

    def sampling(self, request: ChatRequest, seed_offset: int = 0) -> SamplingConfig:
        seed = None if request.seed is None else request.seed + seed_offset
        return SamplingConfig(temperature=request.temperature, top_p=request.top_p,
                              max_new_tokens=request.max_tokens, seed=seed)

    def complete(self, request: ChatRequest) -> ChatResult:
        update = self.learn_from_request(request)
        choices, prompt_tokens, weights = self.served.complete(request.messages, request.n, self.sampling(request),
                                                               request.stop)
        result = ChatResult(new_completion_id(), choices, prompt_tokens, weights, update)
        self.remember(result.completion_id, request, choices, weights)
        return result

    def remember(self, completion_id: str, request: ChatRequest, choices: list[Choice], weights: int) -> None:
        for choice in choices:
            answer = ServedAnswer(completion_id, choice.index, request.messages, choice.text, choice.ids, weights,
                                  request.temperature)
            self.answers.add(answer)
            self.session.add_answer(answer)

    # ---- explicit feedback ---------------------------------------------------------------------------------

    def feedback(self, request: FeedbackRequest) -> dict:
        answer = self.answers.by_id(request.completion_id, request.choice)
        if answer is None:
            raise ApiError(404, f"no answer {request.completion_id!r} choice {request.choice} among the "
                                f"{len(self.answers)} this server remembers: send the id of a recent completion",
                           param="completion_id", code="completion_not_found")
        if request.tests is not None:
            return self._feedback_from_tests(answer, request)
        if self.settings.learn == "none":
            raise ApiError(409, "learning is off (--learn none): restart with --learn explicit or follow-ups",
                           code="learning_off")
        if request.text is not None:
            update = self._queue_update("text", answer, feedback=request.text)
        else:
            from agent.episode.prompts import extract_code

            code = extract_code(request.solution) or request.solution.strip() + "\n"
            # The teacher sees the solution the way answers are written (the chat's /teach does the same).
            update = self._queue_update("solution", answer, demonstration=f"```python\n{code}```")
        return {"completion_id": answer.completion_id, "choice": answer.choice, "update": self._describe(update)}

    def _feedback_from_tests(self, answer: ServedAnswer, request: FeedbackRequest) -> dict:
        from agent.episode.grading import grade_answer
        from agent.episode.prompts import extract_code
        from tasks.model import Task, TestCase

        tests = tuple(TestCase(t["input"], t["output"], t["testtype"]) for t in request.tests)
        task = Task(id=f"feedback-{answer.completion_id}", title="tests from a client", statement="",
                    kind=tests[0].testtype, public_tests=tests, hidden_tests=(), func_name=request.function)
        code = extract_code(answer.text)
        graded = grade_answer(self._open_sandbox() if code is not None else None, task, tests, code)
        if graded.infra_error:
            raise ApiError(503, f"the sandbox failed while grading: {graded.message}", code="sandbox_failed",
                           kind="server_error")
        result = {"completion_id": answer.completion_id, "choice": answer.choice, "verdict": graded.verdict,
                  "code_found": code is not None,
                  "tests": [asdict(t) for t in graded.visible.tests] if graded.visible else [],
                  "feedback": graded.feedback_text, "update": None}
        if graded.verdict == "pass":
            result["reason"] = "every test passed: nothing to learn"
        elif self.settings.learn == "none":
            result["reason"] = "learning is off (--learn none)"
        else:
            result["update"] = self._describe(self._queue_update("tests", answer, feedback=graded.feedback_text))
        return result

    def _open_sandbox(self) -> Any:
        with self._sandbox_lock:
            if self._sandbox is None:
                from sandbox.config import SandboxConfig
                from sandbox.factory import open_sandbox

                try:
                    self._sandbox = open_sandbox(SandboxConfig(backend=self.settings.sandbox,
                                                               timeout=self.settings.timeout))
                except Exception as e:
                    raise ApiError(503, f"the sandbox cannot start ({type(e).__name__}: {e}); or restart the "
                                        f"server with --sandbox local", code="sandbox_unavailable",
                                   kind="server_error") from None
            return self._sandbox

    # ---- updates -------------------------------------------------------------------------------------------

    def _queue_update(self, source: str, answer: ServedAnswer, feedback: str | None = None,
                      demonstration: str | None = None) -> Update | None:
        episode = episode_for(answer, feedback=feedback, demonstration=demonstration)
        if episode is None:
            if source == "follow-up":
                return None
            raise ApiError(400, f"answer {answer.completion_id!r} did not follow a user turn, so there is nothing "
                                f"to learn it against", param="completion_id")
        with self._lock:
            update = Update(len(self.updates) + 1, source, answer.completion_id, answer.choice,
                            feedback or demonstration or "")
            try:
                self.worker.submit(update, episode)
            except QueueFull as e:
                raise ApiError(429, f"the update queue is full ({e}): retry once GET /v1/adapter shows fewer "
                                    f"queued updates", code="update_queue_full", kind="rate_limit_error",
                               headers={"Retry-After": "2"}) from None
            self.updates.append(update)
            self._save()
        return update

    def _update_done(self, update: Update) -> None:
        if update.status == "done":
            update.weights = self.served.names.current
            self._write_adapter()
        with self._lock:
            self._save()

    def _describe(self, update: Update | None) -> dict | None:
        return None if update is None else {"id": update.id, "status": update.status, "source": update.source}

    # ---- the adapter ---------------------------------------------------------------------------------------

    def adapter(self) -> dict:
        with self._lock:
            updates = [u.to_dict() for u in self.updates]
        return {"object": "adapter", "version": self.served.names.current, "fingerprint": self.fingerprint,
                "undo_depth": self.served.trainable.history.depth, "learn": self.settings.learn,
                "queue": {"waiting": self.worker.pending, "capacity": self.settings.queue,
                          "running": self.worker.running.id if self.worker.running else None},
                "session": self.session.state.id, "saved": list(self.session.state.saved_adapters),
                "updates": updates}

    def undo(self) -> dict:
        with self.worker.trainer_lock:
            if self.served.trainable.history.depth == 0:
                raise ApiError(409, "nothing to undo: no update since the base weights or since this session "
                                    "was resumed (POST /v1/adapter/reset returns to the base weights)",
                               code="nothing_to_undo")
            self._change(self.learner.undo)
            with self._lock:
                undone = next((u for u in reversed(self.updates) if u.status == "done" and u.state == "active"),
                              None)
                if undone is not None:
                    undone.state = "undone"
            self._write_adapter()
            with self._lock:
                self._save()
        return {"undone": undone.id if undone else None, **self.adapter()}

    def reset(self) -> dict:
        with self.worker.trainer_lock:
            self._change(self.learner.reset)
            with self._lock:
                removed = [u for u in self.updates if u.status == "done" and u.state == "active"]
                for update in removed:
                    update.state = "reset"
            self._write_adapter()
            with self._lock:
                self._save()
        return {"removed": len(removed), **self.adapter()}

    def save_adapter(self, name: str) -> dict:
        with self.worker.trainer_lock:
            try:
                path, replaced = self.session.save_adapter(self.learner.save, name)
            except ValueError as e:
                raise ApiError(400, str(e), param="name") from None
            with self._lock:
                self._save()
        return {"name": name, "path": str(path), "replaced": replaced, "fingerprint": self.fingerprint}

    def _change(self, change: Callable[[], Any]) -> None:
        try:
            change()
        finally:
            self.served.release_change()

    def _write_adapter(self) -> None:
        names = self.served.names
        self.session.state.weights, self.session.state.last_weights = names.current, names.last
        self.session.write_adapter(self.learner.save, at_base=names.current == 0)

    def _save(self) -> None:
        self.session.save(self.updates)

    # ---- shutting down -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Finish the running update, drop the queued ones, save the session, remove the sandbox."""
        self.worker.stop()
        with self._lock:
            for update in self.updates:
                if update.status == "queued":
                    update.status, update.reason = "dropped", "the server shut down before it ran"
            self._save()
        with self._sandbox_lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None


def new_completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)
