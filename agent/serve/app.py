"""The HTTP side: OpenAI-compatible routes over the Service, with the key check, the body limit and the SSE stream.

    GET  /health                    {"status": "ok", "adapter_version": N}; no key needed
    GET  /v1/models                 the one model served
    POST /v1/chat/completions       OpenAI chat completions, streaming or not
    POST /v1/feedback               {completion_id, text | tests | solution}
    GET  /v1/adapter                the weights in force, the updates and the queue
    POST /v1/adapter/undo|reset|save

Every refusal is OpenAI's error body with a message that says what to change; an unexpected failure is a 500
with the same body, and the server keeps serving. Bodies are read up to a limit (413 beyond it) before they are
parsed. With an API key, every /v1 route needs `Authorization: Bearer KEY`, compared in constant time.
Generation and the other blocking work run in worker threads; at most `max_pending` requests may be waiting for
the model at once (429 beyond that), so a burst of clients cannot pile up without bound either.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from agent.serve.service import Service
from agent.serve.wire import (
    ApiError, adapter_name, chunk_body, completion_body, parse_chat_request, parse_feedback, usage_body,
)

log = logging.getLogger("autodidact.serve")


def build_app(service: Service, *, api_key: str | None = None, max_body_bytes: int = 1 << 20,
              max_pending: int = 32) -> Any:
    app = FastAPI(title="autodidact serve", docs_url=None, redoc_url=None, openapi_url=None)
    pending = _Pending(max_pending)
    streams: set[threading.Event] = set()
    app.state.service, app.state.streams = service, streams

    def error(e: ApiError) -> JSONResponse:
        return JSONResponse(e.body(), status_code=e.status, headers=e.headers)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError) -> JSONResponse:
        return error(e)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> JSONResponse:
        hint = {404: f"no route {request.url.path}: the routes are /health, /v1/models, /v1/chat/completions, "
                     f"/v1/feedback and /v1/adapter", 405: f"{request.method} is not allowed on {request.url.path}"}
        return error(ApiError(e.status_code, hint.get(e.status_code, str(e.detail))))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> JSONResponse:
        log.exception("request %s %s failed", request.method, request.url.path)
        return error(_failed(e))

    if api_key is not None:
        app.add_middleware(_RequireKey, key=api_key)

    async def body_of(request: Request) -> Any:
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > max_body_bytes):
            raise _too_large(max_body_bytes)
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > max_body_bytes:
                raise _too_large(max_body_bytes)
        try:
            return json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ApiError(400, f"the body is not valid JSON ({e}): send a JSON object with Content-Type "
                                f"application/json") from None

    async def blocking(function, *args):
        with pending.slot():
            try:
                return await run_in_threadpool(function, *args)
            except ApiError:
                raise
            except Exception as e:  # answered here as a 500, so the connection and the server carry on
                log.exception("%s failed", getattr(function, "__name__", function))
                raise _failed(e) from None

    @app.get("/health")
    async def health():
        return {"status": "ok", "adapter_version": service.served.names.current}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [_model_card(service)]}

    @app.get("/v1/models/{model}")
    async def model(model: str):
        service.check_model(model)
        return _model_card(service)

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        chat_request = parse_chat_request(await body_of(request), service.settings.limits)
        service.check_model(chat_request.model)
        if not chat_request.stream:
            result = await blocking(service.complete, chat_request)
            usage = usage_body(result.prompt_tokens, sum(c.generated for c in result.choices))
            body = completion_body(result.completion_id, chat_request.model, f"adapter-{result.weights}",
                                   [{"index": c.index, "text": c.text, "finish_reason": c.finish_reason}
                                    for c in result.choices], usage)
            return JSONResponse(body, headers=_update_header(result.update))
        with pending.slot():  # refuse now, before the stream starts, when too many are waiting
            pass
        update = await run_in_threadpool(service.learn_from_request, chat_request)
        return StreamingResponse(_sse(service, chat_request, pending, streams), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", **_update_header(update)})

    @app.post("/v1/feedback")
    async def feedback(request: Request):
        feedback_request = parse_feedback(await body_of(request))
        return await blocking(service.feedback, feedback_request)

    @app.get("/v1/adapter")
    async def adapter():
        return service.adapter()

    @app.post("/v1/adapter/undo")
    async def undo():
        return await blocking(service.undo)

    @app.post("/v1/adapter/reset")
    async def reset():
        return await blocking(service.reset)

    @app.post("/v1/adapter/save")
    async def save(request: Request):
        name = adapter_name(await body_of(request))
        return await blocking(service.save_adapter, name)

    return app


async def _sse(service: Service, request, pending: "_Pending", streams: set):
    """The chunks of a streamed completion as server-sent events. Leaving early (the client went away: the
    server cancels this generator) sets the cancel event, and the generation stops after its current token."""
    from agent.serve.service import new_completion_id

    loop = asyncio.get_running_loop()
    completion_id = new_completion_id()
    cancel = threading.Event()
    streams.add(cancel)
    events: asyncio.Queue = asyncio.Queue()
    weights: list[int] = []
    put = lambda item: loop.call_soon_threadsafe(events.put_nowait, item)  # noqa: E731

    def generate() -> None:
        choices = []
        try:
            with pending.slot():
                for index in range(request.n):
                    choice = service.served.stream(
                        request.messages, service.sampling(request, seed_offset=index), request.stop, index, cancel,
                        emit=lambda text, i=index: put(("text", i, text)),
                        started=lambda name, i=index: (weights.append(name), put(("start", i, name))))
                    if choice is None:
                        return
                    choices.append(choice)
                    put(("end", index, choice.finish_reason))
            service.remember(completion_id, request, choices, weights[0])
            prompt_tokens = service.served.prompt_tokens(request.messages)
            put(("done", None, usage_body(prompt_tokens, sum(c.generated for c in choices))))
        except BaseException as e:  # reported to the client as the stream's last event
            put(("error", None, e))
        finally:
            put(None)

    worker = threading.Thread(target=generate, name="serve-stream", daemon=True)
    worker.start()
    fingerprint = lambda: f"adapter-{weights[0]}" if weights else f"adapter-{service.served.names.current}"  # noqa: E731
    try:
        while (item := await events.get()) is not None:
            kind, index, value = item
            if kind == "start":
                body = chunk_body(completion_id, request.model, fingerprint(), index, {"role": "assistant",
                                                                                        "content": ""})
            elif kind == "text":
                body = chunk_body(completion_id, request.model, fingerprint(), index, {"content": value})
            elif kind == "end":
                body = chunk_body(completion_id, request.model, fingerprint(), index, finish_reason=value)
            elif kind == "done":
                if request.include_usage:
                    yield _event(chunk_body(completion_id, request.model, fingerprint(), None, usage=value))
                yield "data: [DONE]\n\n"
                continue
            elif kind == "error":
                body = value.body() if isinstance(value, ApiError) else ApiError(
                    500, f"generation failed ({type(value).__name__}: {value})", kind="server_error").body()
            else:
                raise ValueError(f"unknown stream event {kind!r}")
            yield _event(body)
    finally:
        cancel.set()  # a no-op after a finished generation; stops one whose client went away
        streams.discard(cancel)


def _event(body: dict) -> str:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _model_card(service: Service) -> dict:
    return {"id": service.settings.model_id, "object": "model", "created": int(time.time()),
            "owned_by": "autodidact", "adapter_version": service.served.names.current}


def _update_header(update: int | None) -> dict:
    """Which update a follow-up queued (clients that care can poll GET /v1/adapter for it)."""
    return {} if update is None else {"X-Autodidact-Update": str(update)}


def _failed(e: Exception) -> ApiError:
    return ApiError(500, f"the server failed on this request ({type(e).__name__}: {e}); it keeps serving, and its "
                         f"log has the details", kind="server_error")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"the request body is larger than this server's limit of {limit} bytes: send a shorter "
                         f"conversation, or restart the server with a larger --max-body-bytes",
                    code="request_too_large")


class _RequireKey:
    """ASGI middleware: every /v1 request carries `Authorization: Bearer KEY` (constant-time comparison), or 401.
    Plain ASGI rather than an http middleware, so streamed responses and disconnects pass through untouched."""

    def __init__(self, app: Any, key: str) -> None:
        self.app = app
        self.key = key.encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1"):
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            scheme, _, token = given.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(token.strip(), self.key):
                refusal = ApiError(401, "missing or wrong API key: send the header Authorization: Bearer KEY with "
                                        "the key the server was started with", code="invalid_api_key")
                await JSONResponse(refusal.body(), status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Pending:
    """Counts requests waiting for or using the model; one past the limit is refused with 429."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self._lock = threading.Lock()

    def slot(self) -> "_Slot":
        return _Slot(self)


class _Slot:
    def __init__(self, pending: _Pending) -> None:
        self.pending = pending

    def __enter__(self) -> None:
        with self.pending._lock:
            if self.pending.count >= self.pending.limit:
                raise ApiError(429, f"{self.pending.limit} requests are already waiting for the model: retry "
                                    f"shortly", code="too_many_pending", kind="rate_limit_error",
                               headers={"Retry-After": "1"})
            self.pending.count += 1

    def __exit__(self, *exc) -> None:
        with self.pending._lock:
            self.pending.count -= 1
