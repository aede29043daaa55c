"""The model that answers requests, kept apart from the one the learner trains, and the names of its weights.

Two copies, one job each. The learner updates the trainable model (agent/registry.py load_trainable); the
serving engine answers requests. With the hf engine the serving engine is a second Hugging Face model of the
same base and LoRA shape, so requests keep being answered by the current weights for the whole of an update (a
teacher pass switches the adapter off, a student pass runs backward, a step rewrites the weights: none of that
may happen under a generation). When the trainable weights change (update, undo, reset: the adapter history
announces a WeightsChanged), the LoRA tensors are copied into the serving copy under the generation lock, so a
generation never sees half of a change, and the new version answers from the next request on. Other engines
(vllm) follow the trainable weights themselves; their switch is then made under the same lock.

Names of weights (`adapter-N` in system_fingerprint): 0 is the base, every update a number not used before,
and undo returns to the name of the weights it restores (undo is exact, so the same name means the same
weights and the same greedy answers). WeightChanged versions never repeat; these names do, on purpose.

One generation at a time: requests queue on the generation lock (the hf engine generates one request at once).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

from agent.protocols import SamplingConfig, WeightsChanged


class WeightNames:
    """The name of the weights in force, following the trainable adapter's changes."""

    def __init__(self, current: int = 0, last: int = 0) -> None:
        self.stack = [current]
        """Names of the weights undo can return to, the current last."""
        self.last = max(current, last)

    @property
    def current(self) -> int:
        return self.stack[-1]

    def follow(self, event: WeightsChanged, undo_depth: int) -> None:
        if event.reason == "update":
            self.last += 1
            self.stack.append(self.last)
        elif event.reason == "undo":
            if len(self.stack) > 1:
                self.stack.pop()
        elif event.reason == "reset":
            self.stack = [0]
        elif event.reason == "load":
            self.last += 1
            self.stack = [self.last]
        else:
            raise ValueError(f"weights changed for an unknown reason {event.reason!r}")
        del self.stack[:-(undo_depth + 1)]  # names older than the undo history can no longer come back


@dataclass
class Choice:
    """One answer as served."""

    index: int
    text: str
    """The text sent to the client (cut before a stop sequence)."""
    ids: list[int]
    """The generated ids behind exactly that text, as sampled (what the learner scores)."""
    generated: int
    """Tokens generated (usage counts these, a stop sequence's included)."""
    finish_reason: str
    """stop or length."""


class ServedModel:
    """The serving engine behind its lock, and the name of the weights it answers with."""

    def __init__(self, engine: Any, trainable: Any, names: WeightNames, copy: bool) -> None:
        self.engine = engine
        self.trainable = trainable
        self.names = names
        self.lock = threading.Lock()
        """Held by a generation, and by a change of the serving weights."""
        self._copy = copy
        self._holder: int | None = None
        if copy:
            self._pairs = _lora_pairs(trainable.model, engine.model)
            self._copy_adapter()

    @classmethod
    def open(cls, engine_name: str, trainable: Any, names: WeightNames, *, model: str, device: str, dtype: str,
             options: dict | None = None) -> "ServedModel":
        from agent import registry

        if engine_name == "hf":
            serving = registry.load_trainable(model, device=device, dtype=dtype)
            served = cls(serving, trainable, names, copy=True)
            trainable.history.subscribe(served._after_change)
            return served
        # The engine subscribes to the trainable's history when it opens: the lock is taken by a listener
        # before it and released by one after it, so its switch of weights never meets a generation.
        holder: list[ServedModel] = []
        trainable.history.subscribe(lambda event: holder[0]._before_change(event) if holder else None)
        engine = registry.open_engine(engine_name, trainable, options)
        served = cls(engine, trainable, names, copy=False)
        holder.append(served)
        trainable.history.subscribe(served._after_change)
        return served

    # ---- following the trainable weights ------------------------------------------------------------------

    def _before_change(self, event: WeightsChanged) -> None:
        self.lock.acquire()
        self._holder = threading.get_ident()

    def _after_change(self, event: WeightsChanged) -> None:
        if self._copy:
            with self.lock:
                self._copy_adapter()
                self.names.follow(event, self.trainable.history.depth)
            return
        try:
            self.names.follow(event, self.trainable.history.depth)
        finally:
            self.release_change()

    def release_change(self) -> None:
        """Let go of the lock when a weights change taken by this thread failed half way (an engine's listener
        raised): called after every change; does nothing otherwise."""
        if self._holder == threading.get_ident():
            self._holder = None
            self.lock.release()

    def _copy_adapter(self) -> None:
        import torch

        with torch.no_grad():
            for source, target in self._pairs:
                target.copy_(source)

    # ---- answering ---------------------------------------------------------------------------------------

    @property
    def tokenizer(self) -> Any:
        return self.trainable.tokenizer

    def prompt_tokens(self, messages: list[dict]) -> int:
        return len(self.trainable.chat_ids(messages))

    def complete(self, messages: list[dict], n: int, sampling: SamplingConfig, stops: list[str]
                 ) -> tuple[list[Choice], int, int]:
        """(n choices, prompt tokens, the name of the weights that wrote them)."""
        with self.lock:
            name = self.names.current
            generations = self.engine.generate(messages, n, sampling)
        choices = []
        for index, generation in enumerate(generations):
            text, cut = cut_at_stop(generation.text, stops)
            ids = ids_for_text(self._decode, generation.ids, text) if cut else list(generation.ids)
            choices.append(Choice(index, text, ids, len(generation.ids), "stop" if cut else _reason(generation)))
        return choices, len(generations[0].prompt_ids) or self.prompt_tokens(messages), name

    def stream(self, messages: list[dict], sampling: SamplingConfig, stops: list[str], index: int,
               cancel: threading.Event, emit: Callable[[str], None],
               started: Callable[[int], None] = lambda name: None) -> Choice | None:
        """Generate one choice, handing each new piece of text to `emit` as it comes; None when `cancel` was
        set (the client went away) before it finished. `started(name)` is called once the lock is held."""
        with self.lock:
            if cancel.is_set():
                return None
            started(self.names.current)
            scanner = StopScanner(stops)
            halt = _Either(cancel, scanner.found)
            for piece in self.engine.stream(messages, sampling, stop_event=halt):
                out = scanner.feed(piece)
                if out:
                    emit(out)
                if scanner.found.is_set():
                    break
            generation = self.engine.last_generation
        if cancel.is_set() and not scanner.found.is_set():
            return None
        if scanner.found.is_set():
            ids = ids_for_text(self._decode, generation.ids, scanner.text) if generation else []
            return Choice(index, scanner.text, ids, len(generation.ids) if generation else len(ids), "stop")
        tail = scanner.flush()
        if tail:
            emit(tail)
        return Choice(index, scanner.text, list(generation.ids), len(generation.ids), _reason(generation))

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)


