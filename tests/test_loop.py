"""The episode loop's control flow, the methods, the run directory and resuming.

The policy here is scripted (it returns fixed answers) so the control flow can be checked exactly; grading uses
the real local sandbox. The real model and Docker sandbox run end to end in test_run_e2e.py.
"""

from __future__ import annotations

import json

import pytest

from agent.config import RunConfig
from agent.episode.loop import Progress, solve
from agent.episode.methods import BestOfK, MultiTurn, SDPO, make_method
from agent.protocols import Generation, SamplingConfig, UpdateStats
from agent.episode.rundir import RunDir, RunDirError
from agent.episode.session import Session, Unit
from sandbox.config import SandboxConfig
from sandbox.factory import open_sandbox
from tasks.model import Task, TestCase

RIGHT = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
WRONG = "```python\na, b = map(int, input().split())\nprint(a - b)\n```"
CRASH = "```python\nprint(1 // 0)\n```"
NO_CODE = "I think you should add the numbers."


def add_task(task_id: str = "add") -> Task:
    t = lambda i, o: TestCase(i, o, "stdin")  # noqa: E731
    return Task(
        id=task_id, title="Add two numbers", statement="Read a and b, print a + b.", kind="stdin",
        public_tests=(t("1 2\n", "3\n"), t("5 5\n", "10\n")),
        hidden_tests=(t("7 1\n", "8\n"), t("-4 4\n", "0\n"), t("100 23\n", "123\n")),
    )


class ScriptedPolicy:
    """Answers from a fixed list, in order; records the messages it was shown."""

    context_window = 10_000

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen = []

    def chat_ids(self, messages, add_generation_prompt=True):
        return list(range(sum(len(m["content"]) for m in messages)))  # one "token" per character

    def generate(self, messages, n, sampling):
        self.seen.append(messages)
        out = []
        for _ in range(n):
            text = self.answers.pop(0)
            out.append(Generation(text=text, ids=[ord(c) for c in text], prompt_ids=[1, 2, 3]))
        return out


class RecordingLearner:
    """Stands in for SDPOLearner in control-flow tests: records the episodes it is handed."""

    def __init__(self):
        self.batches = []

    def update(self, episodes):
        self.batches.append(list(episodes))
        return UpdateStats(loss=0.5, kl_before=0.1, tokens=sum(len(e.response_ids) for e in episodes))

    def save(self, path):
        import pathlib

        pathlib.Path(path).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(path) / "batches.json").write_text(json.dumps(len(self.batches)))

    def load(self, path):
        pass

    def reset(self):
        pass


@pytest.fixture(scope="module")
def sandbox():
    with open_sandbox(SandboxConfig(backend="local", timeout=2.0)) as sb:
        yield sb


def run_solve(task, method, policy, sandbox, budget=5, batch=1, **kw):
    attempts = []
    outcome = solve(task, method, policy=policy, sandbox=sandbox, budget=budget, batch=batch,
                    sampling=SamplingConfig(), seed=0, on_attempt=attempts.append, **kw)
    return outcome, attempts


def test_sdpo_stops_at_first_pass_and_learns_from_each_episode(sandbox):
    learner = RecordingLearner()
    policy = ScriptedPolicy([WRONG, CRASH, RIGHT, RIGHT])
    outcome, attempts = run_solve(add_task(), SDPO(learner), policy, sandbox)
    assert outcome.solved_at == 3 and outcome.attempts == 3
    assert [a.verdict for a in attempts] == ["wrong_answer", "runtime_error", "pass"]
    assert [a.feedback_kind for a in attempts] == ["wrong_answer", "runtime_error", "pass"]
    assert len(learner.batches) == 3
    first = learner.batches[0][0]
    assert "Wrong Answer" in first.feedback and first.demonstration is None
    assert first.response_ids == [ord(c) for c in WRONG]
    assert "ZeroDivisionError" in learner.batches[1][0].feedback
    assert learner.batches[2][0].feedback is None  # the passing attempt carries no feedback


def test_success_is_decided_by_hidden_tests(sandbox):
    # passes both public tests (1 2 -> 3, 5 5 -> 10) but not the hidden ones
    cheat = "```python\na, b = map(int, input().split())\nprint(3 if a == 1 else 10)\n```"
    outcome, attempts = run_solve(add_task(), BestOfK(), ScriptedPolicy([cheat, RIGHT]), sandbox, budget=2)
    assert attempts[0].visible_verdict == "pass" and attempts[0].verdict == "wrong_answer"
    assert outcome.solved_at == 2


def test_a_passing_sibling_is_the_demonstration(sandbox):
    learner = RecordingLearner()
    outcome, _ = run_solve(add_task(), SDPO(learner), ScriptedPolicy([WRONG, RIGHT]), sandbox, budget=4, batch=2)
    assert outcome.solved_at == 2
    wrong, right = learner.batches[0]
    assert wrong.demonstration == RIGHT and "Wrong Answer" in wrong.feedback
    assert right.demonstration is None and right.feedback is None  # never its own demonstration: no signal


