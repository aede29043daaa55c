"""The model, the learner and the sandbox behind the few operations the chat needs.

Every method blocks (generation, grading and updates take seconds on a CPU); the UI calls them from a worker
thread (agent/chat/busy.py, agent/chat/stream.py) so the screen keeps moving. Only one runs at a time: the
policy and the learner share one model, and an update must never overlap a generation.

Grading is the episode loop's own flow (agent/episode/grading.py): the visible tests all run so the table shows
each one and the feedback is built from them alone; only when they all pass do the hidden tests decide. A sandbox
failure is shown as infra_error and never becomes learning signal.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from agent.chat.config import ChatConfig
from agent.protocols import LearnerEpisode, SamplingConfig, UpdateStats
from sandbox.result import GradeResult
from tasks.model import Task


@dataclass
class RunOutcome:
    """What /run shows: the visible grade, the hidden summary, the feedback the learner would see."""

    visible: GradeResult | None
    """None when there was no code to grade."""
    hidden: dict | None
    """{'verdict', 'passed', 'total'} over the hidden tests; None when they did not run."""
    verdict: str
    """Overall: pass only when every test (hidden included) passed."""
    feedback_kind: str
    feedback: str | None
    """None when the visible tests all passed (nothing to correct)."""
    seconds: float


class SandboxMissing(RuntimeError):
    """Grading was asked for but the sandbox could not start; the message says how to get one."""


class ChatEngine:
    """Owns the policy, the learner and the sandbox for one chat."""

    def __init__(self, config: ChatConfig) -> None:
        self.config = config
        self.policy = None
        """The generation engine (config.engine); for hf, the trainable model itself."""
        self.trainable = None
        self.learner = None
        self.sandbox = None
        self._sandbox_error: BaseException | None = None
        self._sandbox_ready = threading.Event()
        self._sandbox_thread: threading.Thread | None = None

    # ---- start and stop ------------------------------------------------------------------------------------

    def load(self, on_step: Callable[[str], None] = lambda s: None) -> dict:
        """Load the model and the learner, warm them up, start the sandbox. Returns timings in seconds."""
        timings = {}
        # The sandbox starts in parallel: a container takes about a second, the model import several.
        self._sandbox_thread = threading.Thread(target=self._open_sandbox, name="chat-sandbox", daemon=True)
        self._sandbox_thread.start()
        on_step(f"loading {self.config.model}")
        t0 = time.perf_counter()
        _quiet_transformers()
        from agent import registry

        self.trainable = registry.load_trainable(self.config.model, device=self.config.device, dtype=self.config.dtype)
        self.policy = registry.open_engine(self.config.engine, self.trainable)
        table = {} if self.config.learning_rate is None else {"lr": self.config.learning_rate}
        self.learner = registry.make_learner("sdpo", self.trainable, table)
        timings["model"] = time.perf_counter() - t0
        # One tiny generation pays the first-call costs (kernel selection, allocator growth, template
        # compilation) now, so the user's first answer starts within the latency budget.
        on_step("warming up")
        t0 = time.perf_counter()
        self.policy.generate([{"role": "user", "content": "Say hi."}], 1,
                             SamplingConfig(temperature=0.0, max_new_tokens=2))
        timings["warmup"] = time.perf_counter() - t0
        return timings

    def _open_sandbox(self) -> None:
        try:
            from sandbox.config import SandboxConfig
            from sandbox.factory import open_sandbox
            from tasks.model import TestCase

            sandbox = open_sandbox(SandboxConfig(backend=self.config.sandbox, timeout=self.config.timeout))
            # One trivial grade starts a warm container now rather than on the user's first /run.
            probe = Task(id="warm-up", title="warm-up", statement="", kind="stdin",
                         public_tests=(TestCase("", "1", "stdin"),), hidden_tests=())
            sandbox.grade("print(1)\n", probe, probe.public_tests)
            self.sandbox = sandbox
        except Exception as e:  # reported at start and when grading is asked for; chatting works without it
            self._sandbox_error = e
        finally:
            self._sandbox_ready.set()

    @property
    def sandbox_problem(self) -> str | None:
        """Why grading is unavailable, or None when the sandbox is up (or still starting: grading waits)."""
        if self._sandbox_error is not None:
            return f"{type(self._sandbox_error).__name__}: {self._sandbox_error}"
        return None

    def close(self) -> None:
        if self._sandbox_thread is not None:
            self._sandbox_thread.join(timeout=30)  # a sandbox still starting is closed too, not left behind
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    # ---- answers -------------------------------------------------------------------------------------------

    def sampling(self, seed: int | None) -> SamplingConfig:
        return SamplingConfig(temperature=self.config.temperature, top_p=self.config.top_p,
                              max_new_tokens=self.config.max_new_tokens, seed=seed)

    def stream(self, messages: list[dict], sampling: SamplingConfig, stop: threading.Event) -> Iterator[str]:
        """Text pieces as they are generated; `last_generation` holds the whole answer afterwards."""
        return self.policy.stream(messages, sampling, stop_event=stop)

    @property
    def last_generation(self):
        return self.policy.last_generation

    # ---- grading -------------------------------------------------------------------------------------------

    def run(self, task: Task, code: str | None) -> RunOutcome:
        from agent.episode.grading import grade_answer
        from agent.episode.loop import visible_tests

        if code is None:
            graded = grade_answer(self.sandbox, task, (), None)
            return RunOutcome(None, None, "compile_error", graded.feedback.kind, graded.feedback.text, 0.0)
        if self.sandbox is None:
            self._sandbox_ready.wait()
            if self.sandbox is None:
                raise SandboxMissing(f"grading is unavailable ({self.sandbox_problem}); or restart the chat "
                                     f"with --sandbox local")
        graded = grade_answer(self.sandbox, task, visible_tests(task, "public"), code)
        hidden = None
        if graded.rest is not None:
            hidden = {"verdict": graded.rest.verdict, "passed": sum(t.verdict == "pass" for t in graded.rest.tests),
                      "total": graded.rest_total}
        verdict = "infra_error" if graded.infra_error else graded.verdict
        return RunOutcome(graded.visible, hidden, verdict, graded.feedback.kind, graded.feedback_text, graded.seconds)

    # ---- learning ------------------------------------------------------------------------------------------

    def learn(self, episode: LearnerEpisode) -> UpdateStats:
        return self.learner.update([episode])

    @property
    def undo_depth(self) -> int:
        """Updates that /undo can still revert exactly (kept in memory since the last load or reset)."""
        return self.trainable.history.depth

    def undo(self) -> None:
        self.learner.undo()

    def reset(self) -> None:
        self.learner.reset()

    def save_adapter(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.learner.save(str(path))

    def load_adapter(self, path: Path) -> None:
        self.learner.load(str(path))


def _quiet_transformers() -> None:
    """Keep library progress bars and deprecation notices off the chat screen; errors still show."""
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning)
