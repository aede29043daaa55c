"""`autodidact serve` end to end: the real server in a subprocess on a loopback port, the embedded model, the
official openai client and litellm.

One server is shared by the module (started with an API key, a one-slot update queue and the local sandbox);
tests that change the weights compare fingerprints before and after rather than assume a version. The last tests
stop it with SIGTERM and resume its session in a second server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_docker_sandbox import sandbox_image  # noqa: F401  (the session fixture that builds the image)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
KEY = "serve-test-key"
MODEL = "smollm2-135m"
QUESTION = [{"role": "user", "content": "Write a Python function that adds two numbers."}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A serve subprocess, its URL, its log and its session home."""

    def __init__(self, home: Path, log: Path, *extra: str, key: str | None = KEY) -> None:
        self.port, self.home, self.log_path = free_port(), home, log
        command = [sys.executable, "-m", "agent", "serve", "--port", str(self.port), "--home", str(home),
                   "--max-tokens", "320", "--default-max-tokens", "16", "--max-body-bytes", "65536", *extra]
        if key:
            command += ["--api-key", key]
        self.log = open(log, "w")
        self.process = subprocess.Popen(command, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = key

    def wait_ready(self, timeout: float = 180) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail(f"the server did not answer /health within {timeout} s:\n{self.log_path.read_text()}")

    def http(self):
        import httpx

        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=120)

    def client(self):
        import openai

        return openai.OpenAI(base_url=self.url + "/v1", api_key=self.key, max_retries=0, timeout=120)

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    served = Server(root / "home", root / "server.log", "--sandbox", "local", "--update-queue", "1")
    served.wait_ready()
    yield served
    served.stop()


def greedy(client, messages=QUESTION, max_tokens=16, **extra):
    return client.chat.completions.create(model=MODEL, messages=messages, max_tokens=max_tokens, temperature=0,
                                          **extra)


def wait_update(server: Server, update_id: int, timeout: float = 120) -> dict:
    with server.http() as http:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            update = next(u for u in http.get("/v1/adapter").json()["updates"] if u["id"] == update_id)
            if update["status"] not in ("queued", "running"):
                return update
            time.sleep(0.2)
    pytest.fail(f"update {update_id} did not finish within {timeout} s")


def wait_idle(server: Server, timeout: float = 120) -> None:
    with server.http() as http:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            queue = http.get("/v1/adapter").json()["queue"]
            if queue["waiting"] == 0 and queue["running"] is None:
                return
            time.sleep(0.2)
    pytest.fail("the update queue did not drain")


def follow_up(client, answer, text: str, messages=QUESTION):
    """A follow-up on `answer` (a ChatCompletion): (the new completion, the update id the server queued)."""
    conversation = messages + [{"role": "assistant", "content": answer.choices[0].message.content},
                               {"role": "user", "content": text}]
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=conversation, max_tokens=16,
                                                           temperature=0)
    update = raw.headers.get("x-autodidact-update")
    return raw.parse(), conversation, int(update) if update else None


# ---- answering -----------------------------------------------------------------------------------------------

def test_health_and_models(server):
    import httpx

    health = httpx.get(server.url + "/health").json()
    assert health["status"] == "ok" and isinstance(health["adapter_version"], int)
    models = server.client().models.list()
    assert [m.id for m in models.data] == [MODEL]


def test_chat_completion_with_the_openai_client(server):
    client = server.client()
    reply = client.chat.completions.create(model=MODEL, messages=QUESTION, n=2, temperature=0.8, top_p=0.95,
                                           max_tokens=12, seed=7)
    assert reply.id.startswith("chatcmpl-") and len(reply.choices) == 2
    assert all(c.message.role == "assistant" and c.message.content for c in reply.choices)
    assert all(c.finish_reason in ("stop", "length") for c in reply.choices)
    assert reply.system_fingerprint.startswith("adapter-")
    assert reply.usage.prompt_tokens > 10
    assert 0 < reply.usage.completion_tokens <= 24
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    again = client.chat.completions.create(model=MODEL, messages=QUESTION, n=2, temperature=0.8, top_p=0.95,
                                           max_tokens=12, seed=7)
    assert [c.message.content for c in again.choices] == [c.message.content for c in reply.choices]  # seeded


def test_streaming_joins_to_the_same_answer(server):
    client = server.client()
    whole = greedy(client)
    stream = client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=16, temperature=0,
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 3  # token by token, not at once
    assert chunks[0].choices[0].delta.role == "assistant"
    finals = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finals == [whole.choices[0].finish_reason]
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert {c.system_fingerprint for c in chunks} == {whole.system_fingerprint}


