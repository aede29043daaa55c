"""Adversarial tests of the runner's limits: output floods, escaping child processes, memory, and the local
backend's process boundary (environment, working directory, file size, a runner that refuses its job)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from sandbox.config import SandboxConfig
from sandbox.factory import open_sandbox
from sandbox.jobs import RUNNER_PATH
from sandbox.result import GradeResult
from tasks.model import Task
from tasks.model import TestCase as Case  # aliased so pytest does not try to collect it


def grade(backend: str, code: str, cases: list[tuple[str, str]], *, kind: str = "stdin", func_name: str | None = None,
          **config) -> GradeResult:
    tests = tuple(Case(i, o, kind) for i, o in cases)
    task = Task(id="t", title="t", statement="", kind=kind, public_tests=tests, hidden_tests=(), func_name=func_name)
    with open_sandbox(SandboxConfig(backend=backend, **config)) as sandbox:
        return sandbox.grade(code, task, tests)


def is_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until_gone(pids: list[int], seconds: float = 3.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(is_alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if is_alive(p)]


BACKENDS = ["inprocess", "local"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_endless_printer_is_cut_off_and_times_out(backend):
    result = grade(backend, "while True:\n    print('x' * 1000)", [("", "x")], timeout=0.5, output_limit=1 << 20)
    test = result.tests[0]
    assert result.verdict == "time_limit"
    assert test.truncated
    assert len(test.actual) <= 2000  # the field limit, not the megabyte that was kept


@pytest.mark.parametrize("backend", BACKENDS)
def test_output_over_the_limit_cannot_pass(backend):
    # The expected answer is exactly what is printed, but the output limit cuts it, so the test fails.
    result = grade(backend, "print('y' * 300000)", [("", "y" * 300000)], output_limit=100000)
    assert result.verdict == "wrong_answer"
    assert result.tests[0].truncated


FORK_AND_SPIN = """
import os, time
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    print(pid, flush=True)
while True:
    pass
"""

FORK_AND_LEAVE = """
import os, time
pid = os.fork()
if pid == 0:
    time.sleep(60)
    os._exit(0)
print(pid)
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_time_out_kills_the_forked_grandchildren(backend):
    result = grade(backend, FORK_AND_SPIN, [("", "x")], timeout=1.0)
    assert result.verdict == "time_limit"
    pids = [int(p) for p in result.tests[0].actual.split()]
    assert len(pids) == 3
    assert wait_until_gone(pids) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_finished_test_leaves_no_process_behind(backend):
    result = grade(backend, FORK_AND_LEAVE, [("", "x")], timeout=2.0)
    assert result.verdict == "wrong_answer"  # the program finished; only its output was wrong
    pids = [int(p) for p in result.tests[0].actual.split()]
    assert len(pids) == 1
    assert wait_until_gone(pids) == []


@pytest.mark.parametrize("code", [
    "x = bytearray(512 * 2**20)",
    "chunks = []\nwhile True:\n    chunks.append('x' * 10**6)",
])
def test_memory_limit_is_a_runtime_error_in_the_local_backend(code):
    result = grade("local", code, [("", "")], memory_mb=128)
    assert result.verdict == "runtime_error"
    assert result.tests[0].error == "MemoryError: the program ran out of memory (limit 128 MB)"


def test_local_backend_hides_the_host_environment(monkeypatch):
    monkeypatch.setenv("AUTODIDACT_TEST_SECRET", "hunter2")
    code = "import os\nprint(os.environ.get('AUTODIDACT_TEST_SECRET'), os.listdir('.'))"
    result = grade("local", code, [("", "None []")])
    assert result.verdict == "pass", result


def test_local_backend_limits_file_size():
    code = "with open('big.bin', 'wb') as f:\n    f.write(b'0' * (8 * 2**20))"
    result = grade("local", code, [("", "")], scratch_mb=1)
    assert result.verdict == "runtime_error"
    assert result.tests[0].error.startswith("OSError: [Errno 27] File too large")


def test_local_backend_reports_a_refused_job_as_infra_error():
    # The expected value is not JSON, so the runner refuses the job (twice: it is retried once).
    result = grade("local", "def f(x):\n    return x", [("1", "not json")], kind="functional", func_name="f")
    assert result.verdict == "infra_error"
    assert "bad job" in result.message and "not JSON" in result.message


def test_runner_writes_only_the_result_on_stdout():
    code = "import os, sys\nprint('to stdout')\nos.write(1, b'raw fd 1')\nprint('to stderr', file=sys.stderr)\n" \
           "sys.stdout.buffer.write(b'bytes')"
    job = {"code": code, "kind": "stdin", "tests": [{"input": "", "output": ""}] * 2, "timeout": 2.0}
    proc = subprocess.run([sys.executable, "-I", "-S", str(RUNNER_PATH), "grade"], input=json.dumps(job).encode(),
                          capture_output=True, timeout=30)
    assert proc.returncode == 0
    result = json.loads(proc.stdout)  # one JSON document and nothing else
    assert [t["verdict"] for t in result["tests"]] == ["wrong_answer"]
    actual = result["tests"][0]["actual"]
    # Interleaving follows CPython's buffering (print is buffered, os.write is not), so check the pieces.
    assert sorted(actual.replace("\n", "")) == sorted("to stdoutraw fd 1bytes")
    assert proc.stderr == b""


def test_runner_rejects_a_malformed_job_with_an_exit_status():
    proc = subprocess.run([sys.executable, "-I", "-S", str(RUNNER_PATH), "grade"], input=b'{"kind": "stdin"}',
                          capture_output=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert b"make_job" in proc.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_debug_prints_of_a_functional_solution_do_not_count(backend):
    code = "def f(x):\n    print('debug ' * 100000)\n    return x + 1"
    result = grade(backend, code, [("1", "2")], kind="functional", func_name="f", output_limit=1000)
    assert result.verdict == "pass", result
    assert not result.tests[0].truncated


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_oversized_returned_value_is_truncated_and_fails(backend):
    code = "def f(n):\n    return [7] * n"
    result = grade(backend, code, [("100000", json.dumps([7] * 100000))], kind="functional", func_name="f",
                   output_limit=10000)
    assert result.verdict == "wrong_answer"
    assert result.tests[0].truncated
