"""`autodidact serve`: the learning model behind an OpenAI-compatible API that learns from follow-ups and tests.

The recipe: check the flags (a non-loopback address needs an API key), open or resume the session, load the
trainable model and the learner, put back the session's adapter, open the serving copy, warm it up, serve until
SIGTERM or Ctrl-C, then finish the running update, save the session and remove the sandbox. agent/serve/ holds
the parts.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import time

from agent.cli.common import SANDBOX_CHOICES, add_engine_args, fail

API_KEY_ENV = "AUTODIDACT_API_KEY"


def register(sub) -> None:
    p = sub.add_parser("serve", help="an OpenAI-compatible API for the learning model; it learns from follow-ups",
                       description="Serve the learning model over an OpenAI-compatible API (point a client's "
                                   "OPENAI_BASE_URL at http://HOST:PORT/v1). A user turn that follows one of its "
                                   "answers is feedback on that answer, learned from by one SDPO update in the "
                                   "background; POST /v1/feedback sends words, tests or a solution.")
    p.add_argument("--resume", metavar="SESSION", help="continue a saved serving session: its id, its directory, "
                                                       "or 'latest'")
    p.add_argument("--home", help="where sessions live (default $AUTODIDACT_HOME, else ~/.cache/autodidact; "
                                  "sessions go under serve/)")
    g = p.add_argument_group("listening")
    g.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; any other than "
                                                       "a loopback address needs --api-key)")
    g.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    g.add_argument("--api-key", help=f"require Authorization: Bearer KEY on every /v1 request (or set {API_KEY_ENV}, "
                                     f"which keeps the key out of the process list)")
    g = p.add_argument_group("model")
    g.add_argument("--model", help="hub id, local path, or smollm2-135m (the embedded default; on --resume, the "
                                   "session's model)")
    add_engine_args(g, defaults=True)
    g.add_argument("--served-name", help="the model id clients send (default: the --model name)")
    g = p.add_argument_group("learning")
    g.add_argument("--learn", choices=["follow-ups", "explicit", "none"], default="follow-ups",
                   help="follow-ups (default): a user turn after an answer of this server is feedback on it, and "
                        "POST /v1/feedback; explicit: only POST /v1/feedback; none: no updates")
    g.add_argument("--learner", default="sdpo", help="learner name: sdpo (default) or sdpo-grpo")
    g.add_argument("--lr", type=float, help="learning rate of the LoRA update (default: the learner's)")
    g.add_argument("--update-queue", type=int, default=4, help="most updates waiting to run; one more is refused "
                                                               "with 429 (default 4)")
    g.add_argument("--remember", type=int, default=1024, help="served answers kept to recognise feedback on them "
                                                              "(default 1024)")
    g = p.add_argument_group("request limits")
    g.add_argument("--max-n", type=int, default=8, help="most choices per request (default 8)")
    g.add_argument("--max-tokens", type=int, default=1024, help="most new tokens per choice (default 1024)")
    g.add_argument("--default-max-tokens", type=int, default=512,
                   help="new tokens per choice when a request does not say (default 512)")
    g.add_argument("--max-body-bytes", type=int, default=1 << 20, help="largest request body (default 1 MiB)")
    g.add_argument("--max-pending", type=int, default=32, help="most requests waiting for the model (default 32)")
    g = p.add_argument_group("grading (POST /v1/feedback with tests)")
    g.add_argument("--sandbox", choices=SANDBOX_CHOICES, default="docker",
                   help="docker (isolated, default) or local (a subprocess with limits, NOT isolated)")
    g.add_argument("--timeout", type=float, default=6.0, help="per-test time limit in seconds (default 6)")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"],
                   help="the HTTP server's log level (default warning)")
    p.set_defaults(handler=serve_command)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(args: argparse.Namespace) -> int:
    from agent.serve.service import ServeSettings
    from agent.serve.wire import Limits

    # ---- flags, before anything is loaded ----
    api_key = args.api_key or os.environ.get(API_KEY_ENV) or None
    if not is_loopback(args.host) and api_key is None:
        return fail(f"refusing to listen on {args.host} without an API key: anyone who can reach it could use and "
                    f"retrain the model; pass --api-key KEY (or set {API_KEY_ENV}), or listen on 127.0.0.1")
    if not 0 < args.port < 65536:
        return fail(f"--port {args.port}: use a port from 1 to 65535")
    try:
        limits = Limits(max_n=args.max_n, max_tokens=args.max_tokens, default_max_tokens=args.default_max_tokens)
        if min(limits.max_n, limits.max_tokens, limits.default_max_tokens, args.max_body_bytes, args.max_pending) < 1:
            raise ValueError("--max-n, --max-tokens, --default-max-tokens, --max-body-bytes and --max-pending must "
                             "be positive")
        if limits.default_max_tokens > limits.max_tokens:
            raise ValueError(f"--default-max-tokens {limits.default_max_tokens} is above --max-tokens "
                             f"{limits.max_tokens}: lower it or raise --max-tokens")
        from agent import registry

        if not registry.is_known("learner", args.learner):
            raise ValueError(f"--learner {args.learner!r}: choose one of {', '.join(registry.names('learner'))}")
        if not registry.is_known("engine", args.engine):
            raise ValueError(f"--engine {args.engine!r}: choose one of {', '.join(registry.names('engine'))}")
    except ValueError as e:
        return fail(str(e))

    # ---- the session ----
    from agent.generation.models import DEFAULT_MODEL
    from agent.serve.session import ServeSession, SessionError, serve_home

    home = serve_home(args.home)
    try:
        if args.resume:
            session = ServeSession.resume(home, args.resume)
            if args.model and args.model != session.state.model:
                return fail(f"--model {args.model} differs from the session's model {session.state.model}: leave "
                            f"--model out to resume, or start a new session")
            model = session.state.model
        else:
            model = args.model or DEFAULT_MODEL
            session = None
        settings = ServeSettings(model_id=args.served_name or model, learn=args.learn, limits=limits,
                                 queue=args.update_queue, remember=args.remember, sandbox=args.sandbox,
                                 timeout=args.timeout)
    except (SessionError, ValueError) as e:
        return fail(str(e))
    if session is None:
        session = ServeSession.create(home, model, {"engine": args.engine, "learn": args.learn,
                                                    "learner": args.learner, "lr": args.lr,
                                                    "sandbox": args.sandbox})

    # ---- the models ----
    say(f"loading {model} ({args.engine} engine) · session {session.state.id} at {session.dir}")
    started = time.perf_counter()
    service = _open_service(args, model, settings, session)
    say(f"model ready in {time.perf_counter() - started:.1f} s · {service.fingerprint}")

    # ---- serving ----
    return _serve(service, args, api_key)


def _open_service(args: argparse.Namespace, model: str, settings, session):
    from agent import registry
    from agent.chat.engine import _quiet_transformers
    from agent.protocols import SamplingConfig
    from agent.serve.served import ServedModel, WeightNames
    from agent.serve.service import Service

    _quiet_transformers()
    trainable = registry.load_trainable(model, device=args.device, dtype=args.dtype)
    learner = registry.make_learner(args.learner, trainable, {} if args.lr is None else {"lr": args.lr})
    state = session.state
    current = 0
    if session.adapter_dir.is_dir():
        learner.load(str(session.adapter_dir))  # the weights the session ended with; not undoable one by one
        current = state.weights
    names = WeightNames(current=current, last=state.last_weights)
    served = ServedModel.open(args.engine, trainable, names, model=model, device=args.device, dtype=args.dtype)
    # One tiny generation pays the first-call costs now rather than on the first client's request.
    served.complete([{"role": "user", "content": "Say hi."}], 1, SamplingConfig(temperature=0.0, max_new_tokens=2), [])
    service = Service(settings, served, learner, session)
    service.start()
    return service


def _serve(service, args: argparse.Namespace, api_key: str | None) -> int:
    import uvicorn

    from agent.serve.app import build_app

    app = build_app(service, api_key=api_key, max_body_bytes=args.max_body_bytes, max_pending=args.max_pending)

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            for cancel in list(app.state.streams):  # open streams end after their current token
                cancel.set()
            super().handle_exit(sig, frame)
            self._captured_signals.clear()  # a signal is the normal way to stop: exit 0 after the clean-up below

    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level,
                            timeout_graceful_shutdown=10, access_log=args.log_level in ("debug", "info"))
    server = Server(config)
    learning = {"follow-ups": "learning from follow-ups and POST /v1/feedback",
                "explicit": "learning from POST /v1/feedback only", "none": "not learning"}[service.settings.learn]
    say(f"serving {service.settings.model_id} at http://{args.host}:{args.port}/v1 · {learning}"
        + (" · API key required" if api_key else "") + " · Ctrl-C or SIGTERM stops")
    try:
        server.run()
    finally:
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            service.close()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if not server.started:
        return fail(f"could not listen on {args.host}:{args.port} (in use, or not an address of this machine): "
                    f"pick another --port or --host")
    say(f"stopped · session {service.session.state.id} saved at {service.session.dir} · {service.fingerprint} "
        f"(resume with --resume {service.session.state.id})")
    return 0


def say(message: str) -> None:
    print(f"autodidact serve: {message}", file=sys.stderr, flush=True)