def _reason(generation: Any) -> str:
    return "length" if generation.finish_reason == "length" else "stop"


def _lora_pairs(source_model: Any, target_model: Any) -> list[tuple[Any, Any]]:
    source = {name: p for name, p in source_model.named_parameters() if "lora_" in name}
    target = {name: p for name, p in target_model.named_parameters() if "lora_" in name}
    if set(source) != set(target) or not source:
        raise ValueError("the serving copy's LoRA adapter does not match the trainable one: both must be loaded "
                         "with the same LoRA settings")
    return [(source[name], target[name]) for name in sorted(source)]


class _Either:
    """An Event-like stop signal that is set when either of two events is (the engine only polls is_set)."""

    def __init__(self, a: threading.Event, b: threading.Event) -> None:
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.a.is_set() or self.b.is_set()


def cut_at_stop(text: str, stops: list[str]) -> tuple[str, bool]:
    """`text` cut before the earliest stop sequence in it, and whether one was found."""
    hits = [text.find(s) for s in stops if s in text]
    return (text[:min(hits)], True) if hits else (text, False)


def ids_for_text(decode: Callable[[list[int]], str], ids: list[int], text: str) -> list[int]:
    """The longest prefix of `ids` whose decoded text lies within `text` (the answer cut at a stop sequence):
    the learner then scores exactly the tokens the client was shown, never a re-tokenization."""
    low, high = 0, len(ids)
    while low < high:  # decoded prefixes grow with the prefix, so the boundary is found by bisection
        middle = (low + high + 1) // 2
        if text.startswith(decode(ids[:middle])):
            low = middle
        else:
            high = middle - 1
    return list(ids[:low])


class StopScanner:
    """Streams text while watching for stop sequences: text that could be the start of one is held back until
    the next piece tells; `text` is everything sent, `found` is set once a stop sequence appears."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = stops
        self.hold = max((len(s) for s in stops), default=1) - 1
        self.found = threading.Event()
        self.text = ""
        self._pending = ""

    def feed(self, piece: str) -> str:
        if self.found.is_set():
            return ""
        self._pending += piece
        cut, hit = cut_at_stop(self._pending, self.stops)
        if hit:
            self.found.set()
            out, self._pending = cut, ""
        else:
            keep = self.hold if self.stops else 0
            out = self._pending[:len(self._pending) - keep] if keep else self._pending
            self._pending = self._pending[len(out):]
        self.text += out
        return out

    def flush(self) -> str:
        out, self._pending = ("" if self.found.is_set() else self._pending), ""
        self.text += out
        return out
