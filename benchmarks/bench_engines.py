"""Generation engines side by side: tokens/s, adapter hot-swap, start-up and memory of hf, vllm and vllm-server.

    python benchmarks/bench_engines.py [--engines hf,vllm,vllm-server] [--n 1,8,16] [--lengths 128,512]
                                       [--model smollm2-135m] [--device cpu] [--json out.json]

Each engine runs in a subprocess of its own (so one engine's memory never counts toward another's) and is
measured through the GenerationEngine interface the product uses:
- start-up: loading the trainable model (the learner's copy, which every engine needs), then opening the engine
  (hf: nothing; vllm: the in-process engine loads its own copy of the weights; vllm-server: a server is started
  on loopback and answers /health).
- tokens/s: one call of generate(messages, n) at temperature 1 with exactly L new tokens per sample (the end
  of turn is held off: min_new_tokens for hf, min_tokens for vLLM), for each n and L, first with the base
  weights (version 0) and then with an adapter (version 1: the LoRA B matrices set to small random values, so
  it changes the outputs). tokens/s = n * L / wall seconds of the call. The hf engine always computes its
  LoRA layers, so its two rows cost the same; vLLM skips LoRA at version 0.
- hot-swap: the time from "weights changed" (history.changed("update"), which writes the adapter and hands it
  to the engine) until a one-token generation with the new version has returned, minus a one-token
  generation's steady time; the median of five swaps.
- memory: resident memory after the engine opened, of this process and (vllm-server) of the server's process
  tree; the trainable model alone before the engine opened.

Run it alone: on a 2-core machine a neighbour's load changes every figure. The load average is printed beside
the figures.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROMPT = [{"role": "system", "content": "You are a competitive programmer. Answer with one Python code block."},
          {"role": "user", "content": "Read N integers from standard input and print how many pairs (i, j) with "
                                      "i < j have an even sum."}]
SWAPS = 5
_ORIGINAL_FIELDS = None  # vLLM's sampling fields before the end of turn was held off


def rss_mib(pid: int | None = None, tree: bool = False) -> float:
    """Resident memory of a process (default: this one), with its children when `tree`."""
    import psutil

    process = psutil.Process(pid)
    processes = [process] + (process.children(recursive=True) if tree else [])
    return sum(p.memory_info().rss for p in processes) / 2**20


def hold_off_end_of_turn(engine_name: str, engine: Any, length: int) -> None:
    """Make the next generations exactly `length` tokens long (a benchmark needs equal work per sample)."""
    if engine_name == "hf":
        engine.model.get_base_model().generation_config.min_new_tokens = length
        return
    import agent.generation.vllm as in_process
    import agent.generation.vllm_server as server

    global _ORIGINAL_FIELDS
    _ORIGINAL_FIELDS = _ORIGINAL_FIELDS or in_process.sampling_fields
    original = _ORIGINAL_FIELDS

    def fields(*args: Any) -> dict:
        out = original(*args)
        out["min_tokens"] = out["max_tokens"]
        return out

    in_process.sampling_fields = fields
    server.sampling_fields = fields


def perturb_adapter(trainable: Any, seed: int) -> None:
    """Give the adapter new weights (small random B matrices) and announce them, as an update would."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in trainable.model.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.02)
    trainable.history.changed("update")


