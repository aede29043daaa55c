"""The Docker grading backend: each grade runs the stdlib-only runner inside a warm, locked-down container.

A grade execs `python3-grader -I -S /opt/autodidact/runner.py grade --kill-strays` (python3-grader is the
image's execute-only copy of python3, see the Dockerfile) in a container from the pool, writes one JSON job
to its stdin and reads one JSON result from its stdout. After every grade a second exec kills anything left
of the sandbox user and empties its scratch space; a container that cannot be made clean is replaced.
A sandbox failure (engine down, container died, runner crashed or wrote garbage) is retried once on a fresh
container and then reported as the verdict infra_error, whose message ends with the fix.

Threat model. The graded code is untrusted and may be hostile. Covered, each with an adversarial test in
tests/test_isolation.py:
- network: the container has no network at all (network_mode none), not even the host's loopback;
- memory: memory limit with no swap (config.memory_mb); the kernel kills the program, not the host;
- processes: pids limit (config.pids_limit) stops fork bombs;
- CPU: a CPU quota (config.cpus) per container, and per-test time limits enforced by the runner, with a
  host-side cap on the whole grade (config.overall_cap) behind them;
- filesystem: the root filesystem is read-only; the only writable places are size-limited tmpfs mounts
  (/tmp, /dev/shm), emptied after every grade together with message queues and System V IPC objects, so
  one grade leaves nothing for the next; nothing of the host is mounted;
- host environment, files and processes: the container gets an empty environment and its own pid, ipc,
  mount and uts namespaces; the host's files, variables and processes are not visible;
- privilege escalation: a non-root user, every capability dropped, no-new-privileges, no setuid bits in the
  image (so no chown, mount, raw sockets or setuid tricks);
- forged results: the runner runs non-dumpable, so the graded code (same user) cannot ptrace it or write
  to its stdout through /proc; a program that kills or stops the runner gets runtime_error or time_limit,
  since a result counts only when the runner exited 0 and wrote exactly one JSON document;
- orphaned processes: the runner kills every other process of its user after answering, and the clean-up
  exec checks that none is left before the container grades again;
- output flood: the runner keeps at most config.output_limit bytes per test, and the host stops reading a
  runner that writes more than STDOUT_CAP.
Not covered: kernel exploits and container escapes (the kernel is shared; use gVisor or a VM for that),
side channels (timing, caches), CPU-time fairness beyond the CPU quota, disk I/O and memory bandwidth
(a program can slow the host and other graders down), and the engine's own availability. Within one grade
the tests share a container, so a test may leave files in /tmp for a later test of the same grade.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from sandbox.config import SandboxConfig
from sandbox.pool import (ENGINE_FIX, RUNNER, SANDBOX_USER, ContainerPool, SandboxUnavailable, connect)
from sandbox.result import GradeResult
from tasks.model import Task, TestCase

GRADE_COMMAND = ["python3-grader", "-I", "-S", RUNNER, "grade", "--kill-strays"]
STDOUT_CAP = 64 * 1024 * 1024
"""Bytes of runner output read before the grade is abandoned; a sane result is far smaller."""
STDERR_CAP = 64 * 1024
CLEAN_TIMEOUT = 15.0

# Run as the sandbox user after every grade: kill whatever is left (PID 1, the init, is immune), empty
# every place a grade can leave data for the next one (the /tmp scratch, /dev/shm, POSIX message queues
# and System V IPC objects), and report what remains. Killed processes linger as zombies until the init
# reaps them, hence the loop. A program may have made its directories unreadable; their owner (this same
# user) can undo that before deleting.
CLEAN_SCRIPT = r"""
import json, os, shutil, signal, time
me = os.getpid()
def others():
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
deadline = time.monotonic() + 3
while others() and time.monotonic() < deadline:
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    time.sleep(0.01)
def wipe(path):
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
        for name in os.listdir(path):
            wipe(os.path.join(path, name))
        os.rmdir(path)
    else:
        os.unlink(path)
SCRATCH = [d for d in ("/tmp", "/dev/shm", "/dev/mqueue") if os.path.isdir(d)]
for folder in SCRATCH:
    for name in os.listdir(folder):
        try:
            wipe(os.path.join(folder, name))
        except Exception:
            pass  # reported below as a leftover, and the container is replaced
def ipc_objects():
    found = []
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                found += [(kind, int(line.split()[1])) for line in f.read().splitlines()[1:] if line.strip()]
        except OSError:
            pass
    return found
if ipc_objects():
    import ctypes
    libc = ctypes.CDLL(None)
    for kind, ident in ipc_objects():
        # IPC_RMID is 0 for all three; semctl takes a semaphore number before the command.
        if kind == "shm":
            libc.shmctl(ident, 0, None)
        elif kind == "msg":
            libc.msgctl(ident, 0, None)
        else:
            libc.semctl(ident, 0, 0)