def test_best_of_k_spends_the_whole_budget(sandbox):
    outcome, attempts = run_solve(add_task(), BestOfK(), ScriptedPolicy([WRONG, RIGHT, WRONG, RIGHT]), sandbox,
                                  budget=4, batch=4)
    assert outcome.solved_at == 2 and len(attempts) == 4


def test_missing_code_block_is_named_in_feedback(sandbox):
    learner = RecordingLearner()
    _, attempts = run_solve(add_task(), SDPO(learner), ScriptedPolicy([NO_CODE]), sandbox, budget=1)
    assert attempts[0].feedback_kind == "no_code" and attempts[0].code is None
    assert learner.batches[0][0].feedback


def test_multi_turn_shows_past_feedback_and_drops_the_oldest(sandbox):
    policy = ScriptedPolicy([WRONG, CRASH, RIGHT])
    outcome, _ = run_solve(add_task(), MultiTurn(policy, max_new_tokens=100), policy, sandbox)
    assert outcome.solved_at == 3
    assert "feedback" not in policy.seen[0][-1]["content"]
    third = policy.seen[2][-1]["content"]
    assert "Wrong Answer" in third and "ZeroDivisionError" in third
    from agent.episode.prompts import ANSWER_LINE

    assert "Correctly solve the original question." in third and third.endswith(ANSWER_LINE)
    # a context that holds only one feedback block keeps the newest
    base = len(policy.seen[0][-1]["content"]) + sum(len(m["content"]) for m in policy.seen[0][:-1])
    small = ScriptedPolicy([WRONG, CRASH, RIGHT])
    small.context_window = base + 100 + 420
    run_solve(add_task(), MultiTurn(small, max_new_tokens=100), small, sandbox)
    third = small.seen[2][-1]["content"]
    assert "ZeroDivisionError" in third and "Wrong Answer" not in third


def test_method_names_and_config_checks():
    with pytest.raises(ValueError, match="unknown"):
        make_method("beam-search")
    with pytest.raises(ValueError, match="learner"):
        make_method("sdpo", learner=None)
    with pytest.raises(ValueError, match="exceeds the budget"):
        RunConfig(budget=2, batch=4)
    with pytest.raises(ValueError, match="unknown setting"):
        RunConfig.from_dict({"budgett": 3})


def test_run_dir_refuses_to_overwrite_and_checks_config_on_resume(tmp_path):
    cfg = RunConfig(budget=3).to_dict()
    RunDir.create(tmp_path / "r", cfg)
    with pytest.raises(RunDirError, match="already holds files"):
        RunDir.create(tmp_path / "r", cfg)
    with pytest.raises(RunDirError, match="budget"):
        RunDir.resume(tmp_path / "r", RunConfig(budget=4).to_dict())
    with pytest.raises(RunDirError, match="not a run directory"):
        RunDir.resume(tmp_path / "elsewhere", cfg)


def test_resume_may_change_what_an_update_costs_but_not_what_it_computes(tmp_path):
    RunDir.create(tmp_path / "r", RunConfig(budget=3).to_dict())
    with pytest.raises(RunDirError, match=r"sdpo: run has \{\}, now \{'lr': 1e-05\}"):
        RunDir.resume(tmp_path / "r", RunConfig(budget=3, sdpo={"lr": 1e-5, "measure_after": False}).to_dict())
    assert not (tmp_path / "r" / "resumes.jsonl").exists()

    cheaper = RunConfig(budget=3, sdpo={"measure_after": False, "recompute_activations": False}).to_dict()
    run = RunDir.resume(tmp_path / "r", cheaper)
    RunDir.resume(tmp_path / "r", cheaper)  # the same settings again: nothing new to record
    (line,) = run.read("resumes.jsonl")
    assert line["changed"] == {"sdpo.measure_after": ["default", False],
                               "sdpo.recompute_activations": ["default", False]}
    assert json.loads((tmp_path / "r" / "config.json").read_text())["sdpo"] == {}  # what the run was made with


def make_session(path, tasks, policy, learner, sandbox, resume=False):
    cfg = RunConfig(budget=3, batch=1)
    rundir = RunDir.resume(path, cfg.to_dict()) if resume else RunDir.create(path, cfg.to_dict())
    return Session(rundir, [Unit("sdpo", t.id, 0) for t in tasks], {t.id: t for t in tasks}, policy=policy,
                   sandbox=sandbox, learner=learner, methods={"sdpo": SDPO(learner)}, config=cfg,
                   reset_each_unit=False)