def test_stop_sequences(server):
    client = server.client()
    whole = greedy(client).choices[0].message.content
    assert "\n" in whole  # the model opens a code block: "```python\n..."
    cut = greedy(client, stop=["\n"]).choices[0]
    assert cut.message.content == whole.split("\n")[0] and cut.finish_reason == "stop"
    stream = client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=16, temperature=0,
                                            stream=True, stop="\n")
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == whole.split("\n")[0]
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_litellm_chat_and_stream(server):
    from agent.generation.remote import _litellm

    litellm = _litellm()
    common = dict(model=f"openai/{MODEL}", api_base=server.url + "/v1", api_key=KEY, messages=QUESTION,
                  max_tokens=16, temperature=0)
    reply = litellm.completion(**common)
    expected = greedy(server.client()).choices[0].message.content
    assert reply.choices[0].message.content == expected
    assert reply.system_fingerprint.startswith("adapter-")
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in litellm.completion(stream=True, **common))
    assert streamed == expected


# ---- security and bad input ----------------------------------------------------------------------------------

def test_a_key_is_required_on_v1(server):
    import httpx
    import openai

    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        reply = httpx.post(server.url + "/v1/chat/completions", headers=headers,
                           json={"model": MODEL, "messages": QUESTION})
        assert reply.status_code == 401
        assert "Authorization: Bearer" in reply.json()["error"]["message"]
    assert httpx.get(server.url + "/v1/adapter").status_code == 401
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0).models.list()


def test_a_non_loopback_address_needs_a_key(tmp_path):
    result = subprocess.run([sys.executable, "-m", "agent", "serve", "--host", "0.0.0.0", "--home", str(tmp_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k != "AUTODIDACT_API_KEY"})
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without an API key" in result.stderr and "--api-key" in result.stderr
    assert not (tmp_path / "serve").exists()  # refused before anything was created


@pytest.mark.parametrize("body, status, says", [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "JSON object"),
    ({"model": MODEL}, 400, "messages"),
    ({"model": MODEL, "messages": "hello"}, 400, "messages must be a non-empty list"),
    ({"model": MODEL, "messages": [{"role": "robot", "content": "hi"}]}, 400, "role"),
    ({"model": MODEL, "messages": [{"role": "user", "content": 5}]}, 400, "content"),
    ({"model": MODEL, "messages": QUESTION, "temperature": "hot"}, 400, "temperature must be a number"),
    ({"model": MODEL, "messages": QUESTION, "max_tokens": 100000}, 400, "max_tokens must be an integer from 1 to 320"),
    ({"model": MODEL, "messages": QUESTION, "n": 50}, 400, "n must be an integer from 1 to 8"),
    ({"model": MODEL, "messages": QUESTION, "stop": [1]}, 400, "stop must be"),
    ({"model": MODEL, "messages": QUESTION, "temprature": 1}, 400, "unknown field 'temprature'"),
    ({"model": MODEL, "messages": QUESTION, "presence_penalty": 1.0}, 400, "not supported"),
    ({"model": "gpt-4o", "messages": QUESTION}, 404, "use 'smollm2-135m'"),
    ({"model": MODEL, "messages": [{"role": "user", "content": "x" * 70000}]}, 413, "larger than"),
])
def test_bad_requests_are_refused_with_what_to_change(server, body, status, says):
    with server.http() as http:
        if isinstance(body, bytes):
            reply = http.post("/v1/chat/completions", content=body, headers={"Content-Type": "application/json"})
        else:
            reply = http.post("/v1/chat/completions", json=body)
        assert reply.status_code == status, reply.text
        error = reply.json()["error"]
        assert says in error["message"] and error["type"]
        assert http.get("/health").json()["status"] == "ok"  # nothing crashed


def test_bad_feedback_and_admin_requests(server):
    client = server.client()
    answer = greedy(client, max_tokens=4)
    with server.http() as http:
        cases = [
            ({"completion_id": "chatcmpl-nope", "text": "x"}, 404, "no answer"),
            ({"completion_id": answer.id}, 400, "exactly one of text, tests or solution"),
            ({"completion_id": answer.id, "text": "a", "solution": "b"}, 400, "exactly one"),
            ({"completion_id": answer.id, "tests": [{"input": 1}]}, 400, "tests[0]"),
            ({"completion_id": answer.id, "tests": [{"input": "1", "output": "2", "testtype": "functional"}]},
             400, "function"),
        ]
        for body, status, says in cases:
            reply = http.post("/v1/feedback", json=body)
            assert reply.status_code == status and says in reply.json()["error"]["message"], reply.text
        assert http.get("/v1/nothing").status_code == 404
        assert http.delete("/v1/adapter").status_code == 405


