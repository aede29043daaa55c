"""Grading speed: the reference solutions of a task set graded by the docker (warm containers), local and
in-process backends, with 1 and 2 workers. Prints a markdown table: time per attempt, ratio to in-process,
the sandbox's overhead per attempt (docker minus in-process), and the speed-up from a second worker.

    python benchmarks/bench_grading.py [TASKSET] [--rounds N] [--backends docker,local,inprocess] [--workers 1,2]

An attempt is one grade of one reference solution on all of its task's tests (as `tasks validate` does).
Every container is started and warmed before timing starts, so the figures are the steady state of a run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.config import SandboxConfig  # noqa: E402
from sandbox.factory import open_sandbox  # noqa: E402
from tasks.loaders import load_taskset  # noqa: E402
from tasks.model import Task  # noqa: E402
from tasks.references import reference_solution  # noqa: E402


def attempts_of(taskset: str) -> list[tuple[Task, str]]:
    pairs = [(t, reference_solution(t)) for t in load_taskset(taskset)]
    pairs = [(t, code) for t, code in pairs if code is not None]
    if not pairs:
        sys.exit(f"error: no task in {taskset} has a reference solution; pass a set with references/<id>.py files")
    return pairs


def run_backend(backend: str, workers: int, attempts: list[tuple[Task, str]], rounds: int) -> dict:
    """Grade every attempt `rounds` times; return wall time per attempt and the failures seen."""
    with open_sandbox(SandboxConfig(backend=backend, workers=workers)) as sandbox:
        if backend == "docker":
            sandbox.pool.warm()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # One untimed pass warms caches (and, for docker, every container's page cache).
            list(pool.map(lambda a: sandbox.grade(a[1], a[0], a[0].all_tests), attempts))
            walls = []
            failed = set()
            for _ in range(rounds):
                started = time.perf_counter()
                results = list(pool.map(lambda a: sandbox.grade(a[1], a[0], a[0].all_tests), attempts))
                walls.append((time.perf_counter() - started) / len(attempts))
                failed |= {t.id for (t, _), r in zip(attempts, results) if not r.passed}
        round_trip = exec_round_trip(sandbox) if backend == "docker" else None
    return {"per_attempt": statistics.median(walls), "failed": sorted(failed), "round_trip": round_trip}


def exec_round_trip(sandbox, n: int = 20) -> float:
    """Median seconds of exec'ing `true` in a warm container: the engine's floor under every docker grade."""
    from sandbox.docker_backend import exec_in

    times = []
    with sandbox.pool.lease() as container:
        for _ in range(n):
            started = time.perf_counter()
            exec_in(sandbox.client, container, ["true"], None, 10.0)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("taskset", nargs="?", default="bundled", help="task set with reference solutions")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the set (median is reported)")
    parser.add_argument("--backends", default="docker,local,inprocess")
    parser.add_argument("--workers", default="1,2", help="worker counts to try (inprocess always uses 1)")
    args = parser.parse_args()

    attempts = attempts_of(args.taskset)
    n_tests = sum(len(t.all_tests) for t, _ in attempts)
    print(f"{len(attempts)} reference solutions of {args.taskset} ({n_tests} tests), {args.rounds} rounds\n",
          file=sys.stderr)
    rows = {}
    for backend in args.backends.split(","):
        # The in-process backend forks from the calling thread; forking from several threads risks deadlocks.
        counts = [1] if backend == "inprocess" else [int(w) for w in args.workers.split(",")]
        for workers in counts:
            print(f"timing {backend} with {workers} worker(s)...", file=sys.stderr)
            rows[backend, workers] = run_backend(backend, workers, attempts, args.rounds)

    base = rows.get(("inprocess", 1), {}).get("per_attempt")
    print("| backend | workers | ms per attempt | vs inprocess | speed-up vs 1 worker | failed |")
    print("|---|---|---|---|---|---|")
    for (backend, workers), row in rows.items():
        ms = row["per_attempt"] * 1000
        ratio = f"{row['per_attempt'] / base:.1f}x" if base else "-"
        one = rows.get((backend, 1))
        speedup = f"{one['per_attempt'] / row['per_attempt']:.2f}x" if one and workers > 1 else "-"
        print(f"| {backend} | {workers} | {ms:.0f} | {ratio} | {speedup} | {', '.join(row['failed']) or '-'} |")
    if base and ("docker", 1) in rows:
        docker = rows["docker", 1]
        print(f"\nSandbox overhead per attempt (docker minus inprocess, 1 worker): "
              f"{(docker['per_attempt'] - base) * 1000:.0f} ms; one exec round trip to the engine (`true` in a "
              f"warm container) takes {docker['round_trip'] * 1000:.0f} ms.")
    print(f"Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
