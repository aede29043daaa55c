"""What serving through `autodidact serve` costs against generating in-process, and what an update does to it.

    python benchmarks/bench_serve.py [--tokens 128] [--repeats 3] [--requests 8] [--model smollm2-135m]

Measured, in this order:
1. in-process: the hf engine's stream() on a starter problem's prompt (LiveCodeBench wording, 329 prompt
   tokens), greedy: time to the first text piece and tokens per second over the whole answer;
2. through the API: the same prompt and settings streamed from a real server (a subprocess on a loopback port)
   with the official openai client: time to the first content chunk and tokens per second, usage's token count;
3. requests per second at concurrency 1, 4 and 8: `--requests` requests of 32 new tokens (temperature 0.7,
   one seed each) sent by that many client threads at once;
4. update time: one follow-up's SDPO update with the server otherwise idle, then another while eight requests
   are being answered (the server's own statistics: `seconds` of the update, and from queued to finished).

Medians of --repeats runs for 1 and 2. The load average is printed at the start and the end: on a shared machine
the figures mean little without it. The server is started with --sandbox local and its session under a
temporary directory, which is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agent.protocols import SamplingConfig  # noqa: E402

SERVED = "smollm2-135m"


def prompt_messages() -> list[dict]:
    from agent.episode.prompts import problem_messages
    from tasks.loaders import load_taskset

    return problem_messages(load_taskset("starter", ids=["ad-001"])[0])


def in_process(model: str, messages: list[dict], tokens: int, repeats: int) -> dict:
    from agent import registry

    policy = registry.load_trainable(model)
    sampling = SamplingConfig(temperature=0.0, max_new_tokens=tokens)
    policy.generate(messages, 1, SamplingConfig(temperature=0.0, max_new_tokens=2))  # warm-up
    firsts, rates, counts = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        first = None
        for _piece in policy.stream(messages, sampling):
            first = first or time.perf_counter() - start
        total = time.perf_counter() - start
        n = len(policy.last_generation.ids)
        firsts.append(first)
        rates.append(n / total)
        counts.append(n)
    return {"first_token_s": statistics.median(firsts), "tokens_per_s": statistics.median(rates),
            "tokens": statistics.median(counts)}


def through_api(client, messages: list[dict], tokens: int, repeats: int) -> dict:
    firsts, rates, counts = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        first, usage = None, None
        stream = client.chat.completions.create(model=SERVED, messages=messages, max_tokens=tokens, temperature=0,
                                                stream=True, stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content and first is None:
                first = time.perf_counter() - start
            if chunk.usage:
                usage = chunk.usage
        total = time.perf_counter() - start
        firsts.append(first)
        rates.append(usage.completion_tokens / total)
        counts.append(usage.completion_tokens)
    return {"first_token_s": statistics.median(firsts), "tokens_per_s": statistics.median(rates),
            "tokens": statistics.median(counts)}


def requests_per_second(client, messages: list[dict], concurrency: int, requests: int) -> dict:
    todo = list(range(requests))
    lock = threading.Lock()
    tokens = []

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                seed = todo.pop()
            reply = client.chat.completions.create(model=SERVED, messages=messages, max_tokens=32, temperature=0.7,
                                                   seed=seed)
            with lock:
                tokens.append(reply.usage.completion_tokens)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"concurrency": concurrency, "requests": requests, "seconds": wall, "requests_per_s": requests / wall,
            "tokens_per_s": sum(tokens) / wall}


def one_update(client, http, messages: list[dict], text: str, load: int) -> dict:
    answer = client.chat.completions.create(model=SERVED, messages=messages, max_tokens=64, temperature=0)
    conversation = messages + [{"role": "assistant", "content": answer.choices[0].message.content},
                               {"role": "user", "content": text}]
    raw = client.chat.completions.with_raw_response.create(model=SERVED, messages=conversation, max_tokens=4,
                                                           temperature=0)
    update_id = int(raw.headers["x-autodidact-update"])
    if load:
        threads = [threading.Thread(target=requests_per_second, args=(client, messages, 1, 1)) for _ in range(load)]
        for t in threads:
            t.start()
    while True:
        update = next(u for u in http.get("/v1/adapter").json()["updates"] if u["id"] == update_id)
        if update["status"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    if load:
        for t in threads:
            t.join()
    return {"while_serving": load, "status": update["status"], "update_s": update["seconds"],
            "queued_to_done_s": update["finished_at"] - update["queued_at"], "tokens": update["tokens"]}


def start_server(model: str, home: str) -> tuple[subprocess.Popen, str]:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "agent", "serve", "--model", model, "--port", str(port),
                                "--home", home, "--sandbox", "local", "--served-name", SERVED], cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("the server did not come up in 5 minutes")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--requests", type=int, default=8)
    args = p.parse_args()

    import httpx
    import openai

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    messages = prompt_messages()
    local = in_process(args.model, messages, args.tokens, args.repeats)
    home = tempfile.mkdtemp(prefix="bench-serve-")
    process, url = start_server(args.model, home)
    try:
        client = openai.OpenAI(base_url=url + "/v1", api_key="none", max_retries=0, timeout=600)
        http = httpx.Client(base_url=url, timeout=60)
        api = through_api(client, messages, args.tokens, args.repeats)
        print(f"\n{'':<14}{'first token s':>14}{'tokens/s':>10}{'tokens':>8}")
        for name, row in (("in-process", local), ("through API", api)):
            print(f"{name:<14}{row['first_token_s']:>14.2f}{row['tokens_per_s']:>10.1f}{row['tokens']:>8.0f}")
        print(f"\n{'concurrency':<12}{'requests':>9}{'seconds':>9}{'requests/s':>11}{'tokens/s':>9}")
        for concurrency in (1, 4, 8):
            row = requests_per_second(client, messages, concurrency, args.requests)
            print(f"{concurrency:<12}{row['requests']:>9}{row['seconds']:>9.1f}{row['requests_per_s']:>11.2f}"
                  f"{row['tokens_per_s']:>9.1f}", flush=True)
        print(f"\n{'while serving':<14}{'update s':>9}{'queued to done s':>17}{'tokens':>7}")
        for load, text in ((0, "Read both numbers from one line."), (8, "Print the sum, nothing else.")):
            row = one_update(client, http, messages, text, load)
            print(f"{str(load) + ' requests':<14}{row['update_s']:>9.2f}{row['queued_to_done_s']:>17.2f}"
                  f"{row['tokens']:>7}  ({row['status']})", flush=True)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        shutil.rmtree(home, ignore_errors=True)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
