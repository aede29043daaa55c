"""What an SDPO update costs next to generating the attempt it learns from, per attempt length.

    python benchmarks/bench_learner.py [--lengths 128,512,1024] [--model smollm2-135m] [--device cpu]
    python benchmarks/bench_learner.py --device cuda --random-init qwen3-8b

For each length N: one attempt sampled at temperature 1 with exactly N new tokens (end of turn suppressed),
then one SDPO update on it with feedback: teacher forward + student forward/backward + AdamW step, with the
after-step KL measurement off. Targets: the update takes at most 0.3x the generation time, and its peak memory
is at most 1.5x the generation's.

--malloc jemalloc runs the measured processes with jemalloc preloaded. With glibc's malloc the update's peak
resident memory is mostly freed-but-retained heap: the tensors alive at once are a few hundred MiB, but the
many short-lived activations of the forward, the recomputation and the backward leave the heap fragmented.

Times are wall-clock seconds; CPU seconds (user + system, all threads) are shown beside them because on a
shared machine wall time mostly measures the neighbours. With several threads, idle threads that spin-wait for
a busy core also burn CPU seconds: pass --threads 1 for a measure of the work itself.

Each length runs in its own subprocess, so one length's memory never inflates the next one's peak. Each
subprocess warms up (a short generation and a short update) before timing. Memory is the peak over the phase:
on CPU the process's resident-set high-water mark, reset before each phase through /proc/self/clear_refs (it
includes the weights, which both phases hold); on CUDA torch.cuda.max_memory_allocated, reset likewise.

--random-init NAME loads the model random:NAME (agent/generation/models.py): a randomly initialised model of a real
shape (no weights needed to time it) with the embedded model's tokenizer; `tiny-llama` exercises that path on a
CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.generation.models import RANDOM_SHAPES  # noqa: E402
from agent.protocols import LearnerEpisode, SamplingConfig  # noqa: E402

STATEMENT = (
    "You are given an array of N integers A_1, ..., A_N and an integer K. Find the number of pairs (i, j) with "
    "1 <= i < j <= N such that A_i + A_j is divisible by K.\n\nConstraints\n- 1 <= N <= 2 x 10^5\n"
    "- 1 <= K <= 10^9\n- 0 <= A_i <= 10^9\n- All input values are integers.\n\nInput\nThe input is given from "
    "Standard Input in the following format:\nN K\nA_1 A_2 ... A_N\n\nOutput\nPrint the answer.\n\n"
    "Sample Input 1\n5 3\n1 2 3 4 5\n\nSample Output 1\n4"
)
FEEDBACK = (
    "Test Case 1: Wrong Answer\nInput:\n5 3\n1 2 3 4 5\nOutput:\n10\nExpected:\n4\n\n"
    "Test Case 2: Wrong Answer\nInput:\n4 2\n2 4 6 8\nOutput:\n0\nExpected:\n6"
)


def jemalloc_path() -> str:
    """The jemalloc shared library to preload; an error says how to install it."""
    import ctypes.util

    for candidate in ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
                      ctypes.util.find_library("jemalloc") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("error: --malloc jemalloc needs libjemalloc: install it with `apt-get install libjemalloc2`")


def load_policy(args: argparse.Namespace) -> Any:
    from agent import registry
    from agent.generation.models import RANDOM_PREFIX

    model = RANDOM_PREFIX + args.random_init if args.random_init else args.model
    return registry.load_trainable(model, device=args.device, dtype=args.dtype)


def generate_exactly(policy: Any, messages: list[dict], length: int) -> Any:
    """One sampled attempt of exactly `length` tokens: the end of turn is suppressed until then."""
    # min_new_tokens in the model's generation config holds off the end of turn
    policy.model.get_base_model().generation_config.min_new_tokens = length
    (generation,) = policy.generate(messages, n=1, sampling=SamplingConfig(temperature=1.0, max_new_tokens=length,
                                                                           seed=0))
    if len(generation.ids) != length:
        raise RuntimeError(f"asked for {length} tokens, got {len(generation.ids)}: the end of turn was not held off")
    return generation


class PeakMemory:
    """Peak memory of a phase: CUDA allocator peak, else the resident-set high-water mark."""

    def __init__(self, device: Any) -> None:
        self.cuda = str(device).startswith("cuda")

    def reset(self) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        else:
            with open("/proc/self/clear_refs", "w") as f:  # "5" resets VmHWM to the current RSS (Linux)
                f.write("5")

    def peak_mib(self) -> float:
        if self.cuda:
            import torch

            torch.cuda.synchronize()
            return torch.cuda.max_memory_allocated() / 2**20
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc/self/status: this benchmark measures CPU memory on Linux only")


def cpu_seconds() -> float:
    """CPU time this process has used (user + system), all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_one(args: argparse.Namespace, length: int) -> dict:
    """Generate one attempt of `length` tokens and run one update on it; times and peaks of both."""
    import torch

    from agent import registry
    from agent.episode.prompts import problem_messages
    from tasks.model import Task

    policy = load_policy(args)
    if args.threads:  # after loading: the policy sets its own thread count
        torch.set_num_threads(args.threads)
    task = Task(id="bench", title="pairs", statement=STATEMENT, kind="stdin", public_tests=(), hidden_tests=())
    messages = problem_messages(task)
    system, prompt = messages[0]["content"], messages[1]["content"]
    learner = registry.make_learner("sdpo", policy, {"measure_after": False})
    memory = PeakMemory(policy.device)

    def episode(ids: list[int]) -> LearnerEpisode:
        return LearnerEpisode(prompt=prompt, response_ids=ids, feedback=FEEDBACK, system=system)

    warm = generate_exactly(policy, messages, 8)
    learner.update([episode(warm.ids)])

    memory.reset()
    baseline = memory.peak_mib()
    cpu = cpu_seconds()
    start = time.perf_counter()
    generation = generate_exactly(policy, messages, length)
    generation_seconds = time.perf_counter() - start
    generation_cpu = cpu_seconds() - cpu
    generation_peak = memory.peak_mib()

    memory.reset()
    cpu = cpu_seconds()
    stats = learner.update([episode(generation.ids)])
    update_cpu = cpu_seconds() - cpu
    update_peak = memory.peak_mib()
    if stats.skipped or stats.tokens != length:
        raise RuntimeError(f"the update did not score the attempt: {stats}")
    return {
        "length": length, "generation_s": generation_seconds, "update_s": stats.seconds,
        "generation_cpu_s": generation_cpu, "update_cpu_s": update_cpu,
        "baseline_mib": baseline, "generation_peak_mib": generation_peak, "update_peak_mib": update_peak,
        "teacher_prompt_tokens": stats.teacher_prompt_tokens[0], "threads": torch.get_num_threads(),
    }


