"""A run directory: everything a run or benchmark writes, as it happens, so that an interrupted run loses
nothing it finished and can be resumed.

    config.json      the resolved configuration (a resume must match it)
    attempts.jsonl   one line per attempt
    updates.jsonl    one line per learner update
    state.json       what is finished: completed units, the current unit's progress, and how many lines of
                     each log belong to finished episodes (lines past that are from an unfinished episode and
                     are dropped on resume, then redone)
    checkpoints/     the adapter at the last finished episode (step-N), and the final adapter (a benchmark's
                     finished units alone need none: snapshot_finished copies them without it)
    resumes.jsonl    one line per resume that changed a setting allowed to change (RESUME_FREE_KEYS,
                     COST_ONLY_SDPO): what it was and what it is from then on
    summary.json     written at the end

Every file that is rewritten is written to a temporary name and renamed, so a crash leaves the old or the new
version, never half of one. Log lines are flushed and fsynced as they are written.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

LOGS = ("attempts.jsonl", "updates.jsonl")
# Where each log records the time its lines took: (the Timings field, the record's field).
_TIMED_FIELDS = {"attempts.jsonl": (("generation", "gen_seconds"), ("grading", "grade_seconds")),
                 "updates.jsonl": (("update", "seconds"),)}
# Settings that may differ on --resume without changing what the run computes.
RESUME_FREE_KEYS = {"sandbox.workers", "sandbox.backend", "eval_taskset", "eval_samples", "eval_budget"}
# [sdpo] settings that change what an update costs, not the weights it produces: gradient checkpointing replays
# the same forward, and the KL measured after the step is a diagnostic.
COST_ONLY_SDPO = ("recompute_activations", "measure_after")


class RunDirError(ValueError):
    pass


def write_json_atomic(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and k not in ("lora", "sdpo"):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _split_cost_only(config: dict) -> dict:
    """The config with COST_ONLY_SDPO taken out of its [sdpo] table into keys of their own ('sdpo.<name>')."""
    sdpo = dict(config.get("sdpo") or {})
    cost = {f"sdpo.{name}": sdpo.pop(name) for name in COST_ONLY_SDPO if name in sdpo}
    return {**config, "sdpo": sdpo, **cost}


def _resume_free(key: str) -> bool:
    return key in RESUME_FREE_KEYS or key.removeprefix("sdpo.") in COST_ONLY_SDPO


class RunDir:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.checkpoints = self.path / "checkpoints"

    @classmethod
    def create(cls, path: str | Path, config: dict) -> "RunDir":
        run = cls(path)
        if run.path.exists() and any(run.path.iterdir()):
            raise RunDirError(
                f"run directory {run.path} already holds files; resume it with --resume {run.path} "
                "or choose another --out (nothing was overwritten)"
            )
        run.checkpoints.mkdir(parents=True, exist_ok=True)
        write_json_atomic(run.path / "config.json", config)
        for name in LOGS:
            (run.path / name).touch()
        return run

    @classmethod
    def resume(cls, path: str | Path, config: dict, defaults: dict | None = None) -> "RunDir":
        """Open a run directory to continue it; refused when `config` differs from the one it was made with.

        `defaults` fills settings that the saved config.json predates (a run directory written before a setting
        existed ran with its default), so such a directory still resumes.
        """
        run = cls(path)
        cfg_path = run.path / "config.json"
        if not cfg_path.is_file():
            raise RunDirError(f"{run.path} is not a run directory (no config.json); start a new run with --out")
        saved = json.loads(cfg_path.read_text())
        if defaults is not None:
            from agent.config import merge

            saved = merge(defaults, saved, keep_none=True)
        a, b = _flatten(_split_cost_only(saved)), _flatten(_split_cost_only(config))
        differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and not _resume_free(k))
        if differ:
            detail = "; ".join(f"{k}: run has {a.get(k)!r}, now {b.get(k)!r}" for k in differ[:6])
            raise RunDirError(
                f"{run.path} was made with a different configuration ({detail}); resume it with the same "
                "options (they are in its config.json, usable with --config), or start a new run with --out"
            )
        for earlier in run.read("resumes.jsonl"):  # what the last resume ran with
            a.update({k: new for k, (_, new) in earlier["changed"].items()})
        changed = {k: [a.get(k, "default"), b.get(k, "default")] for k in sorted(set(a) | set(b))
                   if a.get(k, "default") != b.get(k, "default")}
        if changed:
            run.append("resumes.jsonl", {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                         "changed": changed})
        run.checkpoints.mkdir(exist_ok=True)
        state = run.load_state()
        for name in LOGS:
            run._truncate(name, state.get("lines", {}).get(name, 0))
        return run

    def _truncate(self, name: str, keep: int) -> None:
        """Drop log lines past `keep` (they belong to an episode that did not finish) and any torn last line."""
        path = self.path / name
        if not path.exists():
            path.touch()
            return
        lines = path.read_text().splitlines(keepends=True)
        lines = [ln for ln in lines[:keep] if ln.endswith("\n")]
        tmp = path.with_name(name + ".tmp")
        tmp.write_text("".join(lines))
        os.replace(tmp, path)

    def append(self, name: str, record: dict) -> None:
        with open(self.path / name, "a") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def count_lines(self, name: str) -> int:
        with open(self.path / name) as f:
            return sum(1 for _ in f)

    def read(self, name: str) -> list[dict]:
        path = self.path / name
        if not path.exists():
            return []
        return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]

    def load_state(self) -> dict:
        path = self.path / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def save_state(self, state: dict, learner=None) -> None:
        """Commit a finished episode: write the adapter to a new numbered folder, then the state that points at
        it, then remove the older folder. A crash at any point leaves a state whose adapter folder exists."""
        previous = state.get("adapter")
        if learner is not None:
            serial = int(state.get("serial", 0)) + 1
            name = f"checkpoints/step-{serial:06d}"
            learner.save(str(self.path / name))
            state["serial"], state["adapter"] = serial, name
        state["lines"] = {log: self.count_lines(log) for log in LOGS}
        write_json_atomic(self.path / "state.json", state)
        if previous and previous != state.get("adapter"):
            _rmtree(self.path / previous)

    def snapshot_finished(self, dest: str | Path) -> dict:
        """Copy the finished units to `dest`, a run directory that resumes at the first unfinished unit.

        For benchmarks, whose every unit starts from the base weights: the unit in progress and its adapter
        checkpoint are left out (a resume of `dest` redoes that unit), so the copy is small enough to move
        between machines. It reads a consistent state while the run goes on: the state is read first, and every
        log line of a finished unit was written before the state that lists it. The time of the left-out lines
        is taken off the timings. Returns {"units": finished units, "dropped": {log: lines left out}}.
        """
        import shutil

        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            raise RunDirError(f"{dest} already holds files; choose an empty or new directory")
        state = self.load_state()
        done = state.get("done", {})
        kept, dropped = {}, {}
        timings = dict(state.get("timings", {}))
        spent = 0.0
        for name in LOGS:
            committed = self.read(name)[: state.get("lines", {}).get(name, 0)]
            kept[name] = [r for r in committed if f"{r['method']}|{r['problem']}|{r['seed']}" in done]
            left = [r for r in committed if f"{r['method']}|{r['problem']}|{r['seed']}" not in done]
            dropped[name] = len(left)
            for phase, field in _TIMED_FIELDS[name]:
                seconds = sum(float(r.get(field) or 0.0) for r in left)
                timings[phase] = timings.get(phase, 0.0) - seconds
                spent += seconds
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "checkpoints").mkdir(exist_ok=True)
        for name in ("config.json", "resumes.jsonl"):
            if (self.path / name).is_file():
                shutil.copyfile(self.path / name, dest / name)
        for name, rows in kept.items():
            (dest / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
        write_json_atomic(dest / "state.json", {
            "done": done, "timings": timings, "wall": max(0.0, float(state.get("wall", 0.0)) - spent),
            "lines": {name: len(rows) for name, rows in kept.items()},
        })
        return {"units": len(done), "dropped": dropped}

    def restore_adapter(self, state: dict, learner) -> bool:
        adapter = state.get("adapter")
        if learner is None or not adapter:
            return False
        learner.load(str(self.path / adapter))
        return True


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
