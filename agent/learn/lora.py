"""LoRA adapters on the policy: attaching one, an undo history of its weights, saving and loading it.

Only the adapter changes during a session; the base weights stay frozen, so the base model is always one
`reset()` (or `model.disable_adapter()`) away. The learner calls `history.snapshot()` right BEFORE each
update; `undo()` then reverts the last update exactly (bitwise) and `reset()` returns to the freshly
initialised adapter, whose B matrices are zero, so the model equals the base model again.

Undo restores weights only: an optimizer keeps its own moment estimates, which the learner must handle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Attention and MLP projections in llama / qwen / mistral / gemma / phi-3 style models, then gpt2 / falcon /
# gpt-neox style names. The default targets are whichever of these the model has.
DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
                   "qkv_proj", "gate_up_proj", "c_attn", "c_proj", "c_fc", "query_key_value", "dense",
                   "dense_h_to_4h", "dense_4h_to_h")

# Config fields that must agree between the model an adapter was trained on and the model it is loaded into.
ARCHITECTURE_FIELDS = ("model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                       "num_attention_heads", "num_key_value_heads")

METADATA_FILE = "autodidact_adapter.json"


@dataclass(frozen=True)
class LoraSettings:
    """Shape of the LoRA adapter put on the policy."""

    rank: int = 16
    """Rank r of each low-rank update B·A."""
    alpha: float = 32
    """Scale numerator: the update is multiplied by alpha / rank."""
    dropout: float = 0.0
    """Dropout on the adapter input during training (generation always runs without it)."""
    target_modules: list[str] | None = field(default=None, hash=False)
    """Names of the linear modules to adapt; None picks the model's attention and MLP projections."""

    def __post_init__(self) -> None:
        if self.rank < 1:
            raise ValueError(f"LoraSettings.rank={self.rank}: the rank must be at least 1")
        if self.alpha <= 0:
            raise ValueError(f"LoraSettings.alpha={self.alpha}: alpha must be positive (commonly 2 x rank)")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"LoraSettings.dropout={self.dropout}: dropout must lie in [0, 1)")
        if self.target_modules is not None and not self.target_modules:
            raise ValueError("LoraSettings.target_modules=[]: give module names, or None for the defaults")


def linear_module_names(model: Any) -> list[str]:
    """The distinct short names (last path part) of the model's linear layers, lm_head excluded."""
    import torch

    names = set()
    for path, module in model.named_modules():
        is_linear = isinstance(module, torch.nn.Linear) or type(module).__name__ == "Conv1D"
        if is_linear and path.rsplit(".", 1)[-1] != "lm_head":
            names.add(path.rsplit(".", 1)[-1])
    return sorted(names)


def default_target_modules(model: Any) -> list[str]:
    """Attention and MLP projection names this model has; an error lists the linear names if none match."""
    available = linear_module_names(model)
    chosen = [name for name in DEFAULT_TARGETS if name in available]
    if not chosen:
        raise ValueError(
            f"no known attention/MLP projection names in this {type(model).__name__}; its linear modules are "
            f"{available}: pass LoraSettings(target_modules=[...]) with some of them")
    return chosen


def attach_lora(model: Any, settings: LoraSettings) -> Any:
    """Wrap `model` in a PeftModel with a fresh adapter (B = 0, so outputs equal the base); base frozen."""
    from peft import LoraConfig, get_peft_model

    targets = settings.target_modules or default_target_modules(model)
    config = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                        target_modules=list(targets), bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def architecture(model: Any) -> dict:
    """The config fields that decide whether an adapter fits this model."""
    config = model.get_base_model().config if hasattr(model, "get_base_model") else model.config
    return {name: getattr(config, name, None) for name in ARCHITECTURE_FIELDS}