def measure_engine(args: argparse.Namespace) -> dict:
    """Everything for one engine, in this process; returns the figures as a dict."""
    from agent import registry
    from agent.protocols import SamplingConfig

    out: dict[str, Any] = {"engine": args.engine}
    start = time.perf_counter()
    trainable = registry.load_trainable(args.model, device=args.device, dtype=args.dtype)
    out["load_trainable_s"] = time.perf_counter() - start
    out["rss_trainable_mib"] = rss_mib()
    start = time.perf_counter()
    engine = registry.open_engine(args.engine, trainable, {})
    out["open_engine_s"] = time.perf_counter() - start
    out["rss_mib"] = rss_mib()
    if args.engine == "vllm-server" and engine.process is not None:
        out["rss_server_mib"] = rss_mib(engine.process.pid, tree=True)
    try:
        one = SamplingConfig(temperature=0.0, max_new_tokens=1)
        engine.generate(PROMPT, n=1, sampling=SamplingConfig(temperature=1.0, max_new_tokens=8, seed=0))  # warm-up
        rows = []
        for label, version in (("base", 0), ("adapter", 1)):
            if version:
                perturb_adapter(trainable, seed=1)
                engine.generate(PROMPT, n=1, sampling=one)  # the new version is loaded before timing
            for length in args.lengths:
                hold_off_end_of_turn(args.engine, engine, length)
                for n in args.n:
                    sampling = SamplingConfig(temperature=1.0, top_p=1.0, max_new_tokens=length, seed=0)
                    start = time.perf_counter()
                    generations = engine.generate(PROMPT, n=n, sampling=sampling)
                    seconds = time.perf_counter() - start
                    tokens = sum(len(g.ids) for g in generations)
                    if tokens != n * length:
                        raise RuntimeError(f"{args.engine}: asked for {n} x {length} tokens, got {tokens}")
                    rows.append({"weights": label, "n": n, "tokens": length, "seconds": seconds,
                                 "tokens_per_s": tokens / seconds})
                    print(f"  {args.engine:<12} {label:<8} n={n:<3} L={length:<4} {seconds:7.2f} s "
                          f"{tokens / seconds:8.1f} tok/s", file=sys.stderr, flush=True)
        out["rows"] = rows
        hold_off_end_of_turn(args.engine, engine, 1)
        swaps, steady = [], []
        for i in range(SWAPS):
            start = time.perf_counter()
            engine.generate(PROMPT, n=1, sampling=one)
            steady.append(time.perf_counter() - start)
            start = time.perf_counter()
            perturb_adapter(trainable, seed=2 + i)
            published = time.perf_counter() - start
            engine.generate(PROMPT, n=1, sampling=one)
            swaps.append(time.perf_counter() - start)
            out.setdefault("publish_s", []).append(published)
        out["one_token_s"] = statistics.median(steady)
        out["hot_swap_s"] = statistics.median(swaps) - out["one_token_s"]
        out["publish_s"] = statistics.median(out["publish_s"])
    finally:
        if engine is not trainable:
            engine.close()
    return out


def run_subprocess(args: argparse.Namespace, engine: str) -> dict:
    """Measure one engine in a fresh interpreter; its figures come back as JSON on the last stdout line."""
    command = [sys.executable, __file__, "--one", engine, "--model", args.model, "--device", args.device,
               "--dtype", args.dtype, "--n", ",".join(map(str, args.n)),
               "--lengths", ",".join(map(str, args.lengths))]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"error: measuring {engine} failed (exit {done.returncode}); its messages are above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[dict], args: argparse.Namespace) -> str:
    lines = ["| engine | weights | " + " | ".join(f"n={n}, {L} tok" for L in args.lengths for n in args.n) + " |",
             "|---|---|" + "---:|" * (len(args.n) * len(args.lengths))]
    for result in results:
        for label in ("base", "adapter"):
            cells = {(r["n"], r["tokens"]): r["tokens_per_s"] for r in result["rows"] if r["weights"] == label}
            lines.append(f"| {result['engine']} | {label} | "
                         + " | ".join(f"{cells[(n, L)]:.1f}" for L in args.lengths for n in args.n) + " |")
    lines += ["", "| engine | load trainable | open engine | hot-swap | one token | RSS (process) | RSS (server) |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        server = f"{r['rss_server_mib']:.0f} MiB" if "rss_server_mib" in r else "-"
        lines.append(f"| {r['engine']} | {r['load_trainable_s']:.1f} s | {r['open_engine_s']:.1f} s | "
                     f"{r['hot_swap_s'] * 1000:.0f} ms | {r['one_token_s'] * 1000:.0f} ms | {r['rss_mib']:.0f} MiB "
                     f"(trainable alone {r['rss_trainable_mib']:.0f}) | {server} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="hf,vllm,vllm-server")
    parser.add_argument("--n", default="1,8,16", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--lengths", default="128,512", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # measure this engine here (the subprocess's job)
    args = parser.parse_args()
    if args.one:
        args.engine = args.one
        print(json.dumps(measure_engine(args)))
        return
    from agent import registry

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for name in engines:
        if name not in registry.names("engine"):
            sys.exit(f"error: unknown engine {name!r}; choose from {', '.join(registry.names('engine'))}")
    load_before = os.getloadavg()
    results = [run_subprocess(args, name) for name in engines]
    load_after = os.getloadavg()
    print(table(results, args))
    print(f"\nload average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
          f"{os.cpu_count()} CPUs; model {args.model} on {args.device}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "load": [load_before, load_after]}, indent=2))


if __name__ == "__main__":
    main()
