"""Configuration of the grader, shared by every backend."""

from __future__ import annotations

from dataclasses import dataclass

BACKENDS: dict[str, str] = {
    "docker": "sandbox.docker_backend:DockerSandbox",
    "local": "sandbox.local:LocalSandbox",
    "inprocess": "sandbox.local:InProcessSandbox",
}
"""Backend names -> the class that implements each (module:Class); agent/registry.py lists them as its sandboxes.
A dotted path in their place names a backend outside the project."""
IMAGE_NAME = "autodidact-sandbox:latest"
LABEL = "io.autodidact.sandbox"
"""Every container the project starts carries this label, so it can be found and removed after a crash."""


@dataclass
class SandboxConfig:
    backend: str = "docker"
    """docker (isolated, default), local (subprocess with resource limits, NOT isolated), or inprocess
    (no isolation at all; for benchmarks only)."""
    timeout: float = 6.0
    """Per-test time limit in seconds (sub-second values allowed)."""
    overall_timeout: float | None = None
    """Cap on one whole grade in seconds; None means timeout * n_tests + 10."""
    memory_mb: int = 1024
    """Memory limit for the graded program."""
    pids_limit: int = 128
    """Most processes/threads the graded program may have at once."""
    cpus: float = 1.0
    """CPU share for each sandbox container."""
    output_limit: int = 8 * 1024 * 1024
    """Bytes of output kept per test; the rest is discarded and the test cannot pass."""
    field_limit: int = 2000
    """Characters of input/expected/actual kept in each TestResult."""
    workers: int = 1
    """Parallel graders (warm containers in the pool)."""
    image: str = IMAGE_NAME
    """Docker image that holds the runner."""
    scratch_mb: int = 64
    """Size of the writable tmpfs scratch directory (/tmp) in the container."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS and "." not in self.backend and ":" not in self.backend:
            raise ValueError(f"sandbox backend {self.backend!r} is unknown; choose one of {', '.join(BACKENDS)} "
                             "or give a dotted path such as package.module:Class")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.memory_mb < 64:
            raise ValueError(f"memory_mb must be >= 64, got {self.memory_mb}")

    def overall_cap(self, n_tests: int) -> float:
        return self.overall_timeout if self.overall_timeout is not None else self.timeout * max(n_tests, 1) + 10.0
