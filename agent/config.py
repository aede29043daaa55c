"""The configuration of a run or benchmark: one dataclass, loadable from a TOML/JSON file, overridable by flags,
and written next to every run's results so the run can be reproduced and resumed.

Everything is validated when it is read, before any work: every key of every table must be a field of its
settings class, every value must have the field's type (an int where a float is asked is fine, a bool is never
a number), and each settings class checks its own ranges. The error names the key and the value. `lora` and
`sdpo` stay tables of overrides (the learner's own defaults fill the rest, agent/learn/sdpo.py LEARNERS) but are
checked against LoraSettings and SDPOConfig all the same.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from agent import registry
from agent.protocols import SamplingConfig
from sandbox.config import SandboxConfig

VISIBLE_MODES = ("public", "hidden-half")
NO_LEARNING = "none"


@dataclass
class EngineConfig:
    """Which generation engine writes the attempts, and its own settings."""

    name: str = "hf"
    """A name from agent/registry.py (hf: Hugging Face generate on the learner's own model) or a dotted path."""
    options: dict = field(default_factory=dict)
    """The engine's settings (the fields of its Options dataclass), checked when the configuration is read."""

    def __post_init__(self) -> None:
        if not registry.is_known("engine", self.name):
            raise ValueError(f"engine {self.name!r} is unknown; choose one of {', '.join(registry.names('engine'))} "
                             "or give a dotted path")
        options = self.settings()
        check = getattr(registry.resolve("engine", self.name), "check", None)
        if check is not None:
            check(options)  # e.g. the engine's package is installed: refused now, not after the model loaded

    def settings(self):
        """The chosen engine's Options, validated."""
        engine = registry.resolve("engine", self.name)
        return build_settings(engine.Options, self.options, "engine.options")


@dataclass
class RunConfig:
    taskset: str = "starter"
    """A built-in set name (starter, bundled, humaneval) or a LiveCodeBench JSONL path / directory."""
    ids: list[str] | None = None
    """Only these task ids, in this order."""
    difficulty: list[str] | None = None
    """Only these difficulties (easy, medium, hard)."""
    limit: int | None = None
    """At most this many tasks (after the other filters)."""
    model: str = "smollm2-135m"
    """Hub id, local path, or the embedded default's short name."""
    device: str = "auto"
    """auto, cuda, mps or cpu."""
    dtype: str = "auto"
    """auto (bf16 on CUDA, fp32 elsewhere), bf16, fp16 or fp32."""
    budget: int = 8
    """Attempt budget K per problem (per seed): generations, not gradient steps."""
    batch: int = 1
    """Attempts B generated per episode, and so per update."""
    visible: str = "public"
    """Tests the model may see (feedback source): public, or hidden-half (a fixed random half of the hidden tests)."""
    engine: EngineConfig = field(default_factory=lambda: EngineConfig())
    """The generation engine that writes attempts (agent/registry.py)."""
    learn: str = "sdpo"
    """run: the learner (agent/registry.py): sdpo (update after each episode), sdpo-grpo (the same update blended
    with a GRPO-style term), or none (the same loop without updates)."""
    reset_per_problem: bool = False
    """run: start every problem from the base weights (the paper's test-time setting) instead of carrying the adapter over."""
    seed: int = 0
    """Base seed; each (seed, problem, episode) gets its own sampling seed."""
    seeds: int = 3
    """bench: seeds R per problem for the sequential methods (best-of-k draws K * R samples)."""
    methods: list[str] = field(default_factory=lambda: ["best-of-k", "multi-turn", "sdpo"])
    """bench: methods to compare."""
    remote_model: str | None = None
    """bench: a litellm model name for the non-learning methods instead of the local model."""
    api_base: str | None = None
    """bench: base URL of an OpenAI-compatible server for remote_model (vLLM, Ollama...)."""
    eval_taskset: str | None = None
    """run: a held-out task set measured before and after the session (transfer and forgetting)."""
    eval_samples: int = 8
    """run: samples per held-out task in the before/after measurement (pass@1 from them; 0 = one greedy attempt)."""
    sampling: SamplingConfig = field(
        default_factory=lambda: SamplingConfig(temperature=0.7, top_p=0.95, max_new_tokens=384))
    """Sampling of attempts. The paper samples at temperature 1.0 with an 8B model; the embedded 135M model writes
    mostly broken code at 1.0, so the default is 0.7 / top-p 0.95 (pass --temperature 1.0 for the paper's setting)."""
    lora: dict = field(default_factory=dict)
    """LoRA settings (agent/learn/lora.py LoraSettings fields: rank, alpha, dropout, target_modules)."""
    sdpo: dict = field(default_factory=dict)
    """SDPO settings (agent/learn/settings.py SDPOConfig fields: lr, k, alpha, teacher, ...)."""
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ValueError(f"budget K must be >= 1, got {self.budget}")
        if self.batch < 1:
            raise ValueError(f"batch B must be >= 1, got {self.batch}")
        if self.batch > self.budget:
            raise ValueError(f"batch B={self.batch} exceeds the budget K={self.budget}; use --batch <= --budget")
        if self.visible not in VISIBLE_MODES:
            raise ValueError(f"visible={self.visible!r} is unknown; choose one of {', '.join(VISIBLE_MODES)}")
        if self.learn != NO_LEARNING and not registry.is_known("learner", self.learn):
            raise ValueError(f"learn={self.learn!r} is unknown; choose one of "
                             f"{', '.join(learn_choices())} or give a dotted path")
        if self.eval_samples < 0:
            raise ValueError(f"eval_samples must be >= 0 (0: one greedy attempt per task), got {self.eval_samples}")
        if self.seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {self.seeds}")
        from agent.episode.methods import METHODS

        bad = [m for m in self.methods if m not in METHODS]
        if bad or not self.methods:
            raise ValueError(f"methods {bad or self.methods} not understood; choose from {', '.join(METHODS)}")
        # The nested tables are checked now, so a typo stops the command before it touches a disk, a model or
        # a sandbox.
        self.lora_settings()
        for learner in {self.learn, *self.methods} - {NO_LEARNING}:
            if registry.is_known("learner", learner):
                self.sdpo_config(learner)

    def lora_settings(self):
        from agent.learn.lora import LoraSettings

        return build_settings(LoraSettings, self.lora, "lora")

    def sdpo_config(self, learner: str = "sdpo"):
        """The learner's settings: its own defaults under this config's sdpo table (agent/registry.py)."""
        return registry.resolve("learner", learner).settings(self.sdpo)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "config") -> "RunConfig":
        data = dict(data)
        # Older run directories have eval_budget (greedy attempts, results without per-task counts): it is
        # dropped, so they resume; their old before-measurement gets no paired difference.
        data.pop("eval_budget", None)
        data = merge(cls().to_dict(), data, keep_none=True)  # a partial table keeps the defaults it omits
        nested = {"sampling": SamplingConfig, "sandbox": SandboxConfig, "engine": EngineConfig}
        for key, kind in nested.items():
            if key in data:
                data[key] = build_settings(kind, data[key], f"{where}.{key}")
        return build_settings(cls, data, where)


