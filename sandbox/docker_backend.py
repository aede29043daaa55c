"""The Docker grading backend: each grade runs the stdlib-only runner inside a warm, locked-down container.

A grade execs a short shell script in a container from the pool: it makes the container clean (kills any
process of the sandbox user but PID 1, empties the scratch space, and refuses to go on if anything survives,
in which case the container is replaced), then becomes `python3-grader -I -S /opt/autodidact/runner.py grade
--kill-strays` (python3-grader is the image's execute-only copy of python3, see the Dockerfile). The host
writes one JSON job to its stdin and reads one JSON result from its stdout. Cleaning at the start of the
next grade rather than in a second exec after each one saves a round trip to the engine per grade; after a
grade that went wrong (runner killed, time cap, garbage) the container is cleaned and checked at once.
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
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from sandbox.config import SandboxConfig
from sandbox.pool import (ENGINE_FIX, RUNNER, SANDBOX_USER, ContainerPool, SandboxUnavailable, connect)
from sandbox.result import GradeResult
from tasks.model import Task, TestCase

STDOUT_CAP = 64 * 1024 * 1024
"""Bytes of runner output read before the grade is abandoned; a sane result is far smaller."""
STDERR_CAP = 64 * 1024
CLEAN_TIMEOUT = 15.0
RUNNER_BUG = "this is a bug in sandbox/runner.py: report it with this message, or grade with --sandbox local"
DIRTY_EXIT = 75
"""Exit status of PREPARE when the container cannot be made clean; the container is then replaced."""

# Runs as the sandbox user at the start of every grade, in the same exec as the runner, so cleaning costs
# no extra round trip to the engine. It kills whatever an earlier grade left (kill -1 spares PID 1 and this
# shell) and waits until PID 1 has reaped it; empties every place a grade can leave data for the next one
# (the /tmp scratch, /dev/shm, POSIX message queues, System V IPC objects), first making directories a
# program locked with chmod 0 writable again; and refuses to grade, exiting DIRTY_EXIT, when anything
# survives. The common case (an empty container) runs no external command at all.
PREPARE = r"""
tries=0
while :; do
  left=
  for p in /proc/[0-9]*; do
    case $p in /proc/1|/proc/$$) ;; *) left=$p; break ;; esac
  done
  [ -z "$left" ] && break
  tries=$((tries + 1))
  if [ $tries -gt 300 ]; then echo "autodidact: process $left survives" >&2; exit 75; fi
  kill -9 -1 2>/dev/null
  sleep 0.01
done
dirty=
for d in /tmp /dev/shm /dev/mqueue; do
  [ -d $d ] || continue
  for f in $d/* $d/.[!.]* $d/..?*; do
    if [ -e "$f" ] || [ -L "$f" ]; then dirty="$dirty $d"; break; fi
  done
done
if [ -n "$dirty" ]; then
  find $dirty -mindepth 1 -type d -exec chmod 700 {} \; 2>/dev/null
  find $dirty -mindepth 1 -delete 2>/dev/null
  if [ -n "$(find $dirty -mindepth 1 -print -quit 2>/dev/null)" ]; then
    echo "autodidact: files survive in$dirty" >&2; exit 75
  fi
fi
for spec in shm:m msg:q sem:s; do
  f=/proc/sysvipc/${spec%:*}
  [ -r $f ] || continue
  { read -r _; while read -r _ id _; do ipcrm -${spec#*:} $id 2>/dev/null; done; } < $f
  { read -r _; if read -r _; then echo "autodidact: System V IPC objects survive" >&2; exit 75; fi; } < $f
done
"""
# python3-grader is the image's execute-only python3: see the Dockerfile for why.
GRADE_COMMAND = ["sh", "-c", PREPARE + f"exec python3-grader -I -S {RUNNER} grade --kill-strays\n"]
CLEAN_COMMAND = ["sh", "-c", PREPARE + "echo clean\n"]


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
        try:
            exit_code = _exit_code(client, exec_id)
        except (docker.errors.APIError, requests.RequestException) as e:
            raise ContainerBroken(f"cannot read the exit status of an exec: {e}") from e
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
    """Run PREPARE on its own; True when the container is verified clean and may grade again. Only needed
    after a grade that went wrong (a grade's own exec starts with PREPARE)."""
    try:
        outcome = exec_in(client, container, CLEAN_COMMAND, None, CLEAN_TIMEOUT)
    except ContainerBroken:
        return False
    return outcome.exit_code == 0 and outcome.stdout == b"clean\n"


def check_image(client, image: str) -> None:
    """Fail early, with the fix, when the image is missing; rebuild it (seconds) when the runner or the
    Dockerfile changed since it was built, so a grade never runs an old runner."""
    from sandbox.image import ensure_image, image_state

    try:
        state = image_state(client, image)
    except SandboxUnavailable:
        # No Dockerfile next to the package (an installed copy): the image cannot be checked for staleness.
        state = "ready" if client.images.list(name=image) else "missing"
    if state == "missing":
        raise SandboxUnavailable(f"the sandbox image {image} is missing: run `autodidact sandbox build`")
    if state == "stale":
        print(f"the sandbox image {image} is older than sandbox/runner.py or the Dockerfile; rebuilding it",
              file=sys.stderr)
        ensure_image(image, log=lambda line: print(line, file=sys.stderr))


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
        import docker.errors
        import requests

        try:
            with self.pool.lease() as container:
                try:
                    outcome = exec_in(self.client, container, GRADE_COMMAND, payload, cap)
                except ContainerBroken as e:
                    self.pool.discard(container)
                    return infra_error(self._explain(e))
                if outcome.exit_code == DIRTY_EXIT and not outcome.stdout:
                    self.pool.discard(container)
                    return infra_error(f"a sandbox container could not be cleaned "
                                       f"({outcome.stderr.decode(errors='replace').strip()}); it was replaced: retry")
                if outcome.exit_code == 0:
                    # The runner killed every stray; the next grade's PREPARE empties the scratch space.
                    return self._interpret(outcome, tests, cap, healthy=True)
                # Something went wrong: clean now, which also tells a live container from a dead one (the
                # engine may still call a killed container "running" for a moment, but nothing can exec in it).
                healthy = clean(self.client, container)
                if not healthy:
                    self.pool.discard(container)
                return self._interpret(outcome, tests, cap, healthy)
        except SandboxUnavailable as e:
            return infra_error(str(e))
        except requests.ConnectionError as e:
            return infra_error(f"Docker is not running ({e}): {ENGINE_FIX}")
        except docker.errors.DockerException as e:
            return infra_error(f"the Docker engine refused a request ({e}): run `autodidact sandbox check`")

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
            return infra_error(f"the runner wrote more than {STDOUT_CAP} bytes, so its output limit failed; "
                               f"{RUNNER_BUG}")
        if outcome.exit_code != 0:
            if outcome.exit_code is not None and outcome.exit_code > 128 and healthy:
                # The runner died of a signal while its container lives: only the graded program, which
                # runs as the same user, can have sent it.
                return GradeResult(verdict="runtime_error", message=(
                    f"the program killed the grading runner (signal {outcome.exit_code - 128}); a solution "
                    "must not signal processes other than its own children"))
            return infra_error(f"the runner failed (exit code {outcome.exit_code}): {stderr_tail or 'no output'}; "
                               f"{RUNNER_BUG}")
        try:
            raw = json.loads(outcome.stdout.decode())
        except ValueError as e:
            head = outcome.stdout[:200].decode(errors="replace")
            return infra_error(f"the runner's answer is not a result ({e}; starts {head!r}); {RUNNER_BUG}")
        return parse_result(raw, tests)
