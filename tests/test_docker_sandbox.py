"""The Docker backend against the real engine and the real image: verdicts agree with the in-process backend,
containers are reused, replaced and removed, grading runs in parallel, and the sandbox commands work.

Docker-marked tests FAIL (not skip) when no engine answers, unless AUTODIDACT_SKIP_DOCKER=1 is set.
The `sandbox_image` fixture is shared with test_isolation.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from sandbox.config import LABEL, SandboxConfig
from tasks.model import Task, TestCase

pytestmark = pytest.mark.docker

REPO = Path(__file__).resolve().parent.parent
AUTODIDACT = [sys.executable, "-m", "agent"]


@pytest.fixture(scope="session")
def sandbox_image() -> str:
    """The sandbox image, built (or found up to date) once per session."""
    from sandbox.image import ensure_image
    from sandbox.pool import SandboxUnavailable

    try:
        return ensure_image(log=lambda line: None)
    except SandboxUnavailable as e:
        if os.environ.get("AUTODIDACT_SKIP_DOCKER") == "1":
            pytest.skip(f"AUTODIDACT_SKIP_DOCKER=1 and Docker is unusable: {e}")
        pytest.fail(f"{e}\n(set AUTODIDACT_SKIP_DOCKER=1 to skip the Docker tests)", pytrace=False)


@pytest.fixture(scope="module")
def docker_sandbox(sandbox_image):
    from sandbox.docker_backend import DockerSandbox

    with DockerSandbox(SandboxConfig(timeout=2.0)) as sandbox:
        yield sandbox


def stdin_task(tests: list[tuple[str, str]]) -> Task:
    return Task(id="add", title="add", statement="", kind="stdin", public_tests=(),
                hidden_tests=tuple(TestCase(i, o, "stdin") for i, o in tests))


ADD = stdin_task([("1 2\n", "3\n"), ("5 5\n", "10\n"), ("-4 4\n", "0\n")])
TWICE = Task(id="twice", title="twice", statement="", kind="functional", func_name="twice", public_tests=(),
             hidden_tests=(TestCase("3", "6", "functional"), TestCase("-1", "-2", "functional")))

PROGRAMS = {
    "stdin": (ADD, {
        "pass": "a, b = map(int, input().split())\nprint(a + b)",
        "wrong": "a, b = map(int, input().split())\nprint(a - b)",
        "timeout": "while True:\n    pass",
        "runtime": "print(1 // 0)",
        "compile": "print(",
    }),
    "functional": (TWICE, {
        "pass": "class Solution:\n    def twice(self, x):\n        return 2 * x",
        "wrong": "class Solution:\n    def twice(self, x):\n        return x",
        "timeout": "class Solution:\n    def twice(self, x):\n        while True:\n            pass",
        "runtime": "class Solution:\n    def twice(self, x):\n        return [][x]",
        "compile": "class Solution:\n    def twice(self, x)\n        return x",
    }),
}


def our_containers(client) -> list:
    from sandbox.pool import OWNER_LABEL, owner_tag

    return client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner_tag()}"})


@pytest.mark.parametrize("kind", sorted(PROGRAMS))
def test_verdicts_match_inprocess(docker_sandbox, kind):
    from sandbox.local import InProcessSandbox

    task, programs = PROGRAMS[kind]
    with InProcessSandbox(SandboxConfig(timeout=1.0)) as reference:
        for name, code in programs.items():
            want = reference.grade(code, task, task.hidden_tests, timeout=1.0)
            got = docker_sandbox.grade(code, task, task.hidden_tests, timeout=1.0)
            assert got.verdict == want.verdict, (name, got, want)
            assert [t.verdict for t in got.tests] == [t.verdict for t in want.tests], name
            assert [t.actual for t in got.tests] == [t.actual for t in want.tests], name


def test_warm_container_is_reused(docker_sandbox):
    docker_sandbox.grade(PROGRAMS["stdin"][1]["pass"], ADD, ADD.hidden_tests)
    first = docker_sandbox.pool.container_ids()
    for _ in range(3):
        assert docker_sandbox.grade(PROGRAMS["stdin"][1]["pass"], ADD, ADD.hidden_tests).passed
    assert docker_sandbox.pool.container_ids() == first and len(first) == 1
    assert [c.id for c in our_containers(docker_sandbox.client)] == first


def test_killed_container_is_replaced(docker_sandbox):
    code = PROGRAMS["stdin"][1]["pass"]
    assert docker_sandbox.grade(code, ADD, ADD.hidden_tests).passed
    (old,) = docker_sandbox.pool.container_ids()
    docker_sandbox.client.containers.get(old).kill()
    result = docker_sandbox.grade(code, ADD, ADD.hidden_tests)
    assert result.passed, result
    (new,) = docker_sandbox.pool.container_ids()
    assert new != old


def test_container_that_cannot_be_cleaned_is_replaced(docker_sandbox):
    code = PROGRAMS["stdin"][1]["pass"]
    assert docker_sandbox.grade(code, ADD, ADD.hidden_tests).passed
    (old,) = docker_sandbox.pool.container_ids()
    # A file the sandbox user may not delete (root's, in the sticky /tmp), put there from outside.
    container = docker_sandbox.client.containers.get(old)
    assert container.exec_run(["touch", "/tmp/owned-by-root"], user="root").exit_code == 0
    result = docker_sandbox.grade(code, ADD, ADD.hidden_tests)
    assert result.passed, result
    assert docker_sandbox.pool.container_ids() != [old]


def test_container_dying_mid_grade_is_retried_on_a_fresh_one(docker_sandbox):
    slow = "import time\ntime.sleep(1.5)\na, b = map(int, input().split())\nprint(a + b)"
    docker_sandbox.grade("print(3)", ADD, ADD.hidden_tests[:1])
    (old,) = docker_sandbox.pool.container_ids()
    killer = threading.Timer(0.7, lambda: docker_sandbox.client.containers.get(old).kill())
    killer.start()
    result = docker_sandbox.grade(slow, ADD, ADD.hidden_tests[:1])
    killer.join()
    assert result.passed, result
    assert docker_sandbox.pool.container_ids() != [old]


def test_parallel_grading_with_two_workers(sandbox_image):
    from sandbox.docker_backend import DockerSandbox, GradeRequest

    # Each grade records which container ran it (the hostname is the container id's prefix).
    code = "import socket, time\ntime.sleep(0.5)\nprint(socket.gethostname())"
    task = stdin_task([("", "unused")])
    with DockerSandbox(SandboxConfig(workers=2)) as sandbox:
        results = sandbox.grade_many([GradeRequest(code, task, task.hidden_tests) for _ in range(6)])
        ids = sandbox.pool.container_ids()
    hosts = {r.tests[0].actual.strip() for r in results}
    assert len(results) == 6 and all(r.verdict == "wrong_answer" for r in results)
    assert len(ids) == 2 and hosts == {i[:12] for i in ids}


def test_containers_removed_on_close(sandbox_image):
    from sandbox.docker_backend import DockerSandbox

    sandbox = DockerSandbox(SandboxConfig(workers=2))
    sandbox.pool.warm()
    ids = set(sandbox.pool.container_ids())
    assert len(ids) == 2 and ids <= {c.id for c in our_containers(sandbox.client)}
    sandbox.close()
    assert not ids & {c.id for c in our_containers(sandbox.client)}


def test_leftovers_of_a_dead_process_are_removed_but_not_a_live_ones(sandbox_image):
    from sandbox.docker_backend import DockerSandbox
    from sandbox.pool import connect

    # A process that warms a pool and dies without cleaning up (os._exit skips atexit), like a crash.
    crash = ("import os\nfrom sandbox.docker_backend import DockerSandbox\n"
             "s = DockerSandbox()\ns.pool.warm()\nprint(s.pool.container_ids()[0], flush=True)\nos._exit(1)")
    orphan = subprocess.run([sys.executable, "-c", crash], cwd=REPO, capture_output=True, text=True,
                            timeout=120).stdout.strip()
    client = connect()
    assert client.containers.get(orphan).labels[LABEL] == "1"
    # A container whose owner (this test process) is alive must survive another pool's start.
    with DockerSandbox() as mine:
        mine.pool.warm()
        (kept,) = mine.pool.container_ids()
        with DockerSandbox() as other:  # starting a pool removes orphans
            ids = {c.id for c in client.containers.list(all=True, filters={"label": LABEL})}
            assert orphan not in ids
            assert kept in ids
            assert other.pool.container_ids() == []
    assert kept not in {c.id for c in client.containers.list(all=True, filters={"label": LABEL})}


def test_ctrl_c_during_a_grade_removes_the_containers(sandbox_image):
    from sandbox.pool import OWNER_LABEL, connect, owner_tag

    script = textwrap.dedent("""
        from sandbox.config import SandboxConfig
        from sandbox.docker_backend import DockerSandbox
        from tasks.model import Task, TestCase
        task = Task(id="t", title="t", statement="", kind="stdin", public_tests=(),
                    hidden_tests=(TestCase("", "1", "stdin"),))
        with DockerSandbox(SandboxConfig(timeout=60)) as sandbox:
            sandbox.pool.warm()
            print("grading", flush=True)
            sandbox.grade("while True:\\n    pass", task, task.hidden_tests)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "grading"
        client = connect()
        owner = {"label": f"{OWNER_LABEL}={owner_tag(proc.pid)}"}
        assert len(client.containers.list(filters=owner)) == 1
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert "KeyboardInterrupt" in err
    assert client.containers.list(all=True, filters=owner) == []


