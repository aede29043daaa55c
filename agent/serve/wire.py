"""The OpenAI wire format: chat-completion and feedback requests checked field by field, and the response,
chunk and error bodies built from the server's results.

Requests are checked here rather than by a schema library so that every refusal says, in OpenAI's error body,
which field is wrong and what to send instead. Fields of OpenAI's request that this server does not implement
are refused when they ask for something (presence_penalty 0.5, tools), accepted when they ask for the default
(frequency_penalty 0, logprobs false), and ignored when they only label the request (user, metadata); a field
OpenAI does not have is refused, so a typo never passes silently.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
"""Message roles accepted, and what the chat template is given for each (OpenAI's developer role is a system turn)."""

LABEL_FIELDS = {"user", "metadata", "store", "service_tier", "parallel_tool_calls", "prompt_cache_key",
                "safety_identifier"}
"""Request fields that only label the request: accepted and ignored."""

DEFAULT_ONLY = {"presence_penalty": (0, 0.0), "frequency_penalty": (0, 0.0), "logprobs": (False,),
                "logit_bias": ({},), "tools": ([],), "tool_choice": ("none", "auto"), "functions": ([],),
                "response_format": ({"type": "text"},)}
"""Fields this server does not implement, with the values that ask for nothing (accepted)."""

CHAT_FIELDS = {"model", "messages", "n", "temperature", "top_p", "max_tokens", "max_completion_tokens", "seed",
               "stop", "stream", "stream_options"}
MAX_STOPS = 4


class ApiError(Exception):
    """A request the server refuses, as OpenAI's error body; the message says what to change."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None,
                 kind: str = "invalid_request_error", headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = status, message, param, code, kind
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}


@dataclass(frozen=True)
class Limits:
    """What one request may ask for (the serve command's flags)."""

    max_n: int = 8
    """Most choices per request."""
    max_tokens: int = 1024
    """Most new tokens per choice."""
    default_max_tokens: int = 512
    """New tokens per choice when the request does not say."""
    max_messages: int = 256
    """Most messages per request."""


@dataclass
class ChatRequest:
    """A checked chat-completion request."""

    model: str
    messages: list[dict]
    """{'role', 'content'} with content a string, roles mapped by ROLES."""
    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 512
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False


def parse_chat_request(body: Any, limits: Limits) -> ChatRequest:
    """A ChatRequest from a decoded JSON body, or ApiError 400 naming the field and the fix."""
    if not isinstance(body, dict):
        raise ApiError(400, f"the request body must be a JSON object, got {type(body).__name__}")
    _check_fields(body, CHAT_FIELDS)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "model is required: a model id from GET /v1/models", param="model")
    messages = parse_messages(body.get("messages"), limits)
    n = _integer(body, "n", 1, 1, limits.max_n)
    temperature = _number(body, "temperature", 1.0, 0.0, 2.0)
    top_p = _number(body, "top_p", 1.0, 0.0, 1.0)
    if top_p == 0:
        raise ApiError(400, "top_p must be above 0 (1 turns nucleus sampling off)", param="top_p")
    name = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    max_tokens = _integer(body, name, limits.default_max_tokens, 1, limits.max_tokens)
    seed = body.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63):
        raise ApiError(400, f"seed must be a non-negative integer, got {seed!r}", param="seed")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise ApiError(400, f"stream must be true or false, got {stream!r}", param="stream")
    options = body.get("stream_options")
    if options is not None and (not isinstance(options, dict) or set(options) - {"include_usage"}
                                or not isinstance(options.get("include_usage", False), bool)):
        raise ApiError(400, f"stream_options must be {{\"include_usage\": true|false}}, got {options!r}",
                       param="stream_options")
    return ChatRequest(model, messages, n, temperature, top_p, max_tokens, seed, _stops(body.get("stop")),
                       bool(stream), bool((options or {}).get("include_usage")))


def parse_messages(messages: Any, limits: Limits) -> list[dict]:
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages must be a non-empty list of {\"role\", \"content\"} objects", param="messages")
    if len(messages) > limits.max_messages:
        raise ApiError(400, f"{len(messages)} messages is more than this server takes ({limits.max_messages}): "
                            f"drop the oldest turns", param="messages")
    checked = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise ApiError(400, f"{where} must be an object with role and content", param=where)
        role = message.get("role")
        if role not in ROLES:
            raise ApiError(400, f"{where}.role {role!r} is not supported: use one of {', '.join(ROLES)} "
                                f"(tool and function turns are not)", param=f"{where}.role")
        if message.get("tool_calls"):
            raise ApiError(400, f"{where} has tool_calls, which this server does not support", param=where)
        checked.append({"role": ROLES[role], "content": message_text(message.get("content"), where)})
    if checked[-1]["role"] == "assistant":
        raise ApiError(400, "the last message is an assistant turn: end with a user turn for the model to answer",
                       param="messages")
    return checked


