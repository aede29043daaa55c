"""`autodidact serve --engine vllm`: the server answering with vLLM's engine (its CPU build here) in its own
process, following the learner's weights: chat and streaming, a follow-up that updates the weights (the
fingerprint changes and the vLLM engine serves the new version), undo back to the earlier answers, a posted
solution learned from (SDFT), and a client that leaves mid-stream aborting its vLLM request.
"""

from __future__ import annotations

import importlib.util
import time

import pytest
from test_serve import MODEL, QUESTION, Server, follow_up, greedy, wait_update

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("vllm") is None,
                                 reason="vLLM is not installed (AUTODIDACT_VLLM=1 bash scripts/setup.sh)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-vllm")
    served = Server(root / "home", root / "server.log", "--engine", "vllm", "--sandbox", "local")
    served.wait_ready(timeout=300)
    yield served
    assert served.stop() == 0, served.log_path.read_text()[-3000:]


def test_chat_and_streaming_through_vllm(server):
    client = server.client()
    whole = greedy(client, max_tokens=24)
    assert whole.system_fingerprint == "adapter-0" and whole.usage.completion_tokens > 0
    stream = client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=24, temperature=0,
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    sampled = client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=12, temperature=0.8,
                                             n=2, seed=3)
    assert len(sampled.choices) == 2 and all(c.message.content for c in sampled.choices)


def test_a_follow_up_moves_vllm_to_the_new_weights_and_undo_brings_them_back(server):
    client = server.client()
    before = greedy(client, max_tokens=24)
    _, _, update_id = follow_up(client, before, "Name the function add and give it a docstring.")
    update = wait_update(server, update_id, timeout=300)
    assert update["status"] == "done", update
    after = greedy(client, max_tokens=24)
    assert after.system_fingerprint == f"adapter-{update['weights']}" != before.system_fingerprint
    with server.http() as http:
        assert http.post("/v1/adapter/undo").json()["fingerprint"] == before.system_fingerprint
    restored = greedy(client, max_tokens=24)
    assert restored.system_fingerprint == before.system_fingerprint
    assert restored.choices[0].message.content == before.choices[0].message.content


def test_a_posted_solution_is_learned_from_and_vllm_serves_the_result(server):
    client = server.client()
    answer = greedy(client, max_tokens=24)
    with server.http() as http:
        reply = http.post("/v1/feedback", json={"completion_id": answer.id,
                                                "solution": "def add(a, b):\n    return a + b\n"})
        assert reply.status_code == 200, reply.text
        queued = reply.json()["update"]
    assert queued["source"] == "solution"
    update = wait_update(server, queued["id"], timeout=300)
    assert update["status"] == "done" and update["tokens"] > 0, update
    assert greedy(client, max_tokens=24).system_fingerprint == f"adapter-{update['weights']}"


def test_a_client_that_leaves_mid_stream_aborts_the_vllm_request(server):
    import httpx

    counting = [{"role": "user", "content": "Count from 1 to 500, one number per line."}]
    body = {"model": MODEL, "messages": counting, "max_tokens": 320, "temperature": 0, "stream": True}
    with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {server.key}"}) as http:
        with http.stream("POST", server.url + "/v1/chat/completions", json=body) as reply:
            seen = [line for line, _ in zip(reply.iter_lines(), range(4))]
            assert any('"content"' in line for line in seen)
    started = time.monotonic()
    greedy(server.client(), max_tokens=2)
    waited = time.monotonic() - started
    started = time.monotonic()
    whole = greedy(server.client(), messages=counting, max_tokens=320)
    whole_seconds = time.monotonic() - started
    assert whole.usage.completion_tokens > 80
    assert waited < whole_seconds / 2, (f"the next request waited {waited:.1f} s of the {whole_seconds:.1f} s the "
                                        f"whole answer takes: the abandoned vLLM request kept running")