files = [os.path.join(d, n) for d in SCRATCH for n in os.listdir(d)]
print(json.dumps({"procs": others(), "files": files, "ipc": ipc_objects()}))
"""
CLEAN_COMMAND = ["python3", "-I", "-S", "-c", CLEAN_SCRIPT]


@dataclass
class ExecOutcome:
    """What one exec of the runner produced."""

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    """None when the process had not finished when we stopped waiting."""
    timed_out: bool = False
    overflowed: bool = False
    """The runner wrote more than STDOUT_CAP bytes."""
    seconds: float = 0.0


@dataclass(frozen=True)
class GradeRequest:
    """One grade for `grade_many`; the fields are `DockerSandbox.grade`'s arguments."""

    code: str
    task: Task
    tests: Sequence[TestCase]
    timeout: float | None = None
    stop_on_failure: bool = True


class ContainerBroken(Exception):
    """The container or the engine failed during a grade; the grade is retried on a fresh container."""


def infra_error(message: str) -> GradeResult:
    return GradeResult(verdict="infra_error", message=message)


def exec_in(client, container, command: list[str], payload: bytes | None, cap: float) -> ExecOutcome:
    """Run `command` as the sandbox user, feeding `payload` on stdin; stop reading after `cap` seconds.

    Uses the engine's hijacked exec socket (multiplexed stdout/stderr frames), which measured a little
    faster than spawning `docker exec -i` and needs no docker CLI.
    """
    import docker.errors
    import requests

    started = time.monotonic()
    deadline = started + cap
    try:
        exec_id = client.api.exec_create(container.id, command, stdin=payload is not None, stdout=True,
                                         stderr=True, user=SANDBOX_USER, workdir="/tmp")["Id"]
        sock = client.api.exec_start(exec_id, socket=True)
    except (docker.errors.APIError, requests.RequestException) as e:
        raise ContainerBroken(f"cannot exec in container {container.short_id}: {e}") from e
    raw = getattr(sock, "_sock", sock)
    streams = {1: bytearray(), 2: bytearray()}
    buffer = bytearray()
    timed_out = overflowed = False
    try:
        if payload is not None:
            raw.settimeout(max(deadline - time.monotonic(), 0.01))
            raw.sendall(payload)
            raw.shutdown(socket.SHUT_WR)  # the runner reads its job until EOF
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            raw.settimeout(remaining)
            chunk = raw.recv(1 << 16)
            if not chunk:
                break
            buffer += chunk
            # Frames: 1 byte stream id, 3 bytes padding, 4 bytes big-endian length, then the data.
            while len(buffer) >= 8:
                kind, size = buffer[0], struct.unpack(">I", buffer[4:8])[0]
                if len(buffer) < 8 + size:
                    break
                target = streams.get(kind)
                if target is not None and len(target) < (STDOUT_CAP if kind == 1 else STDERR_CAP):
                    target += buffer[8:8 + size]
                del buffer[:8 + size]
            if len(streams[1]) >= STDOUT_CAP:
                overflowed = True
                break
    except socket.timeout:
        timed_out = True
    except OSError as e:
        raise ContainerBroken(f"the exec stream broke: {e}") from e
    finally:
        sock.close()
    exit_code = None
    if not (timed_out or overflowed):
        exit_code = _exit_code(client, exec_id)
    return ExecOutcome(bytes(streams[1]), bytes(streams[2]), exit_code, timed_out, overflowed,
                       time.monotonic() - started)


def _exit_code(client, exec_id: str) -> int | None:
    # The stream ends a moment before the engine records the exit.
    for _ in range(100):
        state = client.api.exec_inspect(exec_id)
        if not state.get("Running"):
            return state.get("ExitCode")
        time.sleep(0.005)
    return None


def clean(client, container) -> bool:
    """Kill leftovers and empty /tmp; True when the container is verified clean and may grade again."""
    try:
        outcome = exec_in(client, container, CLEAN_COMMAND, None, CLEAN_TIMEOUT)
        report = json.loads(outcome.stdout)
    except (ContainerBroken, ValueError):
        return False
    return outcome.exit_code == 0 and report == {"procs": [], "files": [], "ipc": []}


def check_image(client, image: str) -> None:
    """Fail early, with the fix, when the image is missing or older than the runner."""
    from sandbox.image import image_state

    try:
        state = image_state(client, image)
    except SandboxUnavailable:
        # No Dockerfile next to the package (an installed copy): the image cannot be checked for staleness.
        state = "ready" if client.images.list(name=image) else "missing"
    if state == "missing":
        raise SandboxUnavailable(f"the sandbox image {image} is missing: run `autodidact sandbox build`")
    if state == "stale":
        raise SandboxUnavailable(f"the sandbox image {image} was built from another version of the runner "
                                 "or Dockerfile: run `autodidact sandbox build`")


