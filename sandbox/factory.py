"""Open the sandbox named by the config; the backend is a name in the config, not an if-chain at call sites."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.config import BACKENDS, SandboxConfig

if TYPE_CHECKING:
    from agent.protocols import Sandbox


def open_sandbox(config: SandboxConfig) -> "Sandbox":
    """A ready sandbox for config.backend; use it as a context manager so it is closed."""
    if config.backend == "docker":
        from sandbox.docker_backend import DockerSandbox  # imports the docker SDK only when chosen

        return DockerSandbox(config)
    elif config.backend == "local":
        from sandbox.local import LocalSandbox

        return LocalSandbox(config)
    elif config.backend == "inprocess":
        from sandbox.local import InProcessSandbox

        return InProcessSandbox(config)
    else:
        raise ValueError(f"sandbox backend {config.backend!r} is unknown; choose one of {', '.join(BACKENDS)}")