def message_text(content: Any, where: str) -> str:
    """A message's content as one string: a string, or a list of text parts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise ApiError(400, f"{where}.content parts must be {{\"type\": \"text\", \"text\": ...}}: this "
                                    f"model reads text only", param=f"{where}.content")
            texts.append(part["text"])
        return "".join(texts)
    raise ApiError(400, f"{where}.content must be a string or a list of text parts, got {type(content).__name__}",
                   param=f"{where}.content")


def _check_fields(body: dict, known: set[str]) -> None:
    for name, value in body.items():
        if name in known or name in LABEL_FIELDS or value is None:
            continue
        if name in DEFAULT_ONLY:
            if value not in DEFAULT_ONLY[name]:
                raise ApiError(400, f"{name}={value!r} is not supported by this server: leave it out",
                               param=name)
            continue
        raise ApiError(400, f"unknown field {name!r}: this server accepts {', '.join(sorted(known))}", param=name)


def _number(body: dict, name: str, default: float, low: float, high: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ApiError(400, f"{name} must be a number from {low:g} to {high:g}, got {value!r}", param=name)
    return float(value)


def _integer(body: dict, name: str, default: int, low: int, high: int) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, f"{name} must be an integer from {low} to {high} on this server, got {value!r}",
                       param=name)
    return value


def _stops(value: Any) -> list[str]:
    if value is None:
        return []
    stops = [value] if isinstance(value, str) else value
    if (not isinstance(stops, list) or not 0 < len(stops) <= MAX_STOPS
            or not all(isinstance(s, str) and s for s in stops)):
        raise ApiError(400, f"stop must be a non-empty string or a list of up to {MAX_STOPS} of them, got {value!r}",
                       param="stop")
    return stops


# ---- feedback ------------------------------------------------------------------------------------------------

FEEDBACK_FIELDS = {"completion_id", "choice", "text", "tests", "solution", "function"}
MAX_TESTS = 64


@dataclass
class FeedbackRequest:
    completion_id: str
    choice: int
    text: str | None = None
    tests: list[dict] | None = None
    """{'input', 'output', 'testtype'} with testtype stdin or functional."""
    solution: str | None = None
    function: str | None = None
    """The function the functional tests call."""


def parse_feedback(body: Any) -> FeedbackRequest:
    if not isinstance(body, dict):
        raise ApiError(400, f"the request body must be a JSON object, got {type(body).__name__}")
    _check_fields(body, FEEDBACK_FIELDS)
    completion_id = body.get("completion_id")
    if not isinstance(completion_id, str) or not completion_id:
        raise ApiError(400, "completion_id is required: the id of a chat completion this server returned",
                       param="completion_id")
    choice = _integer(body, "choice", 0, 0, 1 << 20)
    given = [name for name in ("text", "tests", "solution") if body.get(name) is not None]
    if len(given) != 1:
        raise ApiError(400, f"send exactly one of text, tests or solution (got {', '.join(given) or 'none'})")
    for name in ("text", "solution", "function"):
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ApiError(400, f"{name} must be a non-empty string", param=name)
    request = FeedbackRequest(completion_id, choice, body.get("text"), None, body.get("solution"),
                              body.get("function"))
    if body.get("tests") is not None:
        request.tests = _tests(body["tests"])
        if any(t["testtype"] == "functional" for t in request.tests) and not (request.function or "").isidentifier():
            raise ApiError(400, "functional tests need function: the name of the function they call", param="function")
    return request


def _tests(tests: Any) -> list[dict]:
    if not isinstance(tests, list) or not 0 < len(tests) <= MAX_TESTS:
        raise ApiError(400, f"tests must be a list of 1 to {MAX_TESTS} {{\"input\", \"output\"}} objects",
                       param="tests")
    checked = []
    for i, test in enumerate(tests):
        kind = test.get("testtype", test.get("type", "stdin")) if isinstance(test, dict) else None
        if (not isinstance(test, dict) or not isinstance(test.get("input"), str)
                or not isinstance(test.get("output"), str) or kind not in ("stdin", "functional")):
            raise ApiError(400, f"tests[{i}] must be {{\"input\": str, \"output\": str, \"testtype\": \"stdin\" or "
                                f"\"functional\"}} (functional: one JSON value per input line)", param=f"tests[{i}]")
        checked.append({"input": test["input"], "output": test["output"], "testtype": kind})
    if len({t["testtype"] for t in checked}) > 1:
        raise ApiError(400, "tests mix stdin and functional cases: send one kind", param="tests")
    return checked


def adapter_name(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        raise ApiError(400, "send {\"name\": NAME} to save the adapter under that name", param="name")
    _check_fields(body, {"name"})
    return body["name"]


# ---- responses -----------------------------------------------------------------------------------------------

def completion_body(completion_id: str, model: str, fingerprint: str, choices: list[dict], usage: dict) -> dict:
    return {"id": completion_id, "object": "chat.completion", "created": int(time.time()), "model": model,
            "system_fingerprint": fingerprint,
            "choices": [{"index": c["index"], "message": {"role": "assistant", "content": c["text"]},
                         "finish_reason": c["finish_reason"], "logprobs": None} for c in choices],
            "usage": usage}


def chunk_body(completion_id: str, model: str, fingerprint: str, index: int | None, delta: dict | None = None,
               finish_reason: str | None = None, usage: dict | None = None) -> dict:
    choices = [] if index is None else [{"index": index, "delta": delta or {}, "finish_reason": finish_reason,
                                         "logprobs": None}]
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "system_fingerprint": fingerprint, "choices": choices}
    if usage is not None:
        body["usage"] = usage
    return body


def usage_body(prompt_tokens: int, completion_tokens: int) -> dict:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}
