"""Open the sandbox named by the config; the backend is a name in the config, not an if-chain at call sites."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sandbox.config import BACKENDS, SandboxConfig

if TYPE_CHECKING:
    from sandbox.protocol import Sandbox


def open_sandbox(config: SandboxConfig) -> "Sandbox":
    """A ready sandbox for config.backend (a name of BACKENDS or a dotted path); use it as a context manager.

    Only the chosen backend's module is imported (the Docker SDK loads only for docker).
    """
    target = BACKENDS.get(config.backend, config.backend)
    module_name, _, name = target.partition(":") if ":" in target else target.rpartition(".")
    try:
        backend = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"sandbox backend {config.backend!r}: cannot load {target} ({e})") from e
    return backend(config)
