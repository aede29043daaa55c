"""Grading without Docker: the runner in a subprocess on this machine (local), or in this process (inprocess).

Neither is isolated. Graded code runs as your user and can read and write your files and reach the network;
the local backend only bounds it with resource limits (time, address space, file size, process count when
not root), a scrubbed environment and a fresh temporary working directory. Use them for code you trust, for
tests and for benchmarks; use the docker backend for model-written code.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from typing import Sequence

from sandbox import runner
from sandbox.config import SandboxConfig
from sandbox.jobs import RUNNER_PATH, infra_error, make_job, parse_result
from sandbox.result import GradeResult
from tasks.model import Task, TestCase

log = logging.getLogger(__name__)
_warned: set[str] = set()

FILE_SIZE_SLACK = 1 << 20
"""Bytes allowed beyond the scratch size, so the runner can still put the test input in its stdin file."""


def _warn_not_isolated(backend: str) -> None:
    if backend not in _warned:
        _warned.add(backend)
        log.warning("sandbox backend %r is NOT isolated: graded code runs as your user with your files and "
                    "network; use --sandbox docker for model-written code", backend)


class LocalSandbox:
    """Runs `python3 -I -S runner.py grade` in a resource-limited subprocess per grade."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        _warn_not_isolated("local")

    def grade(
        self, code: str, task: Task, tests: Sequence[TestCase], *, timeout: float | None = None,
        stop_on_failure: bool = True,
    ) -> GradeResult:
        job = make_job(code, task, tests, self.config, stop_on_failure=stop_on_failure, timeout=timeout)
        if self.config.overall_timeout is not None:
            cap = self.config.overall_timeout
        else:
            cap = job["timeout"] * max(len(tests), 1) + 10.0
        payload = json.dumps(job).encode("utf-8")
        file_limit = self.config.scratch_mb * 2**20 + max((len(t.input.encode()) for t in tests), default=0)
        failure = ""
        for _ in range(2):  # a crashed runner is retried once; a second crash is the sandbox's failure
            raw, failure, hung = self._run_runner(payload, cap, file_limit + FILE_SIZE_SLACK)
            if raw is not None:
                return parse_result(raw, tests)
            if hung:
                break  # a runner that outlived its cap would only hang again
        return infra_error(failure)

    def _run_runner(self, payload: bytes, cap: float, file_limit: int) -> tuple[dict | None, str, bool]:
        """Run the runner once: (result dict or None, what went wrong, whether it hit the cap)."""
        with tempfile.TemporaryDirectory(prefix="autodidact-grade-") as workdir:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(RUNNER_PATH), "grade"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
                env=_clean_env(workdir), start_new_session=True, close_fds=True,
            )
            # Limits go on with prlimit rather than preexec_fn (unsafe in a threaded host such as torch); the
            # runner blocks reading its job until communicate() below, so nothing runs before they apply.
            try:
                _apply_limits(proc.pid, file_limit, self.config.pids_limit)
            except OSError as e:
                _kill_group(proc)
                proc.communicate()
                return None, f"could not set resource limits on the runner ({e}); use --sandbox docker", False
            try:
                out, err = proc.communicate(payload, timeout=cap)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.communicate()
                hung = f"the runner did not finish within {cap:g} s; raise overall_timeout or report a runner bug"
                return None, hung, True
            finally:
                _kill_group(proc)
        stderr = err.decode("utf-8", errors="replace").strip()[-2000:]
        if proc.returncode != 0:
            return None, f"the runner failed with exit status {proc.returncode}: {stderr or 'no message'}", False
        try:
            return json.loads(out.decode("utf-8")), "", False
        except ValueError as e:
            return None, f"the runner wrote something other than one JSON result ({e}): {stderr}", False

    def close(self) -> None:
        pass  # nothing outlives a grade

    def __enter__(self) -> "LocalSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class InProcessSandbox:
    """Calls runner.grade_job in this process; each test still runs in a forked child. For benchmarks."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        _warn_not_isolated("inprocess")

    def grade(
        self, code: str, task: Task, tests: Sequence[TestCase], *, timeout: float | None = None,
        stop_on_failure: bool = True,
    ) -> GradeResult:
        job = make_job(code, task, tests, self.config, stop_on_failure=stop_on_failure, timeout=timeout)
        # The forked test children inherit this process's address space, which in the agent (torch loaded)
        # is far above any sensible limit, so an address-space limit would fail every test.
        job["memory_limit"] = None
        try:
            raw = runner.grade_job(job)
        except runner.JobError as e:
            return infra_error(f"the runner refused the job: {e}")
        except OSError as e:
            return infra_error(f"the runner could not start a test process ({e}); free some processes or memory")
        return parse_result(raw, tests)

    def close(self) -> None:
        pass

    def __enter__(self) -> "InProcessSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _clean_env(workdir: str) -> dict[str, str]:
    # Nothing from the host environment (tokens, proxies, paths) reaches the graded code.
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"}


def _apply_limits(pid: int, file_limit: int, pids_limit: int) -> None:
    import resource

    resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (file_limit, file_limit))
    # The address-space limit is set by the runner on each test child (job["memory_limit"]); the runner itself
    # is trusted and needs room for captured output.
    if os.geteuid() != 0:
        # RLIMIT_NPROC counts every task of the uid, not just ours, so the cap is what exists now plus the
        # allowance. The kernel ignores it for root, hence the check.
        cap = _tasks_of_uid(os.geteuid()) + pids_limit
        resource.prlimit(pid, resource.RLIMIT_NPROC, (cap, cap))


def _tasks_of_uid(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                pass  # the process ended while we looked
    return count


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
