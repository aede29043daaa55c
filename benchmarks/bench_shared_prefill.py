"""One prefill of the prompt shared by n sampled rows against n prefills, in the hf engine.

    OMP_NUM_THREADS=1 python benchmarks/bench_shared_prefill.py [--task ad-002] [-n 8] [--max-new-tokens 64]

The embedded model with a fresh adapter, the task's student prompt, seeded sampling at temperature 0.7 and
top-p 0.95. For each seed it times `generate(messages, n)` as the engine runs it (the prompt's keys and values
computed once and repeated for the rows) and with the sharing turned off (each row prefilled on its own), and
counts the rows whose tokens are identical in the two.
"""

from __future__ import annotations

import argparse
import time

from agent.episode.prompts import problem_messages
from agent.generation.hf import HFPolicy
from agent.generation.models import DEFAULT_MODEL
from agent.protocols import SamplingConfig
from tasks.loaders import TaskFilters, select_tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="ad-002", help="a bundled task id")
    parser.add_argument("-n", type=int, default=8, help="samples per call")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--seeds", default="3,4", help="comma-separated sampling seeds, one timed pair each")
    args = parser.parse_args()

    task = next((t for t in select_tasks("bundled", TaskFilters()) if t.id == args.task), None)
    if task is None:
        parser.error(f"no bundled task {args.task!r}: pick an id from `autodidact tasks list bundled`")
    messages = problem_messages(task)
    policy = HFPolicy(DEFAULT_MODEL, device="cpu")
    for seed in (int(s) for s in args.seeds.split(",")):
        sampling = SamplingConfig(temperature=0.7, top_p=0.95, max_new_tokens=args.max_new_tokens, seed=seed)
        start = time.perf_counter()
        shared = policy.generate(messages, args.n, sampling)
        shared_s = time.perf_counter() - start
        policy._shared_prefill = lambda prefix, rows: None  # generate() then prefills every row
        start = time.perf_counter()
        plain = policy.generate(messages, args.n, sampling)
        plain_s = time.perf_counter() - start
        del policy._shared_prefill
        same = sum(a.ids == b.ids for a, b in zip(shared, plain))
        print(f"seed {seed}: shared prefill {shared_s:.1f} s, one prefill per row {plain_s:.1f} s, "
              f"identical rows {same}/{args.n}, prompt {len(shared[0].prompt_ids)} tokens")


if __name__ == "__main__":
    main()