def test_save_names_cannot_leave_the_session(server):
    with server.http() as http:
        for name in ("../escape", "a/b", "..", "/etc/x", ".hidden", ""):
            reply = http.post("/v1/adapter/save", json={"name": name})
            assert reply.status_code == 400 and "not allowed" in reply.json()["error"]["message"], name
        saved = http.post("/v1/adapter/save", json={"name": "keep-1"}).json()
        session = http.get("/v1/adapter").json()["session"]
    path = Path(saved["path"])
    assert path == server.home / "serve" / session / "adapters" / "keep-1"
    assert (path / "adapter_model.safetensors").is_file()
    assert not (server.home / "escape").exists() and not (server.home / "serve" / "escape").exists()


# ---- learning ------------------------------------------------------------------------------------------------

def test_a_follow_up_updates_the_weights_and_undo_brings_them_back(server):
    client = server.client()
    wait_idle(server)
    before = greedy(client)
    reply, _, update_id = follow_up(client, before, "Call the function add and give it a docstring.")
    assert update_id is not None and reply.choices[0].message.content
    update = wait_update(server, update_id)
    assert update["status"] == "done" and update["source"] == "follow-up" and update["tokens"] > 0
    after = greedy(client)
    assert after.system_fingerprint == f"adapter-{update['weights']}" != before.system_fingerprint
    # The same follow-up again (a retry, or the whole conversation resent) is not learned twice.
    assert follow_up(client, before, "Call the function add and give it a docstring.")[2] == update_id
    with server.http() as http:
        undone = http.post("/v1/adapter/undo").json()
        assert undone["undone"] == update_id and undone["fingerprint"] == before.system_fingerprint
        assert http.get("/health").json()["adapter_version"] == int(before.system_fingerprint.split("-")[1])
    restored = greedy(client)
    assert restored.system_fingerprint == before.system_fingerprint
    assert restored.choices[0].message.content == before.choices[0].message.content


def test_tests_posted_to_feedback_are_graded_and_learned_from(server):
    client = server.client()
    wait_idle(server)
    answer = greedy(client, max_tokens=40)
    with server.http() as http:
        reply = http.post("/v1/feedback", json={"completion_id": answer.id, "tests": [
            {"input": "1 2\n", "output": "3\n", "testtype": "stdin"},
            {"input": "5 5\n", "output": "10\n"}]})
        assert reply.status_code == 200, reply.text
        result = reply.json()
    assert result["verdict"] != "pass" and len(result["tests"]) == 2  # a bare function prints nothing
    assert result["feedback"].startswith("Test Case") and result["update"]["source"] == "tests"
    update = wait_update(server, result["update"]["id"])
    assert update["status"] == "done" and update["signal"] == result["feedback"]
    assert greedy(client).system_fingerprint == f"adapter-{update['weights']}"


def test_a_full_update_queue_answers_429(server):
    import openai

    client = server.client()
    wait_idle(server)
    answer = greedy(client, max_tokens=16)
    statuses = []
    with server.http() as http:
        for i in range(4):  # one runs, one waits (--update-queue 1), the rest are refused
            reply = http.post("/v1/feedback", json={"completion_id": answer.id, "text": f"Shorter, please ({i})."})
            statuses.append(reply.status_code)
            if reply.status_code == 429:
                error = reply.json()["error"]
                assert "update queue is full" in error["message"] and reply.headers["retry-after"]
        # A follow-up while the queue is full is refused the same way, before anything is generated.
        with pytest.raises(openai.RateLimitError):
            follow_up(client, answer, "Now in one line.")
    assert statuses[0] == 200 and 429 in statuses[1:]
    wait_idle(server)
    with server.http() as http:
        assert http.post("/v1/feedback", json={"completion_id": answer.id, "text": "Again."}).status_code == 200
    wait_idle(server)


