"""RemotePolicy through litellm against a real OpenAI-compatible HTTP server on loopback.

The server implements just enough of /v1/chat/completions (plain JSON and SSE streaming) to answer with a
fixed code block, checks the bearer key, knows one model name, and records every request it receives.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.protocols import SamplingConfig
from agent.generation.remote import LOCAL_SERVER_KEY, RemoteModelError, RemotePolicy, check_learnable

ANSWER = "```python\nprint(int(input()) * 2)\n```"
SERVED_MODEL = "test-model"
API_KEY = "x"
MESSAGES = [
    {"role": "system", "content": "You are an expert Python programmer."},
    {"role": "user", "content": "### Question:\nDouble the number.\n\n### Answer:"},
]


class _ChatHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.requests.append({"path": self.path, "headers": headers, "body": body})
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"no route {self.path}", "invalid_request_error")
        if self.server.api_key and self.headers.get("Authorization") != f"Bearer {self.server.api_key}":
            return self._error(401, "Incorrect API key provided", "invalid_request_error")
        if body.get("model") != SERVED_MODEL:
            return self._error(404, f"The model `{body.get('model')}` does not exist", "invalid_request_error")
        if body.get("stream"):
            return self._stream(body)
        n = body.get("n", 1)
        self._send_json(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": SERVED_MODEL,
            "choices": [{"index": i, "message": {"role": "assistant", "content": ANSWER},
                         "finish_reason": "stop"} for i in range(n)],
            "usage": {"prompt_tokens": 20, "completion_tokens": 12 * n, "total_tokens": 20 + 12 * n},
        })

    def _stream(self, body: dict) -> None:
        # HTTP/1.0 and no Content-Length: the stream ends when the server closes the connection.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [ANSWER[i:i + 7] for i in range(0, len(ANSWER), 7)]
        deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces] + [{}]
        for i, delta in enumerate(deltas):
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": SERVED_MODEL, "choices": [{"index": 0, "delta": delta,
                                                         "finish_reason": "stop" if i == len(deltas) - 1 else None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
    httpd.requests = []
    httpd.api_key = API_KEY  # None: accept any key, like a local vLLM or Ollama server
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _policy(port: int, **kw) -> RemotePolicy:
    kw.setdefault("api_key", API_KEY)
    return RemotePolicy(model=f"openai/{SERVED_MODEL}", api_base=f"http://127.0.0.1:{port}/v1", timeout=20, **kw)


def test_generate_sends_messages_and_sampling_and_returns_text_without_ids(server):
    policy = _policy(server.server_address[1])
    sampling = SamplingConfig(temperature=0.7, top_p=0.9, max_new_tokens=321, seed=5)
    [gen] = policy.generate(MESSAGES, 1, sampling)
    assert gen.text == ANSWER
    assert gen.ids == [] and gen.prompt_ids == []
    assert gen.finish_reason == "stop"
    [request] = server.requests
    body = request["body"]
    assert request["path"] == "/v1/chat/completions"
    assert body["model"] == SERVED_MODEL
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0.7
    assert body["top_p"] == 0.9
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 321
    assert body["seed"] == 5
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"


def test_generate_many_answers_in_one_request(server):
    gens = _policy(server.server_address[1]).generate(MESSAGES, 3, SamplingConfig(temperature=1.0))
    assert [g.text for g in gens] == [ANSWER] * 3
    assert len(server.requests) == 1
    assert server.requests[0]["body"]["n"] == 3


def test_stream_yields_pieces_that_join_to_the_answer(server):
    pieces = list(_policy(server.server_address[1]).stream(MESSAGES, SamplingConfig(max_new_tokens=64)))
    assert len(pieces) > 1
    assert "".join(pieces) == ANSWER
    body = server.requests[0]["body"]
    assert body["stream"] is True
    assert body["messages"] == MESSAGES
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 64


def test_server_down_gives_a_clear_error_with_the_fix():
    with socket.socket() as s:  # a port that was free a moment ago and has no listener now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RemoteModelError, match=r"cannot reach .*start the server, or fix --api-base"):
        _policy(port).generate(MESSAGES, 1, SamplingConfig())
    with pytest.raises(RemoteModelError, match=r"cannot reach"):
        list(_policy(port).stream(MESSAGES, SamplingConfig()))


def test_wrong_key_and_unknown_model_name_their_fix(server):
    port = server.server_address[1]
    with pytest.raises(RemoteModelError, match=r"rejected the API key.*--api-key"):
        _policy(port, api_key="wrong").generate(MESSAGES, 1, SamplingConfig())
    other = RemotePolicy("openai/no-such-model", api_base=f"http://127.0.0.1:{port}/v1", api_key=API_KEY)
    with pytest.raises(RemoteModelError, match=r"does not serve model 'openai/no-such-model'"):
        other.generate(MESSAGES, 1, SamplingConfig())


def test_local_server_without_a_key_gets_a_placeholder(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server.api_key = None
    policy = RemotePolicy(f"openai/{SERVED_MODEL}", api_base=f"http://127.0.0.1:{server.server_address[1]}/v1")
    [gen] = policy.generate(MESSAGES, 1, SamplingConfig())
    assert gen.text == ANSWER
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {LOCAL_SERVER_KEY}"


def test_model_without_provider_is_refused_before_any_request(server):
    bare = RemotePolicy("test-model-without-provider", api_key=API_KEY)
    with pytest.raises(RemoteModelError, match=r"prefix the name with its provider"):
        bare.generate(MESSAGES, 1, SamplingConfig())
    assert server.requests == []


def test_remote_policy_is_refused_by_learning_methods():
    policy = RemotePolicy("openai/test-model", api_base="http://127.0.0.1:9/v1")
    assert policy.supports_learning is False
    with pytest.raises(ValueError, match=r"does not return.*best-of-k or multi-turn"):
        check_learnable(policy, "sdpo")
