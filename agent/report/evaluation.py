"""Held-out evaluation: pass@1 and pass@k from N samples per task, with a bootstrap interval over tasks.

No learning happens here. For each task the current weights write N attempts in one batched call, each graded
on every test (hidden included) until the first failure; a task's pass@k is the unbiased estimator
1 - C(N-c, k) / C(N, k) from its c passes, and the set's figure is the mean over tasks with a 90% percentile
interval from resampling tasks. Greedy decoding (temperature 0) makes one attempt per task.

Sampling seeds depend only on (seed, task id), so a measurement before and after a learning session draws
the same random numbers for each task: the paired difference then reflects the weights, not the dice.
Results are handed back task by task (`on_task`) and finished tasks can be passed in again (`done`), so an
interrupted evaluation continues where it stopped.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from agent.report.discovery import bootstrap_mean_ci, mean_pass_at_k, pass_at_k
from agent.protocols import GenerationEngine, SamplingConfig
from sandbox.protocol import Sandbox
from tasks.model import Task

LEVEL = 0.9


class EvalInfraError(RuntimeError):
    """The sandbox failed while grading an evaluation attempt; the evaluation can be resumed."""


@dataclass
class TaskResult:
    task: str
    n: int
    correct: int
    verdicts: dict[str, int]
    """How many attempts got each verdict (pass, wrong_answer, ...)."""
    seconds: float = 0.0
    tokens: int = 0
    """Generated tokens, summed over the attempts."""
    at_cap: int = 0
    """Attempts cut off by the token cap (an answer that grows past it usually ends in broken code)."""

    def record(self) -> dict:
        return {"task": self.task, "n": self.n, "correct": self.correct, "verdicts": self.verdicts,
                "tokens": self.tokens, "at_cap": self.at_cap, "seconds": round(self.seconds, 3)}

    @classmethod
    def from_record(cls, r: dict) -> "TaskResult":
        return cls(r["task"], int(r["n"]), int(r["correct"]), dict(r["verdicts"]), float(r.get("seconds", 0.0)),
                   int(r.get("tokens", 0)), int(r.get("at_cap", 0)))


@dataclass
class EvalReport:
    tasks: list[TaskResult]
    ks: list[int]
    sampling: dict
    level: float = LEVEL
    pass_at_k: dict[int, float] = field(default_factory=dict)
    ci_at_k: dict[int, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        counts = [(t.n, t.correct) for t in self.tasks]
        for k in self.ks:
            self.pass_at_k[k] = mean_pass_at_k(counts, k)
            self.ci_at_k[k] = bootstrap_mean_ci([pass_at_k(n, c, k) for n, c in counts], level=self.level)

    @property
    def pass_at_1(self) -> float:
        return self.pass_at_k[1]

    def to_dict(self) -> dict:
        return {
            "pass_at_1": self.pass_at_1, "ci": list(self.ci_at_k[1]), "level": self.level,
            "pass_at_k": {str(k): v for k, v in self.pass_at_k.items()},
            "ci_at_k": {str(k): list(v) for k, v in self.ci_at_k.items()},
            "tasks": len(self.tasks), "samples": sum(t.n for t in self.tasks),
            "correct": sum(t.correct for t in self.tasks), "sampling": self.sampling,
            "mean_tokens": sum(t.tokens for t in self.tasks) / max(1, sum(t.n for t in self.tasks)),
            "at_cap": sum(t.at_cap for t in self.tasks),
            "per_task": {t.task: {"n": t.n, "correct": t.correct, "verdicts": t.verdicts, "tokens": t.tokens,
                                  "at_cap": t.at_cap} for t in self.tasks},
        }


def eval_seed(seed: int, task_id: str) -> int:
    return random.Random(f"eval/{seed}/{task_id}").randrange(2**31)


def read_results(lines: Sequence[str]) -> dict[str, TaskResult]:
    """Finished tasks from progress lines (the last line of a task wins); a torn or foreign line is skipped,
    so a task cut short by an interruption is simply measured again."""
    done = {}
    for line in lines:
        try:
            result = TaskResult.from_record(json.loads(line))
        except (ValueError, KeyError, TypeError):
            continue
        done[result.task] = result
    return done


def append_result(path, result: TaskResult) -> None:
    with open(path, "a") as f:
        f.write(json.dumps(result.record()) + "\n")


def evaluate_tasks(
    tasks: Sequence[Task], policy: GenerationEngine, sandbox: Sandbox, *, n: int, sampling: SamplingConfig, seed: int = 0,
    ks: Sequence[int] = (1,), done: dict[str, TaskResult] | None = None,
    on_task: Callable[[TaskResult], None] = lambda r: None,
) -> EvalReport:
    """Sample, grade and score every task; tasks already in `done` are not run again."""
    from agent.episode.prompts import extract_code, problem_messages

    greedy = sampling.temperature == 0
    n = 1 if greedy else n
    if n < 1:
        raise ValueError(f"n={n}: evaluate with at least one sample per task")
    bad_k = [k for k in ks if not 1 <= k <= n]
    if bad_k:
        raise ValueError(f"pass@k for k={bad_k} needs 1 <= k <= n={n}: draw more samples (-n) or drop those k")
    done = dict(done or {})
    results = []
    for task in tasks:
        if task.id in done and done[task.id].n == n:
            results.append(done[task.id])
            continue
        start = time.perf_counter()
        task_sampling = SamplingConfig(temperature=sampling.temperature, top_p=sampling.top_p,
                                       max_new_tokens=sampling.max_new_tokens, seed=eval_seed(seed, task.id))
        generations = policy.generate(problem_messages(task), n, task_sampling)
        verdicts: dict[str, int] = {}
        for gen in generations:
            code = extract_code(gen.text)
            if code is None:
                verdict = "compile_error"
            else:
                graded = sandbox.grade(code, task, task.all_tests, stop_on_failure=True)
                if graded.is_infra_error:
                    raise EvalInfraError(graded.message or "the sandbox failed")
                verdict = graded.verdict
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
        result = TaskResult(task.id, n, verdicts.get("pass", 0), verdicts, time.perf_counter() - start,
                            tokens=sum(len(g.ids) for g in generations),
                            at_cap=sum(g.finish_reason == "length" for g in generations))
        on_task(result)
        results.append(result)
    sampling_record = {"temperature": sampling.temperature, "top_p": sampling.top_p,
                       "max_new_tokens": sampling.max_new_tokens, "n": n, "seed": seed}
    return EvalReport(results, sorted(set(ks)), sampling_record)


def paired_difference(before: dict, after: dict, *, level: float = LEVEL) -> dict:
    """after - before in pass@1 over the tasks both measured, with a bootstrap interval over tasks.

    Takes two `EvalReport.to_dict()` results. The verdict in words says whether the interval excludes zero.
    """
    common = [t for t in before["per_task"] if t in after["per_task"]]
    if not common:
        raise ValueError("the two evaluations share no task: compare measurements of the same held-out set")

    def rate(report: dict, task: str) -> float:
        cell = report["per_task"][task]
        return cell["correct"] / cell["n"]

    diffs = [rate(after, t) - rate(before, t) for t in common]
    low, high = bootstrap_mean_ci(diffs, level=level)
    mean = sum(diffs) / len(diffs)
    if low > 0:
        verdict = "higher after: the interval lies above zero"
    elif high < 0:
        verdict = "lower after: the interval lies below zero"
    else:
        verdict = "no measurable change: the interval contains zero"
    return {"difference": mean, "ci": [low, high], "level": level, "tasks": len(common), "verdict": verdict,
            "before": sum(rate(before, t) for t in common) / len(common),
            "after": sum(rate(after, t) for t in common) / len(common)}