class DockerSandbox:
    """Grades in warm Docker containers (see the module docstring for what is isolated)."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.client = connect()
        check_image(self.client, self.config.image)
        self.pool = ContainerPool(self.client, self.config)

    def __enter__(self) -> "DockerSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.close()

    def grade(self, code: str, task: Task, tests: Sequence[TestCase], *, timeout: float | None = None,
              stop_on_failure: bool = True) -> GradeResult:
        from sandbox.jobs import make_job

        tests = list(tests)
        job = make_job(code, task, tests, self.config, stop_on_failure=stop_on_failure, timeout=timeout)
        payload = json.dumps(job).encode()
        config = self.config if timeout is None else dataclasses.replace(self.config, timeout=timeout)
        cap = config.overall_cap(len(tests))
        started = time.monotonic()
        result = self._grade_once(payload, tests, cap)
        if result.is_infra_error:
            result = self._grade_once(payload, tests, cap)
        result.seconds = time.monotonic() - started
        return result

    def grade_many(self, requests: Sequence[GradeRequest], workers: int | None = None) -> list[GradeResult]:
        """Grade several attempts in parallel on up to `workers` containers (default config.workers);
        results come back in the order of `requests`."""
        workers = workers or self.config.workers
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(self.grade, r.code, r.task, r.tests, timeout=r.timeout,
                                   stop_on_failure=r.stop_on_failure) for r in requests]
            try:
                return [f.result() for f in futures]
            except BaseException:
                # Ctrl-C: drop queued grades and remove the containers, which ends the running ones.
                for f in futures:
                    f.cancel()
                self.close()
                raise

    def _grade_once(self, payload: bytes, tests: list[TestCase], cap: float) -> GradeResult:
        import requests

        try:
            with self.pool.lease() as container:
                try:
                    outcome = exec_in(self.client, container, GRADE_COMMAND, payload, cap)
                except ContainerBroken as e:
                    self.pool.discard(container)
                    return infra_error(self._explain(e))
                # Cleaning also tells a live container from a dead one: the engine may still call a
                # container "running" for a moment after it was killed, but nothing can exec in it.
                healthy = clean(self.client, container)
                if not healthy:
                    self.pool.discard(container)
                return self._interpret(outcome, tests, cap, healthy)
        except SandboxUnavailable as e:
            return infra_error(str(e))
        except requests.ConnectionError as e:
            return infra_error(f"Docker is not running ({e}): {ENGINE_FIX}")

    def _explain(self, error: Exception) -> str:
        try:
            self.client.ping()
        except Exception:
            return f"Docker stopped answering during a grade ({error}): {ENGINE_FIX}"
        return f"the sandbox container failed ({error}); retry, or run `autodidact sandbox check`"

    def _interpret(self, outcome: ExecOutcome, tests: list[TestCase], cap: float, healthy: bool) -> GradeResult:
        from sandbox.jobs import parse_result

        stderr_tail = outcome.stderr.decode(errors="replace").strip()[-500:]
        if outcome.timed_out:
            if not healthy:
                return infra_error(f"the sandbox container died during the grade: {ENGINE_FIX}")
            # The runner times every test itself, so only a program that stopped or starved it, or an
            # overall_timeout below timeout * n_tests, gets here: the attempt was too slow, not the sandbox.
            return GradeResult(verdict="time_limit", message=(
                f"Time Limit Exceeded: the whole grade ran past its overall cap of {cap:.1f} s"))
        if outcome.overflowed:
            return infra_error(f"the runner wrote more than {STDOUT_CAP} bytes; the output limit "
                               "(config.output_limit) is not in force: rebuild with `autodidact sandbox build`")
        if outcome.exit_code != 0:
            if outcome.exit_code is not None and outcome.exit_code > 128 and healthy:
                # The runner died of a signal while its container lives: only the graded program, which
                # runs as the same user, can have sent it.
                return GradeResult(verdict="runtime_error", message=(
                    f"the program killed the grading runner (signal {outcome.exit_code - 128}); a solution "
                    "must not signal processes other than its own children"))
            return infra_error(f"the runner failed (exit code {outcome.exit_code}): {stderr_tail or 'no output'}"
                               "; rebuild the image with `autodidact sandbox build` and retry")
        try:
            raw = json.loads(outcome.stdout.decode())
        except ValueError as e:
            head = outcome.stdout[:200].decode(errors="replace")
            return infra_error(f"the runner's answer is not a result ({e}; starts {head!r}); rebuild the "
                               "image with `autodidact sandbox build` and retry")
        return parse_result(raw, tests)
