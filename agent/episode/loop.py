"""The episode loop: attempt a problem, grade, turn failures into feedback, learn, repeat.

For one problem and one seed:

    while attempts < budget K:
        generate a batch of B attempts            (policy)
        grade each on the visible tests           (sandbox; feedback comes only from these)
        grade those that pass them on all tests   (success is decided by every test, hidden included)
        learn from the batch                      (method: SDPO update, or nothing)
        stop at the first attempt that passes all tests

The method decides what the model sees and whether it learns (see agent/episode/methods.py). The loop reports every
attempt and update through callbacks as it happens, so a caller can write them to disk before moving on.
A problem run ends by returning an Outcome; a sandbox failure (infra_error after its retry) raises InfraError,
because such an attempt is neither a pass nor a fail and must not be counted. Grading follows the one flow of
agent/episode/grading.py, which the chat uses too.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

from agent.episode.grading import InfraError, grade_answer
from agent.protocols import GenerationEngine, LearnerEpisode, Method, SamplingConfig, UpdateStats
from sandbox.protocol import Sandbox
from tasks.model import Task, TestCase


@dataclass
class Attempt:
    problem: str
    episode: int
    index: int
    """1-based position of this generation among the problem run's attempts (the discovery time if it passed)."""
    text: str
    code: str | None
    response_ids: list[int]
    visible_verdict: str
    verdict: str
    """Verdict on all tests (hidden included); equals visible_verdict when the visible tests already failed."""
    feedback_kind: str
    feedback: str
    gen_seconds: float
    grade_seconds: float
    reward: float = 0.0
    """The fraction of the visible tests passed (0 without code): the blend's policy-gradient reward."""
    logprobs: list[float] | None = None
    """The engine's log-probability of each generated id, where it reports them (kept in memory, not logged)."""
    temperature: float = 1.0
    """The temperature the attempt was sampled at."""

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @property
    def passed_visible(self) -> bool:
        return self.visible_verdict == "pass"

    def record(self) -> dict:
        return {
            "problem": self.problem, "episode": self.episode, "attempt": self.index, "passed": self.passed,
            "verdict": self.verdict, "visible_verdict": self.visible_verdict, "feedback_kind": self.feedback_kind,
            "feedback": self.feedback, "reward": round(self.reward, 4), "tokens": len(self.response_ids), "gen_seconds": round(self.gen_seconds, 4),
            "grade_seconds": round(self.grade_seconds, 4), "code": self.code,
        }


@dataclass
class Progress:
    """Where a problem run stands; enough to resume it at an episode boundary."""

    attempts: int = 0
    episode: int = 0
    past_feedback: list[str] = field(default_factory=list)
    first_pass: int | None = None


@dataclass
class Outcome:
    problem: str
    solved_at: int | None
    """Discovery time: the index of the first attempt that passed all tests, or None within the budget."""
    attempts: int


@dataclass
class Timings:
    generation: float = 0.0
    grading: float = 0.0
    update: float = 0.0


def visible_tests(task: Task, mode: str) -> tuple[TestCase, ...]:
    """The tests the model may see. 'public' (default) or 'hidden-half': a fixed random half of the hidden
    tests, as in the paper's setting where no public tests are shown (seeded by the task id)."""
    if mode == "public":
        return task.public_tests or task.hidden_tests[:1]
    elif mode == "hidden-half":
        tests = list(task.hidden_tests)
        random.Random(task.id).shuffle(tests)
        return tuple(tests[: max(1, len(tests) // 2)])
    else:
        raise ValueError(f"visible tests mode {mode!r} is unknown; choose 'public' or 'hidden-half'")


def attempt_seed(seed: int, problem: str, episode: int) -> int:
    """A sampling seed per (run seed, problem, episode), so a resumed run samples what it would have."""
    return random.Random(f"{seed}/{problem}/{episode}").randrange(2**31)


def solve(
    task: Task,
    method: Method,
    *,
    policy: GenerationEngine,
    sandbox: Sandbox,
    budget: int,
    batch: int,
    sampling: SamplingConfig,
    seed: int,
    visible_mode: str = "public",
    workers: int = 1,
    progress: Progress | None = None,
    on_attempt: Callable[[Attempt], None] = lambda a: None,
    on_episode: Callable[[Progress, UpdateStats | None], None] = lambda p, s: None,
    timings: Timings | None = None,
) -> Outcome:
    """Run one problem with one seed until it is solved on all tests or `budget` attempts are spent."""
    from agent.episode.prompts import extract_code

    visible = visible_tests(task, visible_mode)
    state = progress or Progress()
    timings = timings or Timings()
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    first_pass = state.first_pass
    try:
        while state.attempts < budget:
            n = min(method.batch_size(batch), budget - state.attempts)
            messages = method.messages(task, state.past_feedback)
            episode_sampling = SamplingConfig(
                temperature=sampling.temperature, top_p=sampling.top_p,
                max_new_tokens=sampling.max_new_tokens, seed=attempt_seed(seed, task.id, state.episode),
            )
            t0 = time.perf_counter()
            gens = policy.generate(messages, n, episode_sampling)
            gen_seconds = time.perf_counter() - t0
            timings.generation += gen_seconds

            t0 = time.perf_counter()
            graded = list(pool.map(lambda g: grade_answer(sandbox, task, visible, extract_code(g.text)), gens))
            timings.grading += time.perf_counter() - t0
            failed = next((g for g in graded if g.infra_error), None)
            if failed is not None:  # neither a pass nor a fail: nothing of this episode is recorded
                raise InfraError(failed.message)

            attempts = []
            for gen, grade in zip(gens, graded):
                state.attempts += 1
                attempt = Attempt(
                    problem=task.id, episode=state.episode, index=state.attempts, text=gen.text, code=grade.code,
                    response_ids=list(gen.ids), visible_verdict=grade.visible_verdict, verdict=grade.verdict,
                    feedback_kind=grade.feedback.kind, feedback=grade.feedback.text,
                    gen_seconds=gen_seconds / len(gens), grade_seconds=grade.seconds, reward=grade.reward,
                    logprobs=gen.logprobs, temperature=sampling.temperature,
                )
                attempts.append(attempt)
                on_attempt(attempt)

            t0 = time.perf_counter()
            stats = method.learn(task, messages, attempts)
            timings.update += time.perf_counter() - t0
            state.past_feedback.extend(a.feedback for a in attempts if not a.passed_visible and a.feedback)
            state.episode += 1
            if first_pass is None:
                first_pass = state.first_pass = next((a.index for a in attempts if a.passed), None)
            on_episode(state, stats)

            if first_pass is not None and method.stop_on_success:
                break
        return Outcome(task.id, first_pass, state.attempts)
    finally:
        pool.shutdown(wait=True)


def learner_episodes(prompt: str, system: str | None, attempts: Sequence[Attempt]) -> list[LearnerEpisode]:
    """The batch handed to the learner. An attempt that passed the visible tests is a demonstration for its
    siblings (never for itself); a failed attempt carries its feedback. Neither: no signal (the learner skips it)."""
    from agent.episode.prompts import strip_thinking

    episodes = []
    for a in attempts:
        demo = next((b.text for b in attempts if b is not a and b.passed_visible), None)
        episodes.append(LearnerEpisode(
            prompt=prompt, response_ids=a.response_ids, system=system,
            feedback=None if a.passed_visible else (a.feedback or None),
            demonstration=strip_thinking(demo) if demo else None, reward=a.reward,
            behaviour_logprobs=a.logprobs, temperature=a.temperature,
        ))
    return episodes
