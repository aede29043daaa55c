"""A session runs a list of units — (method, problem, seed) — through the episode loop, writing everything to a
run directory as it happens and resuming from it.

`autodidact run` is one unit per problem with one method (sdpo, or none); with the adapter carried from problem
to problem unless reset_per_problem. `autodidact bench` is every method x problem x seed, each learning unit
starting from the base weights (the paper's test-time setting).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from agent.episode.loop import Attempt, Outcome, Progress, Timings, solve
from agent.protocols import UpdateStats
from agent.episode.rundir import RunDir


@dataclass(frozen=True)
class Unit:
    method: str
    problem: str
    seed: int

    @property
    def key(self) -> str:
        """How state.json names the unit: method|problem|seed."""
        return f"{self.method}|{self.problem}|{self.seed}"

    @classmethod
    def from_key(cls, key: str) -> "Unit":
        method, problem, seed = key.split("|")
        return cls(method, problem, int(seed))


class Session:
    def __init__(self, rundir: RunDir, units: list[Unit], tasks: dict, *, policy, sandbox, learner, methods: dict,
                 config, reset_each_unit: bool, reporter=None, bench: bool = False):
        self.rundir = rundir
        self.units = units
        self.tasks = tasks
        self.policy = policy
        self.sandbox = sandbox
        self.learner = learner
        self.methods = methods
        self.cfg = config
        self.reset_each_unit = reset_each_unit
        self.reporter = reporter
        self.bench = bench
        self.state = rundir.load_state()
        self.state.setdefault("done", {})
        self.timings = Timings(**self.state.get("timings", {}))
        self.wall = float(self.state.get("wall", 0.0))

    def run(self) -> dict[str, Outcome]:
        self._clock = time.perf_counter()
        resumed = self.rundir.restore_adapter(self.state, self.learner)
        if self.reporter:
            self.reporter.start(self.units, self.state["done"], resumed)
        for unit in self.units:
            if unit.key in self.state["done"]:
                continue
            self._run_unit(unit)
        return {k: Outcome(Unit.from_key(k).problem, v["solved_at"], v["attempts"])
                for k, v in self.state["done"].items()}

    def _run_unit(self, unit: Unit) -> None:
        current = self.state.get("current")
        method = self.methods[unit.method]
        if current and current["key"] == unit.key:
            progress = Progress(**current["progress"])  # resume mid-problem at an episode boundary
        else:
            progress = Progress()
            learner = getattr(method, "learner", None) or self.learner
            if learner is not None and self.reset_each_unit:
                learner.reset()  # the unit's own learner, so its optimizer restarts with the adapter
        task = self.tasks[unit.problem]

        def on_attempt(attempt: Attempt) -> None:
            record = {"method": unit.method, "seed": unit.seed, **attempt.record()}
            self.rundir.append("attempts.jsonl", record)
            if self.reporter:
                self.reporter.attempt(unit, attempt, self.budget_for(unit.method))

        def on_episode(state: Progress, stats: UpdateStats | None) -> None:
            learned = stats is not None and not stats.skipped
            if stats is not None:
                record = {"method": unit.method, "problem": unit.problem, "seed": unit.seed,
                          "episode": state.episode - 1, "attempts": state.attempts, **asdict(stats)}
                self.rundir.append("updates.jsonl", record)
                if self.reporter:
                    self.reporter.update(unit, stats)
            self.state["current"] = {"key": unit.key, "progress": asdict(state)}
            self._commit(learner=self.learner if learned else None)

        outcome = solve(
            task, method, policy=self.policy_for(unit.method), sandbox=self.sandbox,
            budget=self.budget_for(unit.method), batch=self.batch_for(unit.method), sampling=self.cfg.sampling, seed=unit.seed,
            visible_mode=self.cfg.visible, workers=self.cfg.sandbox.workers, progress=progress,
            on_attempt=on_attempt, on_episode=on_episode, timings=self.timings,
        )
        self.state["done"][unit.key] = {"solved_at": outcome.solved_at, "attempts": outcome.attempts}
        self.state["current"] = None
        self._commit()
        if self.reporter:
            self.reporter.unit_done(unit, outcome)

    def policy_for(self, method: str):
        return self.policy[method] if isinstance(self.policy, dict) else self.policy

    def budget_for(self, method: str) -> int:
        # An independent method (best-of-k) draws all K * R samples of a problem as one unit in bench (the pass@k
        # estimator uses n = K * R).
        independent = self.methods[method].independent
        return self.cfg.budget * self.cfg.seeds if independent and self.bench else self.cfg.budget

    def batch_for(self, method: str) -> int:
        return self.cfg.budget if self.methods[method].independent else self.cfg.batch

    def _commit(self, learner=None) -> None:
        # Wall time is charged at each commit, so a resumed run's total counts only time spent on kept work.
        now = time.perf_counter()
        self.wall += now - self._clock
        self._clock = now
        self.state["timings"] = asdict(self.timings)
        self.state["wall"] = self.wall
        self.rundir.save_state(self.state, learner)

    def time_shares(self) -> dict:
        t = self.timings
        other = max(0.0, self.wall - t.generation - t.grading - t.update)
        total = self.wall or 1.0
        return {
            "wall_seconds": round(self.wall, 2),
            "generation": round(t.generation / total, 4), "grading": round(t.grading / total, 4),
            "update": round(t.update / total, 4), "other": round(other / total, 4),
        }