def test_interrupted_session_resumes_without_losing_or_repeating_attempts(tmp_path, sandbox):
    tasks = [add_task("p1"), add_task("p2")]
    learner = RecordingLearner()

    class Interrupting(ScriptedPolicy):
        def generate(self, messages, n, sampling):
            if len(self.seen) == 3:  # p1 used attempts 1-2; interrupt during p2's second episode
                raise KeyboardInterrupt
            return super().generate(messages, n, sampling)

    session = make_session(tmp_path / "r", tasks, Interrupting([WRONG, RIGHT, WRONG, WRONG]), learner, sandbox)
    with pytest.raises(KeyboardInterrupt):
        session.run()
    state = json.loads((tmp_path / "r" / "state.json").read_text())
    assert list(state["done"]) == ["sdpo|p1|0"] and state["current"]["progress"]["attempts"] == 1
    # a torn line from an unfinished episode is dropped on resume
    with open(tmp_path / "r" / "attempts.jsonl", "a") as f:
        f.write('{"problem": "p2", "attempt": 2, "torn')

    session = make_session(tmp_path / "r", tasks, ScriptedPolicy([CRASH, RIGHT]), learner, sandbox, resume=True)
    outcomes = session.run()
    lines = [json.loads(x) for x in (tmp_path / "r" / "attempts.jsonl").read_text().splitlines()]
    assert [(r["problem"], r["attempt"]) for r in lines] == [("p1", 1), ("p1", 2), ("p2", 1), ("p2", 2), ("p2", 3)]
    assert {k: o.solved_at for k, o in outcomes.items()} == {"sdpo|p1|0": 2, "sdpo|p2|0": 3}
    updates = (tmp_path / "r" / "updates.jsonl").read_text().splitlines()
    assert len(updates) == 5


def test_snapshot_of_finished_units_resumes_at_the_unit_in_progress(tmp_path, sandbox, capsys):
    from agent.cli import main

    tasks = [add_task("p1"), add_task("p2")]

    class Interrupting(ScriptedPolicy):
        def generate(self, messages, n, sampling):
            if len(self.seen) == 3:  # p1 finished in 2 attempts; p2 stopped after its first episode
                raise KeyboardInterrupt
            return super().generate(messages, n, sampling)

    session = make_session(tmp_path / "r", tasks, Interrupting([WRONG, RIGHT, WRONG]), RecordingLearner(), sandbox)
    with pytest.raises(KeyboardInterrupt):
        session.run()
    assert main(["bench", "snapshot", str(tmp_path / "r")]) == 2
    assert "usage: autodidact bench snapshot DIR --out DEST" in capsys.readouterr().err
    assert main(["bench", "snapshot", str(tmp_path / "r"), "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "1 finished unit of" in out and "left out of the unit in progress: 1 attempts.jsonl" in out
    assert main(["bench", "snapshot", str(tmp_path / "r"), "--out", str(tmp_path / "s")]) == 2
    assert "already holds files" in capsys.readouterr().err

    state = json.loads((tmp_path / "s" / "state.json").read_text())
    assert list(state["done"]) == ["sdpo|p1|0"] and "current" not in state and "adapter" not in state
    assert state["lines"] == {"attempts.jsonl": 2, "updates.jsonl": 2}
    assert not any((tmp_path / "s" / "checkpoints").iterdir())
    source = json.loads((tmp_path / "r" / "state.json").read_text())
    assert state["wall"] <= source["wall"] and state["timings"]["generation"] <= source["timings"]["generation"]

    # The copy resumes with p2 from its first attempt; the source still holds its own progress.
    session = make_session(tmp_path / "s", tasks, ScriptedPolicy([WRONG, WRONG, RIGHT]), RecordingLearner(), sandbox,
                           resume=True)
    outcomes = session.run()
    lines = [json.loads(x) for x in (tmp_path / "s" / "attempts.jsonl").read_text().splitlines()]
    assert [(r["problem"], r["attempt"]) for r in lines] == [("p1", 1), ("p1", 2), ("p2", 1), ("p2", 2), ("p2", 3)]
    assert {k: o.solved_at for k, o in outcomes.items()} == {"sdpo|p1|0": 2, "sdpo|p2|0": 3}
    assert json.loads((tmp_path / "r" / "state.json").read_text())["current"]["key"] == "sdpo|p2|0"


def test_bench_best_of_k_draws_k_times_r_samples_and_shows_that_budget(tmp_path, sandbox):
    from rich.console import Console

    from agent.report.progress import Reporter

    cfg = RunConfig(budget=2, batch=1, seeds=2)
    console = Console(record=True, width=200)
    session = Session(
        RunDir.create(tmp_path / "b", cfg.to_dict()), [Unit("best-of-k", "add", 0)], {"add": add_task()},
        policy={"best-of-k": ScriptedPolicy([WRONG, RIGHT, WRONG, RIGHT])}, sandbox=sandbox, learner=None,
        methods={"best-of-k": BestOfK()}, config=cfg, reset_each_unit=True, reporter=Reporter(cfg.budget, console),
        bench=True,
    )
    session.run()
    lines = [json.loads(x) for x in (tmp_path / "b" / "attempts.jsonl").read_text().splitlines()]
    assert [r["attempt"] for r in lines] == [1, 2, 3, 4] and sum(r["passed"] for r in lines) == 2
    shown = console.export_text()
    assert "attempt 4/4" in shown and "/2 " not in shown
