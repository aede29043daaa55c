"""One adversarial test per property of the Docker sandbox's threat model (sandbox/docker_backend.py).

Each hostile program runs through the real grading path. Where a program reports what it managed to do, the
test's expected output is the answer of a sandbox that held: the program only passes when the attack
failed. After each attack the same warm container must still grade a plain program correctly.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from sandbox.config import SandboxConfig
from tasks.model import Task, TestCase
from test_docker_sandbox import sandbox_image  # noqa: F401  (the session fixture that builds the image)

pytestmark = pytest.mark.docker

MEMORY_MB = 256
SECRET = f"autodidact-secret-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def sandbox(sandbox_image):  # noqa: F811
    from sandbox.docker_backend import DockerSandbox

    # Set before the container starts: if the host environment leaked in, this is what would show.
    os.environ["AUTODIDACT_TEST_SECRET"] = SECRET
    try:
        with DockerSandbox(SandboxConfig(timeout=2.0, memory_mb=MEMORY_MB)) as box:
            yield box
    finally:
        del os.environ["AUTODIDACT_TEST_SECRET"]


def task(expected: str, stdin: str = "") -> Task:
    return Task(id="attack", title="attack", statement="", kind="stdin", public_tests=(),
                hidden_tests=(TestCase(stdin, expected, "stdin"),))


def grade(sandbox, code: str, expected: str = "held", stdin: str = "", timeout: float | None = None):
    t = task(expected, stdin)
    return sandbox.grade(code, t, t.hidden_tests, timeout=timeout)


def still_grades(sandbox, container_ids: list[str] | None = None) -> None:
    """The sandbox grades a plain program correctly afterwards (on the same container when ids are given)."""
    result = grade(sandbox, "print(int(input()) * 2)", expected="42", stdin="21\n")
    assert result.passed, result
    if container_ids is not None:
        assert sandbox.pool.container_ids() == container_ids


def test_fork_bomb_is_contained(sandbox):
    bounded = (
        "import os, time\nn = 0\ntry:\n    while n < 5000:\n        if os.fork() == 0:\n"
        "            time.sleep(60)\n            os._exit(0)\n        n += 1\nexcept OSError:\n    pass\n"
        "print('held' if n < 128 else f'forked {n} processes')"
    )
    result = grade(sandbox, bounded)
    assert result.passed, result
    ids = sandbox.pool.container_ids()
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    result = grade(sandbox, bomb)
    assert result.verdict in ("time_limit", "runtime_error"), result
    still_grades(sandbox, ids)


def test_memory_bomb_is_contained(sandbox):
    one_process = "a = bytearray(2 * 1024 ** 3)\nprint('held')"
    result = grade(sandbox, one_process)
    assert result.verdict == "runtime_error" and "MemoryError" in result.tests[0].error, result
    # Several processes, each under the per-process limit, together above the container's memory limit:
    # the kernel's OOM killer must end one of them.
    many = (
        "import os, time\nkids = []\nfor _ in range(3):\n    pid = os.fork()\n    if pid == 0:\n"
        f"        block = b'x' * ({MEMORY_MB} * 2 ** 20 // 2)\n        time.sleep(2)\n        os._exit(0)\n"
        "    kids.append(pid)\n"
        "killed = [os.waitpid(p, 0)[1] & 0x7F == 9 for p in kids]\n"
        "print('held' if any(killed) else 'all children got their memory')"
    )
    result = grade(sandbox, many, timeout=10.0)
    assert result.passed, result
    still_grades(sandbox)


def test_time_is_bounded(sandbox):
    from sandbox.docker_backend import DockerSandbox

    result = grade(sandbox, "while True:\n    pass")
    assert result.verdict == "time_limit" and result.tests[0].verdict == "time_limit", result
    # A program that freezes the runner itself meets the host-side cap on the whole grade.
    freeze = "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\nprint('held')"
    with DockerSandbox(SandboxConfig(timeout=1.0, overall_timeout=3.0)) as capped:
        started = time.monotonic()
        result = grade(capped, freeze)
        assert time.monotonic() - started < 10.0
        assert result.verdict == "time_limit" and "overall cap" in result.message, result
        still_grades(capped)


def test_output_flood_is_bounded(sandbox):
    result = grade(sandbox, "while True:\n    print('x' * 4096)")
    assert result.verdict == "time_limit", result
    assert len(result.tests[0].actual) <= sandbox.config.field_limit
    result = grade(sandbox, "import sys\nsys.stdout.write('y' * (64 * 2 ** 20))")
    assert result.verdict == "wrong_answer" and result.tests[0].truncated, result
    assert len(result.tests[0].actual) <= sandbox.config.field_limit
    result = grade(sandbox, "import sys\nfor _ in range(20000):\n    sys.stderr.write('z' * 4096)\nprint('held')")
    assert result.passed, result
    still_grades(sandbox)


def test_no_network(sandbox):
    # A real server on the host's loopback: the program must not reach it (nor anything else).
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    port = server.getsockname()[1]
    probe = (
        "import os, socket\nreached = []\n"
        f"for host, port in (('1.1.1.1', 53), ('127.0.0.1', {port})):\n"
        "    try:\n        socket.create_connection((host, port), timeout=2).close()\n"
        "        reached.append(host)\n    except OSError:\n        pass\n"
        "links = sorted(os.listdir('/sys/class/net'))\n"
        "print('held' if not reached and links == ['lo'] else f'reached {reached}, links {links}')"
    )
    try:
        result = grade(sandbox, probe)
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    assert result.passed, result


def test_no_writes_outside_scratch(sandbox):
    probe = (
        "import os\nwritten = []\n"
        "for path in ('/x', '/opt/x', '/opt/autodidact/runner.py', '/home/x', '/etc/passwd', '/usr/x',\n"
        "             '/var/tmp/x', '/root/x', '/dev/x', '/proc/sys/kernel/hostname'):\n"
        "    try:\n        with open(path, 'a') as f:\n            f.write('x')\n        written.append(path)\n"
        "    except OSError:\n        pass\n"
        "open('/tmp/scratch', 'w').write('ok')\n"
        "print('held' if not written else f'wrote {written}')"
    )
    result = grade(sandbox, probe)
    assert result.passed, result
    # What a grade leaves in the scratch places is gone before the next grade, on the same container.
    ids = sandbox.pool.container_ids()
    leave = (
        "import ctypes, os\nopen('/tmp/left', 'w').write('x')\nos.makedirs('/tmp/d/e')\nos.chmod('/tmp/d', 0)\n"
        "open('/dev/shm/left', 'w').write('x')\n"
        "segment = ctypes.CDLL(None).shmget(0, 4096, 0o1600)\n"  # IPC_PRIVATE, IPC_CREAT | 0600
        "print('held' if segment >= 0 else 'no segment')"
    )
    assert grade(sandbox, leave).passed
    look = (
        "import os\nleft = os.listdir('/tmp') + os.listdir('/dev/shm') + open('/proc/sysvipc/shm').readlines()[1:]\n"
        "print('held' if not left else left)"
    )
    assert grade(sandbox, look).passed
    assert sandbox.pool.container_ids() == ids


def test_host_environment_and_files_are_hidden(sandbox):
    here = Path(__file__).resolve()
    probe = (
        "import os\nseen = []\n"
        f"if any({SECRET!r} in v for v in os.environ.values()):\n    seen.append('the host environment')\n"
        f"for path in ({str(here)!r}, {str(here.parent.parent)!r}, '/var/run/docker.sock', '/run/docker.sock'):\n"
        "    if os.path.exists(path):\n        seen.append(path)\n"
        "try:\n    seen += os.listdir('/root')\nexcept OSError:\n    pass\n"
        "procs = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "if len(procs) > 4:\n    seen.append(f'{len(procs)} processes')\n"
        "print('held' if not seen else f'saw {seen}')"
    )
    result = grade(sandbox, probe)
    assert result.passed, result


def test_killing_other_processes_does_not_affect_grading(sandbox):
    ids = sandbox.pool.container_ids()
    # PID 1 ignores every signal sent from inside its namespace.
    result = grade(sandbox, "import os\nos.kill(1, 9)\nos.kill(1, 15)\nprint('held')")
    assert result.passed, result
    # Killing the runner (kill -1, or the test's parent) cannot yield a verdict other than a failure.
    for attack in ("import os\nos.kill(-1, 9)\nprint('held')", "import os\nos.kill(os.getppid(), 9)\nprint('held')"):
        result = grade(sandbox, attack)
        assert result.verdict == "runtime_error" and "killed the grading runner" in result.message, result
    # Nor can forging the runner's answer through /proc or ptrace.
    forge = (
        "import ctypes, json, os\nfake = json.dumps({'verdict': 'pass', 'tests': [], 'seconds': 0})\n"
        "try:\n    fd = os.open(f'/proc/{os.getppid()}/fd/1', os.O_WRONLY)\n    os.write(fd, fake.encode())\n"
        "except OSError:\n    pass\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "attached = libc.ptrace(16, os.getppid(), None, None) == 0\n"  # PTRACE_ATTACH
        "print('the runner is traceable' if attached else 'nope')"
    )
    result = grade(sandbox, forge)
    assert result.verdict == "wrong_answer" and result.tests[0].actual.strip() == "nope", result
    still_grades(sandbox, ids)


def test_orphaned_children_are_gone_after_the_grade(sandbox):
    ids = sandbox.pool.container_ids()
    daemon = (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        time.sleep(1)\n        open('/tmp/daemon-was-here', 'w').write('x')\n        time.sleep(600)\n"
        "    os._exit(0)\nprint('held')"
    )
    assert grade(sandbox, daemon).passed
    time.sleep(1.5)
    look = (
        "import os\nmine = {1, os.getpid(), os.getppid()}\n"
        "others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in mine]\n"
        "print('held' if not others and not os.path.exists('/tmp/daemon-was-here') else f'left: {others}')"
    )
    result = grade(sandbox, look)
    assert result.passed, result
    assert sandbox.pool.container_ids() == ids


def test_no_privilege_escalation(sandbox):
    probe = (
        "import ctypes, os, socket\ngained = []\nopen('/tmp/f', 'w').close()\n"
        "attempts = {\n"
        "    'chown': lambda: os.chown('/tmp/f', 0, 0),\n"
        "    'setuid': lambda: os.setuid(0),\n"
        "    'raw socket': lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),\n"
        "    'read /etc/shadow': lambda: open('/etc/shadow').read(),\n"
        "    'mknod': lambda: os.mknod('/tmp/dev', 0o600 | 0o060000, os.makedev(8, 0)),\n"
        "}\n"
        "for name, attempt in attempts.items():\n"
        "    try:\n        attempt()\n        gained.append(name)\n    except OSError:\n        pass\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "if libc.mount(b'none', b'/tmp', b'tmpfs', 0, None) == 0:\n    gained.append('mount')\n"
        "if os.getuid() == 0 or os.geteuid() == 0:\n    gained.append('root')\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm'))]\n"
        "if any(int(l.split()[1], 16) for l in caps):\n    gained.append('capabilities')\n"
        "setuid = [os.path.join(d, f) for d in ('/usr/bin', '/bin', '/usr/sbin', '/sbin') if os.path.isdir(d)\n"
        "          for f in os.listdir(d) if os.lstat(os.path.join(d, f)).st_mode & 0o6000]\n"
        "print('held' if not gained and not setuid else f'gained {gained}, setuid {setuid}')"
    )
    result = grade(sandbox, probe)
    assert result.passed, result