def test_missing_image_says_how_to_build_it(sandbox_image):
    from sandbox.docker_backend import DockerSandbox
    from sandbox.pool import SandboxUnavailable

    with pytest.raises(SandboxUnavailable, match="autodidact sandbox build"):
        DockerSandbox(SandboxConfig(image="autodidact-sandbox:no-such-tag"))


def test_engine_down_says_how_to_start_it(monkeypatch):
    from sandbox.docker_backend import DockerSandbox
    from sandbox.pool import SandboxUnavailable

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    fix = r"Docker is not running .*: start it with scripts/ensure_docker.sh, or pass --sandbox local"
    with pytest.raises(SandboxUnavailable, match=fix):
        DockerSandbox(SandboxConfig())


def test_sandbox_check_command_passes(sandbox_image):
    done = subprocess.run(AUTODIDACT + ["sandbox", "check"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout and "no network" in done.stdout


def test_grade_command_json_and_exit_codes(sandbox_image, tmp_path):
    row = {
        "question_title": "Add", "question_content": "Print a + b.", "platform": "atcoder",
        "question_id": "tiny-add", "contest_id": "t", "contest_date": "2024-01-01T00:00:00",
        "starter_code": "", "difficulty": "easy", "metadata": "{}",
        "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
        "private_test_cases": json.dumps([{"input": "5 6\n", "output": "11\n", "testtype": "stdin"}]),
    }
    taskset = tmp_path / "tiny.jsonl"
    taskset.write_text(json.dumps(row) + "\n")
    right, wrong = tmp_path / "right.py", tmp_path / "wrong.py"
    right.write_text(PROGRAMS["stdin"][1]["pass"])
    wrong.write_text(PROGRAMS["stdin"][1]["wrong"])

    def grade(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(AUTODIDACT + ["grade", str(taskset), *args], cwd=REPO, capture_output=True,
                              text=True, timeout=120)

    done = grade("tiny-add", str(right), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "pass" and [t["verdict"] for t in result["tests"]] == ["pass", "pass"]
    done = grade("tiny-add", str(wrong), "--json", "--tests", "hidden")
    assert done.returncode == 1 and json.loads(done.stdout)["tests"][0]["input"] == "5 6\n"
    done = grade("no-such-id", str(right))
    assert done.returncode == 2 and "tiny-add" in done.stderr