def learn_choices() -> tuple[str, ...]:
    """What `run --learn` takes: the registered learners, or none."""
    return (*registry.names("learner"), NO_LEARNING)


def build_settings(kind, values: dict, where: str):
    """kind(**values) after checking every key and the type of every value; errors name `where`.key."""
    if not isinstance(values, dict):
        raise ValueError(f"{where} must be a table of settings, got {type(values).__name__} {values!r}")
    hints = typing.get_type_hints(kind)
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(f'{k} = {values[k]!r}' for k in unknown)}; "
                         f"valid: {', '.join(sorted(names))}")
    for key, value in values.items():
        if not dataclasses.is_dataclass(hints[key]) and not _has_type(value, hints[key]):
            raise ValueError(f"{where}.{key} = {value!r}: expected {_type_name(hints[key])}")
    try:
        return kind(**values)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: {e}") from None


def _has_type(value, hint) -> bool:
    """Whether a value read from flags, TOML or JSON fits a field's annotation (the few shapes settings use)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_has_type(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is typing.Any:
        return True
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple):
        item = args[0] if args else typing.Any
        return isinstance(value, (list, tuple)) and all(_has_type(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    return isinstance(value, hint) if isinstance(hint, type) else True


def _type_name(hint) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", type(None): "none"}
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(hint))
    if typing.get_origin(hint) in (list, tuple):
        return "a list"
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def load_config_file(path: str) -> dict:
    """Read a TOML or JSON config file into a dict (validated later by RunConfig.from_dict)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"config file {path} does not exist")
    text = p.read_text()
    try:
        return tomllib.loads(text) if p.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"config file {path} is not valid {'TOML' if p.suffix == '.toml' else 'JSON'}: {e}") from e


def merge(base: dict, overrides: dict, *, keep_none: bool = False) -> dict:
    """Nested dict merge: overrides win. None in overrides means 'not given' (flags) unless keep_none, for
    settings read from a file or a saved config, where null is a value (token_clip = null turns clipping off)."""
    out = dict(base)
    for key, value in overrides.items():
        if value is None and not keep_none:
            continue
        if isinstance(value, dict):
            out[key] = merge(out.get(key) if isinstance(out.get(key), dict) else {}, value, keep_none=keep_none)
        else:
            out[key] = value
    return out
