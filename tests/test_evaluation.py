"""Held-out evaluation: the interval and the paired difference against hand-computed cases, the evaluation's
control flow with a scripted policy and the real local sandbox, and `autodidact eval`'s bad inputs.

The real model runs `autodidact eval` end to end in test_eval_e2e.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.report.discovery import bootstrap_mean_ci, mean_pass_at_k
from agent.report.evaluation import TaskResult, evaluate_tasks, paired_difference
from agent.protocols import SamplingConfig
from sandbox.config import SandboxConfig
from sandbox.factory import open_sandbox
from test_loop import CRASH, NO_CODE, RIGHT, WRONG, ScriptedPolicy, add_task

REPO = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------ the statistics


def test_bootstrap_interval_of_three_tasks_by_hand():
    # Resampling 3 tasks with pass@1 0, 0.5 and 1: the mean is (number of 0.5s + 2 x number of 1s) / 6.
    # P(mean = 0) = 1/27 (3.7%, under the 5% tail) and P(mean <= 1/6) = 4/27 (14.8%), so the lower 5% point is
    # 1/6; by symmetry the upper one is 5/6.
    low, high = bootstrap_mean_ci([0.0, 0.5, 1.0], level=0.9, n_boot=40000, seed=1)
    assert low == pytest.approx(1 / 6)
    assert high == pytest.approx(5 / 6)


def test_bootstrap_interval_collapses_when_every_task_agrees():
    assert bootstrap_mean_ci([0.25] * 5) == (0.25, 0.25)


def test_bootstrap_rejects_bad_arguments():
    with pytest.raises(ValueError, match="no problems"):
        bootstrap_mean_ci([])
    with pytest.raises(ValueError, match="level"):
        bootstrap_mean_ci([0.5], level=1.5)


def test_mean_pass_at_k_by_hand():
    counts = [(8, 2), (8, 0)]
    assert mean_pass_at_k(counts, 1) == pytest.approx((2 / 8 + 0) / 2)
    # pass@2 with 2 of 8 correct: 1 - C(6, 2) / C(8, 2) = 1 - 15/28.
    assert mean_pass_at_k(counts, 2) == pytest.approx((1 - 15 / 28) / 2)


def report(rates: dict[str, tuple[int, int]]) -> dict:
    return {"per_task": {t: {"n": n, "correct": c} for t, (c, n) in rates.items()}}


def test_paired_difference_by_hand():
    before = report({"a": (2, 8), "b": (0, 8), "c": (4, 8)})
    after = report({"a": (1, 8), "b": (0, 8), "c": (4, 8)})
    change = paired_difference(before, after)
    # Differences -1/8, 0, 0. Resampled means: -1/8 with P = 1/27 (3.7%), <= -1/12 with P = 7/27, and 0 with
    # P = 8/27: the 90% interval is [-1/12, 0], which contains zero.
    assert change["difference"] == pytest.approx(-1 / 24)
    assert change["ci"] == [pytest.approx(-1 / 12), pytest.approx(0.0)]
    assert change["before"] == pytest.approx(6 / 24) and change["after"] == pytest.approx(5 / 24)
    assert change["verdict"].startswith("no measurable change")


def test_paired_difference_says_when_the_interval_excludes_zero():
    before = report({t: (4, 8) for t in "abcd"})
    worse = report({t: (1, 8) for t in "abcd"})
    assert paired_difference(before, worse)["verdict"].startswith("lower after")
    assert paired_difference(worse, before)["verdict"].startswith("higher after")


def test_paired_difference_needs_common_tasks():
    with pytest.raises(ValueError, match="share no task"):
        paired_difference(report({"a": (1, 2)}), report({"b": (1, 2)}))


# ------------------------------------------------------------------------------------- the procedure


@pytest.fixture(scope="module")
def sandbox():
    with open_sandbox(SandboxConfig(backend="local", timeout=3.0)) as sb:
        yield sb


def test_evaluation_counts_every_sample_on_all_tests(sandbox):
    tasks = [add_task("one"), add_task("two")]
    policy = ScriptedPolicy([RIGHT, WRONG, CRASH, NO_CODE, RIGHT, RIGHT, RIGHT, WRONG])
    seen = []
    result = evaluate_tasks(tasks, policy, sandbox, n=4, sampling=SamplingConfig(temperature=0.7), ks=(1, 2),
                            on_task=seen.append)
    assert [(r.task, r.correct, r.n) for r in seen] == [("one", 1, 4), ("two", 3, 4)]
    assert seen[0].verdicts == {"pass": 1, "wrong_answer": 1, "runtime_error": 1, "compile_error": 1}
    assert result.pass_at_1 == pytest.approx((1 / 4 + 3 / 4) / 2)
    assert result.pass_at_k[2] == pytest.approx(((1 - 3 / 6) + 1.0) / 2)  # 1 - C(3,2)/C(4,2); 3 of 4: always
    out = result.to_dict()
    assert out["per_task"]["one"] == {"n": 4, "correct": 1, "verdicts": seen[0].verdicts,
                                      "tokens": sum(len(a) for a in (RIGHT, WRONG, CRASH, NO_CODE)), "at_cap": 0}
    assert out["samples"] == 8 and out["correct"] == 4 and len(out["ci"]) == 2


def test_hidden_tests_decide(sandbox):
    # Passes both public tests, fails a hidden one: not a pass.
    only_public = "```python\na, b = map(int, input().split())\nprint(3 if a == 1 else 10)\n```"
    result = evaluate_tasks([add_task()], ScriptedPolicy([only_public]), sandbox, n=1,
                            sampling=SamplingConfig(temperature=0.7))
    assert result.tasks[0].correct == 0 and result.tasks[0].verdicts == {"wrong_answer": 1}


def test_greedy_makes_one_attempt_and_finished_tasks_are_not_rerun(sandbox):
    policy = ScriptedPolicy([RIGHT])
    done = {"one": TaskResult("one", 1, 0, {"wrong_answer": 1})}
    result = evaluate_tasks([add_task("one"), add_task("two")], policy, sandbox, n=8,
                            sampling=SamplingConfig(temperature=0.0), done=done)
    assert len(policy.seen) == 1  # only "two" was generated
    assert [(r.task, r.correct, r.n) for r in result.tasks] == [("one", 0, 1), ("two", 1, 1)]


def test_same_seed_per_task_before_and_after(sandbox):
    class SeedRecorder(ScriptedPolicy):
        def generate(self, messages, n, sampling):
            self.seeds = getattr(self, "seeds", []) + [sampling.seed]
            return super().generate(messages, n, sampling)

    first, second = SeedRecorder([WRONG, WRONG]), SeedRecorder([WRONG, WRONG])
    for policy in (first, second):
        evaluate_tasks([add_task("one"), add_task("two")], policy, sandbox, n=1,
                       sampling=SamplingConfig(temperature=0.7), seed=3)
    assert first.seeds == second.seeds and first.seeds[0] != first.seeds[1]


def test_k_beyond_samples_is_refused(sandbox):
    with pytest.raises(ValueError, match="k=\\[5\\]"):
        evaluate_tasks([add_task()], ScriptedPolicy([]), sandbox, n=2, sampling=SamplingConfig(), ks=(1, 5))


# ------------------------------------------------------------------------------- the command's refusals


def autodidact(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


@pytest.mark.parametrize("args, message", [
    (["starter", "-n", "2", "-k", "1,5"], "every k must lie in 1..n"),
    (["starter", "-k", "x"], "comma-separated integers"),
    (["starter", "-n", "0"], "at least one sample"),
    (["starter", "--top-p", "0"], "top-p"),
    (["starter", "--adapter", "/nonexistent/adapter"], "no adapter there"),
    (["no-such-set"], "not a file, a directory or a built-in set"),
    (["starter", "--ids", "ad-999"], "ad-999"),
    (["starter", "--against", "/nonexistent/before.json"], "cannot read it as JSON"),
    (["starter", "--against", str(REPO / "pyproject.toml")], "cannot read it as JSON"),
    (["starter", "--against", str(REPO / "docs" / "bench-contention.json")], "no per_task counts"),
])
def test_bad_input_exits_2_before_loading_anything(args, message):
    done = autodidact("eval", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr


def test_progress_file_of_other_settings_is_refused(tmp_path):
    progress = tmp_path / "eval.jsonl"
    progress.write_text(json.dumps({"settings": {"taskset": "starter", "n": 3}}) + "\n")
    done = autodidact("eval", "starter", "--out", str(progress))
    assert done.returncode == 2
    assert "other settings" in done.stderr and "pass a new file name" in done.stderr
    directory = autodidact("eval", "starter", "--out", str(tmp_path))
    assert directory.returncode == 2 and "is a directory" in directory.stderr
    progress.write_text("not json\n")
    assert "not an evaluation progress file" in autodidact("eval", "starter", "--out", str(progress)).stderr


def test_heldout_and_subset_sets_are_disjoint_from_the_session_sets():
    from tasks.loaders import load_taskset

    starter = {t.id for t in load_taskset("starter")}
    heldout = {t.id for t in load_taskset("heldout")}
    bundled = {t.id for t in load_taskset("bundled")}
    assert heldout and not heldout & starter and heldout | starter == bundled
    subset = [t.id for t in load_taskset("humaneval-subset")]
    assert subset == [f"HumanEval/{i}" for i in range(40)]