def table(rows: list[dict], title: str) -> str:
    lines = [
        f"### {title}",
        "",
        "| attempt tokens | generation s | update s | update / generation (target <= 0.3) "
        "| CPU s: generation, update, ratio | generation peak MiB | update peak MiB "
        "| update / generation memory (target <= 1.5) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        time_ratio = r["update_s"] / r["generation_s"]
        cpu_ratio = r["update_cpu_s"] / r["generation_cpu_s"]
        memory_ratio = r["update_peak_mib"] / r["generation_peak_mib"]
        lines.append(
            f"| {r['length']} | {r['generation_s']:.2f} | {r['update_s']:.2f} | {time_ratio:.2f}"
            f"{'' if time_ratio <= 0.3 else ' (missed)'} "
            f"| {r['generation_cpu_s']:.1f}, {r['update_cpu_s']:.1f}, {cpu_ratio:.2f} "
            f"| {r['generation_peak_mib']:.0f} | {r['update_peak_mib']:.0f} "
            f"| {memory_ratio:.2f}{'' if memory_ratio <= 1.5 else ' (missed)'} |"
        )
    first = rows[0]
    lines += ["", f"Memory before generation (weights and runtime): {first['baseline_mib']:.0f} MiB; "
                  f"teacher prompt {first['teacher_prompt_tokens']} tokens; {first['threads']} CPU threads; "
                  f"load average {os.getloadavg()[0]:.1f} at the end."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="128,512,1024", help="attempt lengths in tokens, comma-separated")
    parser.add_argument("--model", default="smollm2-135m", help="model for HFPolicy (ignored with --random-init)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--dtype", default="auto", help="dtype for HFPolicy: auto, float32, bfloat16")
    parser.add_argument("--random-init", choices=sorted(RANDOM_SHAPES), default=None,
                        help="time a randomly initialised model of this shape instead of --model")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch CPU threads (0: as the policy sets them). With 1, CPU seconds are a measure of "
                             "work that other processes on a shared machine barely disturb")
    parser.add_argument("--malloc", choices=("system", "jemalloc"), default="system",
                        help="CPU memory allocator of the measured processes (jemalloc: preloaded libjemalloc)")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # a child: one length, JSON out
    args = parser.parse_args()

    if args.one is not None:
        print(json.dumps(measure_one(args, args.one)))
        return 0

    env = os.environ.copy()
    if args.malloc == "jemalloc":
        env["LD_PRELOAD"] = jemalloc_path()
    rows = []
    for length in [int(x) for x in args.lengths.split(",")]:
        command = [sys.executable, __file__, "--one", str(length), "--model", args.model, "--device", args.device,
                   "--dtype", args.dtype, "--threads", str(args.threads)]
        command += ["--random-init", args.random_init] if args.random_init else []
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            print(f"error: the run for {length} tokens failed (exit {done.returncode})", file=sys.stderr)
            return 1
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{length} tokens: generation {rows[-1]['generation_s']:.2f} s, update {rows[-1]['update_s']:.2f} s",
              file=sys.stderr)
    subject = args.random_init + " (random init)" if args.random_init else args.model
    print(table(rows, f"SDPO update vs generation: {subject} on {args.device}, {args.malloc} malloc"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
