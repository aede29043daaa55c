"""Names for the parts that come in more than one kind, and where each one lives.

`--engine`, `--learn` and `--sandbox` (flags, or the same keys in a config file) choose an entry here, and the
chosen names are written to the run's config.json. A dotted path instead of a name ("package.module:Name" or
"package.module.Name") picks an implementation outside the project. Entries are import paths, not objects, so
nothing heavy (torch, the Docker SDK, vLLM) is imported until a name is used.

What an entry must be, by kind (the contracts are in agent/protocols.py and sandbox/protocol.py):
- engine: a class with `open(trainable, options) -> GenerationEngine`, and an `Options` dataclass for the
  engine table's options (validated when the configuration is read); optionally `check(options)`, called then
  too, which raises ValueError when the engine cannot run here (its package missing).
- learner: a class built as `cls(trainable, cls.settings(table))` that satisfies Learner; `settings` turns the
  config's [sdpo] table into the learner's settings, with the learner's own defaults under it.
- sandbox: a class built as `cls(SandboxConfig)` that satisfies Sandbox and is a context manager.
"""

from __future__ import annotations

import importlib
from typing import Any

from sandbox.config import BACKENDS

REGISTRY: dict[str, dict[str, str]] = {
    "engine": {
        "hf": "agent.generation.hf:HFPolicy",
        "vllm": "agent.generation.vllm:VLLMEngine",
        "vllm-server": "agent.generation.vllm_server:VLLMServerEngine",
    },
    "learner": {
        "sdpo": "agent.learn.sdpo:SDPOLearner",
        "sdpo-grpo": "agent.learn.sdpo:BlendLearner",
    },
    "sandbox": BACKENDS,  # the sandbox keeps its own names (sandbox/config.py); they are listed here too
}


def names(kind: str) -> tuple[str, ...]:
    """The registered names of one kind, in their listed order."""
    return tuple(_table(kind))


def is_known(kind: str, name: str) -> bool:
    """A registered name, or something shaped like a dotted path (checked when it is resolved)."""
    return name in _table(kind) or _is_path(name)


def resolve(kind: str, name: str) -> Any:
    """The implementation behind a name or a dotted path; a clear ValueError when there is none."""
    table = _table(kind)
    target = table.get(name)
    if target is None:
        if not _is_path(name):
            raise ValueError(f"{kind} {name!r} is unknown; choose one of {', '.join(table)} "
                             f"or give a dotted path such as package.module:Class")
        target = name
    module_name, _, attr = target.partition(":") if ":" in target else target.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"{kind} {name!r}: cannot import {module_name} ({e})") from e
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ValueError(f"{kind} {name!r}: {module_name} has no {attr}") from None


def _table(kind: str) -> dict[str, str]:
    if kind not in REGISTRY:
        raise KeyError(f"no registry of kind {kind!r}; kinds: {', '.join(REGISTRY)}")
    return REGISTRY[kind]


def _is_path(name: str) -> bool:
    return "." in name or ":" in name


# ----- building the parts by name -----


def load_trainable(model: str, *, device: str = "auto", dtype: str = "auto", lora: Any = "default") -> Any:
    """The TrainableModel: a Hugging Face causal LM with a LoRA adapter (lora=None: without one)."""
    from agent.generation.hf import HFPolicy
    from agent.learn.lora import LoraSettings

    return HFPolicy(model, device=device, dtype=dtype, lora=LoraSettings() if lora == "default" else lora)


def open_engine(name: str, trainable: Any, options: dict | None = None) -> Any:
    """The GenerationEngine `name`, writing with (or following the weights of) `trainable`."""
    from agent.config import build_settings

    engine = resolve("engine", name)
    return engine.open(trainable, build_settings(engine.Options, options or {}, "engine.options"))


def make_learner(name: str, trainable: Any, table: dict | None = None) -> Any:
    """The Learner `name` on `trainable`, its settings from a config's [sdpo] table over its own defaults."""
    learner = resolve("learner", name)
    return learner(trainable, learner.settings(table or {}))
