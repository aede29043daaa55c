"""How far apart are two learning methods of one bench, attempt by attempt?

    python benchmarks/compare_methods.py DIR [DIR ...] [--methods sdpo,sdpo-grpo]

Both methods start every run from the same base weights with the same sampling seeds, so their first batch is
the same text; after that they differ only as far as their updates do. This pairs the attempts of the two
methods on the same (problem, seed, attempt number) across the bench directories (shards) and prints how many
are the same code and how many got a different verdict, then, for each method, how many of its updates had a
policy-gradient signal (some non-zero advantage: the batch's rewards were not all equal) and where the time went
(generation, grading, updates; seconds summed over the method's attempts and updates; an attempt's gen_seconds
is its share of its batch's generation time).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from agent.report.summary import read_attempts, read_log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="bench run directories (one per shard)")
    parser.add_argument("--methods", default="sdpo,sdpo-grpo", help="the two methods to pair (default: %(default)s)")
    args = parser.parse_args()
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if len(methods) != 2 or methods[0] == methods[1]:
        parser.error(f"--methods takes two different method names joined by a comma (for example sdpo,sdpo-grpo), "
                     f"not {args.methods!r}")
    first, second = methods
    for d in args.dirs:
        if not (d / "attempts.jsonl").exists():
            parser.error(f"{d} has no attempts.jsonl: give bench run directories (for example runs/bench-bundled/a)")

    pairs: dict[tuple, dict[str, dict]] = defaultdict(dict)
    seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    signal: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in args.dirs:
        try:
            attempts, _ = read_attempts(d)
            updates = read_log(d / "updates.jsonl")[0] if (d / "updates.jsonl").exists() else []
        except ValueError as e:
            parser.error(str(e))
        for a in attempts:
            m = a["method"]
            pairs[(d.name, a["problem"], a["seed"], a["attempt"])][m] = a
            seconds[m]["generate"] += a.get("gen_seconds", 0.0)
            seconds[m]["grade"] += a.get("grade_seconds", 0.0)
        for _, u in updates:
            m = u["method"]
            seconds[m]["update"] += u.get("seconds", 0.0)
            signal[m][0] += 1
            signal[m][1] += any(abs(x) > 0 for x in (u.get("advantages") or []))

    both = [v for v in pairs.values() if first in v and second in v]
    same_code = sum(v[first].get("code") == v[second].get("code") for v in both)
    other_verdict = sum(v[first]["verdict"] != v[second]["verdict"] for v in both)
    print(f"{first} vs {second}: {len(both)} paired attempts, {same_code} the same code, "
          f"{other_verdict} with a different verdict")
    for m in (first, second):
        n, with_signal = signal[m]
        s = seconds[m]
        print(f"{m}: {n} updates, {with_signal} with a policy-gradient signal; seconds: generate {s['generate']:.0f}, "
              f"grade {s['grade']:.0f}, update {s['update']:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
