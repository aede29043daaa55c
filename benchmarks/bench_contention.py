"""Generation and SDPO update speed alone and beside 1 and 2 busy processes, adaptive threads vs fixed.

    python benchmarks/bench_contention.py [--tokens 128] [--repeats 3] [--threads auto,2,1]

For each thread policy (`auto`: agent/generation/cpu.py's governor, the default; a number: that many torch threads,
fixed) and each number of competitors (0, 1, 2 processes spinning a pure-Python loop, started before the
timing and killed after it), it times:
- generation: one sampled attempt of exactly --tokens new tokens (end of turn suppressed), tokens/s;
- update: one SDPO update (teacher forward, student forward/backward, AdamW step) on that attempt, seconds.
Each cell is the median of --repeats runs. Slowdown is each figure against the same policy's alone figure,
and against `auto` alone. Target: with one competitor, no worse than 2.5x slower than alone.

Every policy runs in its own subprocess (one model load each), so a fixed count cannot leak into the next.
Run it on an otherwise idle machine: the load average before the start is printed beside the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_learner import FEEDBACK, STATEMENT, generate_exactly  # noqa: E402

SPIN = "while True:\n    pass\n"


def competitors(count: int) -> list[subprocess.Popen]:
    procs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(count)]
    time.sleep(1.0)  # let them reach full speed (and the governor's next look see them)
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.kill()
        proc.wait()


def measure(policy_name: str, tokens: int, repeats: int, loads: list[int]) -> dict:
    """In a child: load the model under one thread policy and time every load level."""
    from agent import registry
    from agent.episode.prompts import problem_messages
    from agent.generation import cpu
    from agent.protocols import LearnerEpisode
    from tasks.model import Task

    cpu.configure(None if policy_name == "auto" else int(policy_name))
    policy = registry.load_trainable("smollm2-135m", device="cpu")
    learner = registry.make_learner("sdpo", policy, {"measure_after": False})
    task = Task(id="bench", title="pairs", statement=STATEMENT, kind="stdin", public_tests=(), hidden_tests=())
    messages = problem_messages(task)
    system, prompt = messages[0]["content"], messages[1]["content"]

    def episode(ids: list[int]) -> LearnerEpisode:
        return LearnerEpisode(prompt=prompt, response_ids=ids, feedback=FEEDBACK, system=system)

    warm = generate_exactly(policy, messages, 8)
    learner.update([episode(warm.ids)])
    policy.history.reset()
    results = {}
    for load in loads:
        procs = competitors(load)
        try:
            rates, updates, threads = [], [], []
            for _ in range(repeats):
                start = time.perf_counter()
                gen = generate_exactly(policy, messages, tokens)
                rates.append(tokens / (time.perf_counter() - start))
                threads.append(cpu.fit_threads())
                stats = learner.update([episode(gen.ids)])
                updates.append(stats.seconds)
                policy.history.reset()  # every repeat learns from the same starting weights
        finally:
            stop(procs)
        results[load] = {"tokens_per_s": statistics.median(rates), "update_s": statistics.median(updates),
                         "threads": sorted(set(threads))}
        print(f"{policy_name} threads, {load} competitors: {results[load]}", file=sys.stderr)
    return results


def table(rows: dict[str, dict], loads: list[int], tokens: int, load_before: float) -> str:
    reference = rows.get("auto", next(iter(rows.values())))[0] if 0 in loads else None
    lines = [
        f"Generation of {tokens} tokens (tokens/s) and one SDPO update on it (s), embedded model on CPU, "
        f"{os.cpu_count()} cores, load average {load_before:.2f} before the start.",
        "",
        "| threads | busy competitors | threads used | tokens/s | slowdown vs alone | update s | slowdown vs alone |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for name, results in rows.items():
        alone = results.get(0)
        for load in loads:
            r = results[load]
            gen_slow = alone["tokens_per_s"] / r["tokens_per_s"] if alone else float("nan")
            upd_slow = r["update_s"] / alone["update_s"] if alone else float("nan")
            lines.append(f"| {name} | {load} | {','.join(map(str, r['threads']))} | {r['tokens_per_s']:.1f} "
                         f"| {gen_slow:.2f}x | {r['update_s']:.2f} | {upd_slow:.2f}x |")
    if reference is not None:
        lines += ["", "Against adaptive threads alone: " + "; ".join(
            f"{name} alone {results[0]['tokens_per_s'] / reference['tokens_per_s']:.2f}x its tokens/s"
            for name, results in rows.items() if 0 in results)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=128, help="new tokens per generation")
    parser.add_argument("--repeats", type=int, default=3, help="runs per cell; the median is reported")
    parser.add_argument("--threads", default="auto,2,1",
                        help="thread policies, comma-separated: auto (adaptive) or a fixed count")
    parser.add_argument("--loads", default="0,1,2", help="numbers of busy competitor processes")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # a child: one thread policy
    args = parser.parse_args()
    loads = [int(x) for x in args.loads.split(",")]

    if args.one is not None:
        print(json.dumps(measure(args.one, args.tokens, args.repeats, loads)))
        return 0

    load_before = os.getloadavg()[0]
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    rows = {}
    for name in args.threads.split(","):
        command = [sys.executable, __file__, "--one", name, "--tokens", str(args.tokens),
                   "--repeats", str(args.repeats), "--loads", args.loads]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env)
        if done.returncode != 0:
            print(f"error: the run with threads={name} failed (exit {done.returncode})", file=sys.stderr)
            return 1
        rows[name] = {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}
    if args.json:
        args.json.write_text(json.dumps({"load_before": load_before, "rows": rows}, indent=2))
    print(table(rows, loads, args.tokens, load_before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
