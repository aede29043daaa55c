"""The policy: a local Hugging Face chat model with a LoRA adapter that writes attempts.

Token ids are the currency here. `chat_ids` is the exact prompt prefix the learner uses for both student and
teacher, and each Generation keeps the generated ids exactly as sampled: trailing padding removed, the
end-of-turn token KEPT when the model produced it (the learner scores exactly these ids, so the model also
learns when to stop). `text` is those ids decoded without special tokens.

Sampling draws from the model's own distribution: the knobs in SamplingConfig are applied and every other
sampling default a checkpoint may carry (top-k, repetition penalty, ...) is switched off, because the learner
assumes the attempt came from the plain softmax at the given temperature.

One generation at a time: the policy is not meant to be called from several threads at once.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

from agent.generation.cpu import fit_threads, workload
from agent.learn.lora import AdapterHistory, LoraSettings, attach_lora
from agent.generation.models import DEFAULT_MODEL, load_model_and_tokenizer
from agent.protocols import Generation, SamplingConfig

# End-of-turn markers of common chat templates; generation stops at whichever the vocabulary has.
END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>")

_DONE = object()

REFIT_SECONDS = 0.5
"""How often a CPU generation re-fits its thread count to the load of other processes."""


class HFPolicy:
    """A causal LM (base + LoRA) that turns chat messages into sampled attempts.

    It is both the TrainableModel the learner updates and, registered as the engine 'hf', the GenerationEngine
    that generates with those same weights: a change of the adapter is in force for the next generation at once.
    """

    @dataclass
    class Options:
        """The hf engine has no settings of its own: device and dtype are the model's (--device, --dtype)."""

    @classmethod
    def open(cls, trainable: "HFPolicy", options: "HFPolicy.Options") -> "HFPolicy":
        """The engine for `trainable`: the trainable model itself."""
        return trainable

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", dtype: str = "auto",
                 lora: LoraSettings | None = LoraSettings(), history_depth: int = 32) -> None:
        base, tokenizer = load_model_and_tokenizer(model, device=device, dtype=dtype)
        self.name = model
        self.tokenizer = tokenizer
        self.model = attach_lora(base, lora) if lora is not None else base
        self.model.eval()
        self.history = AdapterHistory(self.model, max_depth=history_depth) if lora is not None else None
        self.device = next(base.parameters()).device
        self.context_window: int = int(getattr(base.config, "max_position_embeddings", 2048))
        self.stop_ids: list[int] = _stop_ids(tokenizer, base)
        # Templates with a thinking switch (Qwen3 style) get it turned off, as in the paper's setting.
        self._thinking_switch = "enable_thinking" in (tokenizer.chat_template or "")
        self.last_generation: Generation | None = None

    def chat_ids(self, messages: list[dict], add_generation_prompt: bool = True) -> list[int]:
        """Token ids of `messages` in the model's chat template, ending with the assistant turn's opening."""
        extra = {"enable_thinking": False} if self._thinking_switch else {}
        ids = self.tokenizer.apply_chat_template(messages, tokenize=True, return_dict=False,
                                                 add_generation_prompt=add_generation_prompt, **extra)
        return [int(i) for i in ids]

    def generate(self, messages: list[dict], n: int = 1, sampling: SamplingConfig | None = None
                 ) -> list[Generation]:
        """Sample n attempts in one batched call; temperature 0 is greedy (then all n are the same)."""
        sampling = sampling or SamplingConfig()
        if n < 1:
            raise ValueError(f"n={n}: ask for at least one generation")
        prompt_ids = self.chat_ids(messages)
        budget = self._token_budget(prompt_ids, sampling)
        rows = 1 if sampling.temperature == 0 else n  # greedy samples are identical; compute one
        start = time.perf_counter()
        sequences = self._run(prompt_ids, rows, sampling, budget)
        seconds = (time.perf_counter() - start) / n
        generations = [self._to_generation(row, prompt_ids, seconds) for row in sequences]
        while len(generations) < n:
            first = generations[0]
            generations.append(Generation(first.text, list(first.ids), list(prompt_ids), seconds,
                                          first.finish_reason))
        return generations

    def stream(self, messages: list[dict], sampling: SamplingConfig | None = None,
               stop_event: threading.Event | None = None) -> Iterator[str]:
        """Yield the answer's text piece by piece as tokens arrive; afterwards `last_generation` holds it.

        Setting `stop_event` (or closing the iterator) stops generation after the current token; the
        Generation then has finish_reason 'interrupted'. The pieces join to exactly `last_generation.text`.
        Being a generator, it checks the prompt (and may raise ValueError) on the first next().
        """
        sampling = sampling or SamplingConfig()
        prompt_ids = self.chat_ids(messages)
        budget = self._token_budget(prompt_ids, sampling)
        user_stop = stop_event or threading.Event()
        closed = threading.Event()
        pieces = _PieceStreamer(self._decode)
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["rows"] = self._run(prompt_ids, 1, sampling, budget, streamer=pieces,
                                            halt=lambda: user_stop.is_set() or closed.is_set())
            except BaseException as err:  # handed to the consumer's thread below
                outcome["error"] = err
            finally:
                pieces.end()

        self.last_generation = None
        start = time.perf_counter()
        worker = threading.Thread(target=work, name="policy-stream", daemon=True)
        worker.start()
        try:
            while (piece := pieces.queue.get()) is not _DONE:
                yield piece
        finally:
            closed.set()
            worker.join()
            if "rows" in outcome:
                self.last_generation = self._to_generation(
                    outcome["rows"][0], prompt_ids, time.perf_counter() - start, budget=budget)
        if "error" in outcome:
            raise outcome["error"]

    def _token_budget(self, prompt_ids: list[int], sampling: SamplingConfig) -> int:
        room = self.context_window - len(prompt_ids)
        if room <= 0:
            raise ValueError(
                f"the prompt is {len(prompt_ids)} tokens but {self.name}'s context window is "
                f"{self.context_window}: shorten the problem or the feedback, or use a longer-context model")
        return min(sampling.max_new_tokens, room)

    def _run(self, prompt_ids: list[int], rows: int, sampling: SamplingConfig, budget: int, *,
             streamer: Any = None, halt: Any = None) -> list[list[int]]:
        """One batched model.generate call; returns each row's new token ids (padding still on)."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        on_cpu = self.device.type == "cpu"
        last_fit = [time.monotonic()]

        class Halt(StoppingCriteria):
            """Between tokens: stop when asked, and on CPU re-fit the thread count every half second, so a
            neighbour that starts mid-generation does not stall every parallel region that follows."""

            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                if on_cpu and time.monotonic() - last_fit[0] >= REFIT_SECONDS:
                    fit_threads()
                    last_fit[0] = time.monotonic()
                stop = bool(halt()) if halt is not None else False
                return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)

        prompt = torch.tensor([prompt_ids] * rows, dtype=torch.long, device=self.device)
        greedy = sampling.temperature == 0
        knobs: dict[str, Any] = dict(
            max_new_tokens=budget, do_sample=not greedy, num_beams=1, repetition_penalty=1.0,
            no_repeat_ngram_size=0, min_length=0, eos_token_id=self.stop_ids,
            pad_token_id=self.tokenizer.pad_token_id)
        if not greedy:
            # Set every warper explicitly: None would let the checkpoint's generation_config fill it in.
            knobs.update(temperature=sampling.temperature, top_p=sampling.top_p, top_k=0, min_p=0.0,
                         typical_p=1.0)
        with workload(), self._generation_mode(), self._seeded(sampling.seed):
            if on_cpu:
                fit_threads()  # the cores other processes leave free, shared with an update beside it (cpu.py)
            if rows > 1 and len(prompt_ids) > 1:
                knobs[self._cache_arg] = self._shared_prefill(prompt[:1, :-1], rows)
            out = self.model.generate(
                input_ids=prompt, attention_mask=torch.ones_like(prompt), streamer=streamer,
                stopping_criteria=StoppingCriteriaList([Halt()]), **knobs)
        return [row[len(prompt_ids):].tolist() for row in out]

    def _shared_prefill(self, prefix: Any, rows: int) -> Any:
        """The prompt's keys and values computed once and repeated for every row: n samples of one prompt
        differ only after it, and prefilling n copies costs n times as much (with 8 samples of a 271-token
        prompt on one CPU thread, 13.7 s of a 48.7 s call). generate() then runs only the prompt's last
        token. The last token stays out of the cache so that generate() has an input to start from."""
        from transformers import DynamicCache

        cache = DynamicCache(config=self.model.config)
        self.model(input_ids=prefix, attention_mask=prefix.new_ones(prefix.shape), use_cache=True,
                   **{self._cache_arg: cache})
        cache.batch_repeat_interleave(rows)
        return cache

    @functools.cached_property
    def _cache_arg(self) -> str:
        """transformers 5 names the cache argument `cache`; earlier releases `past_key_values`."""
        forward = getattr(self.model, "get_base_model", lambda: self.model)().forward
        return "cache" if "cache" in inspect.signature(forward).parameters else "past_key_values"

    @contextlib.contextmanager
    def _generation_mode(self) -> Iterator[None]:
        """Eval mode (LoRA dropout off) and no autograd, restoring the caller's train/eval mode after."""
        import torch

        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                yield
        finally:
            self.model.train(was_training)

    @contextlib.contextmanager
    def _seeded(self, seed: int | None) -> Iterator[None]:
        """Seed the sampler without disturbing the global random state seen by the rest of the program."""
        import torch

        if seed is None:
            yield
            return
        kind = self.device.type
        devices = [self.device] if kind == "cuda" else []
        with torch.random.fork_rng(devices=devices, device_type=kind if kind in ("cuda", "mps") else "cuda"):
            torch.manual_seed(seed)
            yield

    def _to_generation(self, new_ids: list[int], prompt_ids: list[int], seconds: float,
                       budget: int | None = None) -> Generation:
        """Cut a row after its first stop token; no stop token and short of the budget means halted."""
        stops = set(self.stop_ids)
        end = next((i for i, tok in enumerate(new_ids) if tok in stops), None)
        if end is not None:
            ids, reason = new_ids[: end + 1], "stop"
        else:
            ids = new_ids
            reason = "interrupted" if budget is not None and len(ids) < budget else "length"
        return Generation(text=self._decode(ids), ids=ids, prompt_ids=list(prompt_ids), seconds=seconds,
                          finish_reason=reason)

    def _decode(self, ids: list[int]) -> str:
        # No clean-up of "tokenization spaces": it would rewrite code such as `f(a , b)`.
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)