class AdapterHistory:
    """Undo history of a PeftModel's adapter weights (the LoRA parameters only, kept as CPU copies), and the
    announcer of every change of them.

    `version` names the weights now in force: 0 for the base (the fresh adapter), and a number never used before
    for every other state. undo, reset and load announce their change themselves; whoever steps the optimizer
    calls changed("update") once the step is taken. Subscribers (subscribe) get a WeightsChanged each time, on
    the caller's thread, after the weights are in place.
    """

    def __init__(self, model: Any, max_depth: int = 32) -> None:
        if max_depth < 1:
            raise ValueError(f"AdapterHistory max_depth={max_depth}: keep at least one update to undo")
        self.model = model
        self.max_depth = max_depth
        """Most updates kept for undo; older snapshots are dropped first."""
        self._params = {name: p for name, p in model.named_parameters() if "lora_" in name}
        if not self._params:
            raise ValueError("AdapterHistory needs a model with a LoRA adapter: call attach_lora(model) first")
        self._initial = self._copy()
        self._stack: list[dict] = []
        self.version = 0
        self._last_version = 0
        self._listeners: list = []

    @property
    def depth(self) -> int:
        """Number of updates that undo() can still revert."""
        return len(self._stack)

    def subscribe(self, listener) -> None:
        """Call listener(WeightsChanged) after every change of the adapter weights."""
        self._listeners.append(listener)

    def unsubscribe(self, listener) -> None:
        self._listeners.remove(listener)

    def changed(self, reason: str) -> int:
        """Announce new weights (reason: update, undo, reset or load); returns their version (0 after reset)."""
        from agent.protocols import WeightsChanged

        if reason == "reset":
            self.version = 0
        else:
            self._last_version += 1
            self.version = self._last_version
        event = WeightsChanged(self.version, reason)
        for listener in list(self._listeners):
            listener(event)
        return self.version

    def snapshot(self) -> None:
        """Remember the current adapter; call right BEFORE an update so undo() can revert it."""
        self._stack.append(self._copy())
        if len(self._stack) > self.max_depth:
            del self._stack[0]

    def undo(self) -> bool:
        """Restore the adapter as it was at the last snapshot; False when there is nothing to undo."""
        if not self._stack:
            return False
        self._restore(self._stack.pop())
        self.changed("undo")
        return True

    def reset(self) -> None:
        """Return to the freshly attached adapter (the model equals the base again) and forget history."""
        self._restore(self._initial)
        self._stack.clear()
        self.changed("reset")

    def save(self, path: str | Path) -> None:
        """Write the adapter (peft format) plus the base architecture it belongs to."""
        out = Path(path)
        self.model.save_pretrained(str(out))
        meta = {"architecture": architecture(self.model), "settings": self._live_settings()}
        (out / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n")

    def load(self, path: str | Path) -> None:
        """Load adapter weights saved by save() into this model; refuses an adapter of another shape.

        The undo history is cleared; reset() still returns to the fresh adapter.
        """
        from peft.utils import set_peft_model_state_dict
        from safetensors.torch import load_file

        source = Path(path)
        weights = source / "adapter_model.safetensors"
        if not weights.is_file():
            raise FileNotFoundError(f"no adapter at {source} (adapter_model.safetensors missing): pass a "
                                    f"directory written by save()")
        saved = self._saved_settings(source)
        live = self._live_settings()
        for key in ("rank", "alpha", "target_modules"):
            if saved[key] != live[key]:
                raise ValueError(f"adapter at {source} has {key}={saved[key]} but this policy's LoRA has "
                                 f"{key}={live[key]}: create the policy with LoraSettings({key}={saved[key]!r})")
        meta_file = source / METADATA_FILE
        if meta_file.is_file():
            theirs = json.loads(meta_file.read_text())["architecture"]
            ours = architecture(self.model)
            diff = {k: (theirs.get(k), ours[k]) for k in ours if theirs.get(k) != ours[k]}
            if diff:
                raise ValueError(f"adapter at {source} was trained on a different base model (saved vs this "
                                 f"model: {diff}): load it into the base model it was trained on")
        state = load_file(str(weights))
        self._check_shapes(state, source)
        set_peft_model_state_dict(self.model, state)
        self._stack.clear()
        self.changed("load")

    def _copy(self) -> dict:
        return {name: p.detach().to("cpu", copy=True) for name, p in self._params.items()}

    def _restore(self, saved: dict) -> None:
        import torch

        with torch.no_grad():
            for name, p in self._params.items():
                p.copy_(saved[name])

    def _live_settings(self) -> dict:
        config = self.model.peft_config[self.model.active_adapter]
        return {"rank": config.r, "alpha": config.lora_alpha, "target_modules": sorted(config.target_modules)}

    def _saved_settings(self, source: Path) -> dict:
        config_file = source / "adapter_config.json"
        if not config_file.is_file():
            raise FileNotFoundError(f"no adapter_config.json in {source}: pass a directory written by save()")
        config = json.loads(config_file.read_text())
        return {"rank": config.get("r"), "alpha": config.get("lora_alpha"),
                "target_modules": sorted(config.get("target_modules") or [])}

    def _check_shapes(self, state: dict, source: Path) -> None:
        from peft.utils import get_peft_model_state_dict

        expected = get_peft_model_state_dict(self.model)
        if set(state) != set(expected):
            missing = sorted(set(expected) - set(state))[:3]
            extra = sorted(set(state) - set(expected))[:3]
            raise ValueError(f"adapter at {source} does not fit this model (missing {missing}, unexpected "
                             f"{extra}): load it into the base model it was trained on")
        for name, tensor in state.items():
            if tuple(tensor.shape) != tuple(expected[name].shape):
                raise ValueError(f"adapter at {source}: {name} has shape {tuple(tensor.shape)}, this model "
                                 f"expects {tuple(expected[name].shape)}: load it into the base model it was "
                                 f"trained on")