def test_eight_concurrent_requests_while_an_update_runs(server):
    client = server.client()
    wait_idle(server)
    first = greedy(client)
    _, conversation, _ = follow_up(client, first, "Use shorter names.")
    # A follow-up two turns deep: the learner's student and teacher see the earlier turns too.
    second = greedy(client, messages=conversation)
    _, _, update_id = follow_up(client, second, "Add a type hint.", messages=conversation)
    assert update_id is not None
    answers, errors, ends = [], [], []

    def ask(i: int) -> None:
        try:
            if i % 2:
                stream = client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=8,
                                                        temperature=0.7, seed=i, stream=True)
                answers.append("".join(c.choices[0].delta.content or "" for c in stream if c.choices))
            else:
                answers.append(client.chat.completions.create(model=MODEL, messages=QUESTION, max_tokens=8,
                                                              temperature=0.7, seed=i).choices[0].message.content)
            ends.append(time.time())
        except Exception as e:  # collected: the assertion below names it
            errors.append(e)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors and len(answers) == 8 and all(answers)
    update = wait_update(server, update_id)
    assert update["status"] == "done"
    assert min(ends) < update["finished_at"]  # answered while the update was still running


def test_a_client_that_leaves_mid_stream_cancels_its_generation(server):
    import httpx

    client = server.client()
    wait_idle(server)
    counting = [{"role": "user", "content": "Count from 1 to 500, one number per line."}]
    body = {"model": MODEL, "messages": counting, "max_tokens": 320, "temperature": 0, "stream": True}
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {KEY}"}) as http:
        with http.stream("POST", server.url + "/v1/chat/completions", json=body) as reply:
            lines = reply.iter_lines()
            seen = [line for line, _ in zip(lines, range(4))]
            assert any('"content"' in line for line in seen)
    started = time.monotonic()
    greedy(client, max_tokens=2)  # waits for the model only as long as the abandoned stream keeps it
    waited = time.monotonic() - started
    started = time.monotonic()
    whole = greedy(client, messages=counting, max_tokens=320)  # what the abandoned stream would have written
    whole_seconds = time.monotonic() - started
    assert whole.usage.completion_tokens > 80
    assert waited < whole_seconds / 2, (f"the next request waited {waited:.1f} s of the {whole_seconds:.1f} s the "
                                        f"whole answer takes: the abandoned generation kept running")


# ---- shutting down and resuming ------------------------------------------------------------------------------

def test_sigterm_saves_the_session_and_resume_picks_it_up(server, tmp_path):
    client = server.client()
    wait_idle(server)
    answer = greedy(client)
    _, _, update_id = follow_up(client, answer, "Return the sum as an int.")
    wait_update(server, update_id)
    with server.http() as http:
        state = http.get("/v1/adapter").json()
    assert server.stop() == 0
    log = server.log_path.read_text()
    assert "saved" in log and "Traceback" not in log
    session = json.loads((server.home / "serve" / state["session"] / "session.json").read_text())
    assert session["weights"] == state["version"] and len(session["updates"]) == len(state["updates"])
    assert (server.home / "serve" / state["session"] / "adapter" / "adapter_model.safetensors").is_file()

    resumed = Server(server.home, tmp_path / "resumed.log", "--sandbox", "local", "--resume", "latest")
    try:
        resumed.wait_ready()
        with resumed.http() as http:
            assert http.get("/health").json()["adapter_version"] == state["version"]
            again = http.get("/v1/adapter").json()
            assert again["session"] == state["session"] and len(again["updates"]) == len(state["updates"])
        client = resumed.client()
        assert greedy(client).system_fingerprint == state["fingerprint"]
        # An answer served before the restart is still recognised.
        _, _, update = follow_up(client, answer, "Also print the result.")
        assert update is not None and wait_update(resumed, update)["status"] == "done"
        assert resumed.client().models.list().data[0].id == MODEL
    finally:
        assert resumed.stop() == 0


@pytest.mark.docker
def test_tests_run_in_docker_and_sigterm_leaves_no_containers(sandbox_image, tmp_path):  # noqa: F811
    from sandbox.config import LABEL
    from sandbox.pool import OWNER_LABEL, connect

    served = Server(tmp_path / "home", tmp_path / "docker.log", "--sandbox", "docker")
    try:
        served.wait_ready()
        answer = greedy(served.client(), max_tokens=40)
        with served.http() as http:
            reply = http.post("/v1/feedback", json={"completion_id": answer.id, "tests": [
                {"input": "1 2\n", "output": "3\n"}]})
        assert reply.status_code == 200, reply.text
        assert reply.json()["verdict"] != "pass" and reply.json()["tests"]
        docker = connect()
        mine = lambda: [c for c in docker.containers.list(all=True, filters={"label": LABEL})  # noqa: E731
                        if f":{served.process.pid}:" in c.labels.get(OWNER_LABEL, "")]
        assert mine()  # the grade ran in a warm container of this server
    finally:
        assert served.stop() == 0
    assert not mine(), "containers of the stopped server were left behind"