def _stop_ids(tokenizer: Any, model: Any) -> list[int]:
    """EOS ids from the tokenizer and generation config, plus any known end-of-turn token in the vocab."""
    found: list[int] = []
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (tokenizer.eos_token_id, configured):
        found += value if isinstance(value, list) else [value] if value is not None else []
    special = set(tokenizer.all_special_tokens) | set(getattr(tokenizer, "added_tokens_encoder", {}))
    found += [tokenizer.convert_tokens_to_ids(token) for token in END_OF_TURN_TOKENS if token in special]
    return list(dict.fromkeys(int(i) for i in found))


class _PieceStreamer:
    """Receives token ids from model.generate and queues the newly decoded text after each token.

    It decodes the whole answer so far each time and emits only the new suffix, holding back an incomplete
    UTF-8 character, so the pieces join to exactly the final decoded text (incremental decoders that reset at
    line ends can drift from it).
    """

    def __init__(self, decode: Any) -> None:
        self.queue: queue.Queue = queue.Queue()
        self._decode = decode
        self._ids: list[int] = []
        self._sent = ""
        self._prompt_seen = False
        self._ended = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # generate() first hands over the prompt
            self._prompt_seen = True
            return
        self._ids += value.reshape(-1).tolist()
        self._flush(final=False)

    def end(self) -> None:
        if self._ended:
            return
        self._ended = True
        self._flush(final=True)
        self.queue.put(_DONE)

    def _flush(self, final: bool) -> None:
        text = self._decode(self._ids)
        if not final and text.endswith("\ufffd"):
            return
        if text.startswith(self._sent) and len(text) > len(self._sent):
            self.queue.put(text[len(self._sent):])
            self._sent = text
