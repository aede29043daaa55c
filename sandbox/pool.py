"""Warm sandbox containers: the connection to the engine, starting locked-down containers, reusing them
across grades, replacing dead or tainted ones, and removing them (on close, at exit, and, on the next
start, those left behind by a process that crashed).

Every container carries the project label and an owner label naming the process that started it
(host, pid and the pid's start time), so a new process removes only containers whose owner is gone and
two autodidact processes sharing an engine never remove each other's containers.
"""

from __future__ import annotations

import atexit
import os
import queue
import socket
import threading
from contextlib import contextmanager
from typing import Iterator

from sandbox.config import LABEL, SandboxConfig

OWNER_LABEL = LABEL + ".owner"
RUNNER = "/opt/autodidact/runner.py"
INIT_COMMAND = ["python3", "-I", "-S", RUNNER, "init"]
SANDBOX_USER = "sandbox"
ENGINE_FIX = "start it with scripts/ensure_docker.sh, or pass --sandbox local"


class SandboxUnavailable(RuntimeError):
    """The engine or the image cannot be used. The message ends with the fix."""


def connect(timeout: float = 60.0):
    """A Docker client that has answered a ping."""
    try:
        import docker
    except ImportError as e:
        raise SandboxUnavailable("the docker package is missing: pip install 'docker>=7'") from e
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except Exception as e:  # the SDK raises DockerException or a requests error, depending on the failure
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise SandboxUnavailable(f"Docker is not running ({first[:200]}): {ENGINE_FIX}") from e
    return client


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot), which tells a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The command name may hold spaces or parentheses: fields are counted after its closing ')'.
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_tag(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or '?'}"


def owner_alive(tag: str) -> bool:
    """Whether the process named by an owner label still runs. Unknown hosts count as alive."""
    try:
        host, pid_text, started = tag.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return started == "?" or _start_time(pid) in (None, started)


def project_containers(client) -> list:
    return client.containers.list(all=True, filters={"label": LABEL})


def remove_orphans(client, *, everything: bool = False) -> tuple[int, int]:
    """Remove the project's containers whose owner process is gone (all of them with `everything`).
    Returns (removed, kept)."""
    import docker.errors

    removed = kept = 0
    for container in project_containers(client):
        if not everything and owner_alive(container.labels.get(OWNER_LABEL, "")):
            kept += 1
            continue
        try:
            container.remove(force=True)
            removed += 1
        except docker.errors.NotFound:
            pass
    return removed, kept


def start_container(client, config: SandboxConfig):
    """Start one locked-down container running the runner's init as PID 1."""
    import docker.errors
    from docker.types import LogConfig, Ulimit

    try:
        return client.containers.run(
            config.image,
            command=INIT_COMMAND,
            detach=True,
            labels={LABEL: "1", OWNER_LABEL: owner_tag()},
            network_mode="none",
            mem_limit=f"{config.memory_mb}m",
            memswap_limit=f"{config.memory_mb}m",  # equal to mem_limit: no swap to spill into
            pids_limit=config.pids_limit,
            nano_cpus=int(config.cpus * 1e9),
            read_only=True,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={config.scratch_mb}m,mode=1777"},
            user=SANDBOX_USER,
            working_dir="/tmp",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            environment={},
            ipc_mode="private",
            shm_size=f"{config.scratch_mb}m",
            ulimits=[Ulimit(name="core", soft=0, hard=0), Ulimit(name="nofile", soft=1024, hard=1024)],
            log_config=LogConfig(type=LogConfig.types.NONE),
        )
    except docker.errors.ImageNotFound as e:
        raise SandboxUnavailable(f"the sandbox image {config.image} is missing: run `autodidact sandbox build`") from e
    except docker.errors.APIError as e:
        raise SandboxUnavailable(f"cannot start a sandbox container: {e.explanation or e}; check `docker info` "
                                 "and run `autodidact sandbox check`") from e


def remove_quietly(container) -> None:
    try:
        container.remove(force=True)
    except Exception:  # already gone, or the engine is down: nothing left to clean either way
        pass


class ContainerPool:
    """Up to `config.workers` warm containers; `lease()` hands one out for a single grade."""

    def __init__(self, client, config: SandboxConfig) -> None:
        self.client = client
        self.config = config
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._live: dict[str, object] = {}
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(config.workers)
        self._closed = False
        remove_orphans(client)
        atexit.register(self.close)

    def container_ids(self) -> list[str]:
        """Ids of the containers this pool holds now."""
        with self._lock:
            return list(self._live)

    def warm(self) -> None:
        """Start every container now rather than on first use."""
        while True:
            with self._lock:
                if len(self._live) >= self.config.workers:
                    return
            self._idle.put(self._start())

    def _start(self):
        container = start_container(self.client, self.config)
        with self._lock:
            if not self._closed:
                self._live[container.id] = container
                return container
        # Closed while this container was starting (Ctrl-C in another thread): it must not outlive the pool.
        remove_quietly(container)
        raise SandboxUnavailable("the sandbox was closed: open a new one")

    @contextmanager
    def lease(self) -> Iterator[object]:
        """A container for one grade. The caller marks it unusable with `discard`; on any exception
        (Ctrl-C included) the container is removed, since its state is unknown."""
        if self._closed:
            raise SandboxUnavailable("the sandbox was closed: open a new one")
        self._slots.acquire()
        container = None
        try:
            try:
                container = self._idle.get_nowait()
            except queue.Empty:
                container = self._start()
            yield container
        except BaseException:
            if container is not None:
                self.discard(container)
                container = None
            raise
        finally:
            if container is not None and container.id in self._live and not self._closed:
                self._idle.put(container)
            self._slots.release()

    def discard(self, container) -> None:
        """Remove a dead or tainted container; the next lease starts a fresh one."""
        with self._lock:
            self._live.pop(container.id, None)
        remove_quietly(container)

    def close(self) -> None:
        """Remove every container of this pool. Safe to call twice and from atexit."""
        self._closed = True
        with self._lock:
            containers = list(self._live.values())
            self._live.clear()
        for container in containers:
            remove_quietly(container)
        atexit.unregister(self.close)
