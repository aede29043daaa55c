"""`autodidact sandbox build|check|clean` and `autodidact grade`: manage the grading sandbox and grade one
solution file by hand.

`grade` exit codes: 0 the solution passed; 1 it failed (any other verdict); 2 bad input (unreadable set,
unknown task id, missing file); 3 the sandbox itself failed (infra_error). `sandbox check` exits 0 when
every check passes and 1 otherwise; build and clean exit 3 when the engine cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sandbox.config import BACKENDS, IMAGE_NAME, SandboxConfig

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INFRA = 1, 2, 3


def _error(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _console():
    from rich.console import Console
    return Console(highlight=False)


# ------------------------------------------------------------------------------------------ sandbox build


def _build(args: argparse.Namespace) -> int:
    from sandbox.image import ensure_image
    from sandbox.pool import SandboxUnavailable

    try:
        ensure_image(args.image, base=args.base, force=args.force, log=print)
    except SandboxUnavailable as e:
        return _error(str(e), EXIT_INFRA)
    return 0


# ------------------------------------------------------------------------------------------ sandbox check


def _probes(config: SandboxConfig) -> list[tuple[str, str]]:
    """(name, program) pairs; each program prints `ok` when the property holds, else what it saw."""
    limit = config.memory_mb * 2**20
    return [
        ("a trivial program runs", "print('ok')"),
        ("runs as an unprivileged user", "import os\nprint('ok' if os.getuid() != 0 else 'running as root')"),
        ("no network", (
            "import socket\n"
            "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    print('connected to 1.1.1.1')\n"
            "except OSError:\n    print('ok')")),
        ("read-only root filesystem", (
            "try:\n    open('/opt/autodidact/probe', 'w')\n    print('/opt is writable')\n"
            "except OSError:\n    print('ok')")),
        (f"memory limit {config.memory_mb} MB", (
            "paths = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']\n"
            "seen = []\n"
            "for p in paths:\n"
            "    try:\n        seen.append(open(p).read().strip())\n    except OSError:\n        pass\n"
            f"print('ok' if any(v.isdigit() and int(v) <= {limit} for v in seen) else 'limit: ' + ' '.join(seen))")),
        (f"process limit {config.pids_limit}", (
            "paths = ['/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max']\n"
            "seen = []\n"
            "for p in paths:\n"
            "    try:\n        seen.append(open(p).read().strip())\n    except OSError:\n        pass\n"
            f"print('ok' if any(v.isdigit() and int(v) <= {config.pids_limit} for v in seen) "
            "else 'limit: ' + ' '.join(seen))")),
    ]


def _check(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from sandbox.pool import SandboxUnavailable, connect
    from tasks.model import Task, TestCase

    config = SandboxConfig(image=args.image, timeout=10.0)
    rows: list[tuple[str, bool, str]] = []
    failure = None
    try:
        client = connect()
        rows.append(("Docker engine answers", True, f"server {client.version().get('Version', '?')}"))
        from sandbox.docker_backend import DockerSandbox
        with DockerSandbox(config) as sandbox:
            rows.append((f"image {config.image} present and current", True, ""))
            for name, program in _probes(config):
                probe = Task(id="check", title=name, statement="", kind="stdin", public_tests=(),
                             hidden_tests=(TestCase("", "ok", "stdin"),))
                result = sandbox.grade(program, probe, probe.hidden_tests)
                if result.is_infra_error:
                    failure = failure or f"the sandbox cannot grade: {result.message}"
                seen = result.tests[0].actual.strip() if result.tests else ""
                detail = "" if result.passed else f"{result.verdict}: {result.message or seen}"
                rows.append((name, result.passed, detail[:200]))
    except SandboxUnavailable as e:
        failure = str(e)
        rows.append(("sandbox usable", False, failure[:200]))
    table = Table(title="sandbox check", box=box.SIMPLE_HEAD)
    for column in ("check", "result", "detail"):
        table.add_column(column, overflow="fold")
    for name, ok, detail in rows:
        table.add_row(name, Text("ok", "green") if ok else Text("FAIL", "red"), Text(detail))
    _console().print(table)
    if failure:
        return _error(failure, EXIT_FAILED)
    if not all(ok for _, ok, _ in rows):
        return _error("a sandbox limit is not in force: rebuild with `autodidact sandbox build --force` and "
                      "check the engine's cgroup support (`docker info`)", EXIT_FAILED)
    return 0


# ------------------------------------------------------------------------------------------ sandbox clean


def _clean(args: argparse.Namespace) -> int:
    from sandbox.pool import SandboxUnavailable, connect, remove_orphans

    try:
        removed, kept = remove_orphans(connect(), everything=args.all)
    except SandboxUnavailable as e:
        return _error(str(e), EXIT_INFRA)
    print(f"removed {removed} sandbox container(s)"
          + (f"; kept {kept} that belong to running autodidact processes (--all removes them too)" if kept else ""))
    return 0


# ---------------------------------------------------------------------------------------------------- grade


def _grade(args: argparse.Namespace) -> int:
    from tasks.loaders import load_taskset

    try:
        tasks = load_taskset(args.taskset)
        code = Path(args.solution).read_text()
        config = SandboxConfig(backend=args.sandbox, workers=args.workers,
                               **({"timeout": args.timeout} if args.timeout is not None else {}))
    except (ValueError, OSError) as e:
        return _error(" ".join(str(e).split()), EXIT_BAD_INPUT)
    task = next((t for t in tasks if t.id == args.task_id), None)
    if task is None:
        ids = [t.id for t in tasks]
        shown = ", ".join(ids[:30]) + (f", ... ({len(ids)} in all)" if len(ids) > 30 else "")
        return _error(f"task {args.task_id!r} is not in {args.taskset}; its ids are: {shown or 'none'}",
                      EXIT_BAD_INPUT)
    tests = {"public": task.public_tests, "hidden": task.hidden_tests, "all": task.all_tests}[args.tests]
    if not tests:
        return _error(f"task {task.id} has no {args.tests} tests; pass --tests all", EXIT_BAD_INPUT)

    from sandbox.factory import open_sandbox
    try:
        sandbox = open_sandbox(config)
    except Exception as e:  # the backend's message ends with the fix (start Docker, build the image)
        return _error(f"cannot open the {args.sandbox} sandbox: {' '.join(str(e).split())}", EXIT_INFRA)
    with sandbox:
        result = sandbox.grade(code, task, tests, timeout=args.timeout, stop_on_failure=not args.keep_going)
    if args.json:
        print(json.dumps({"task": task.id, "tests_graded": args.tests, "backend": args.sandbox,
                          **result.to_dict()}))
    else:
        _print_result(task.id, args.tests, result)
    if result.passed:
        return 0
    return EXIT_INFRA if result.is_infra_error else EXIT_FAILED


def _print_result(task_id: str, which: str, result) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def short(text: str | None, width: int = 40) -> str:
        flat = " ⏎ ".join((text or "").strip().splitlines())
        return flat if len(flat) <= width else flat[: width - 1] + "…"

    table = Table(title=f"{task_id}: {which} tests", box=box.SIMPLE_HEAD)
    for column in ("#", "verdict", "s", "input", "expected", "got / error"):
        table.add_column(column, overflow="fold", justify="right" if column in ("#", "s") else "left")
    for t in result.tests:
        style = "green" if t.verdict == "pass" else "red"
        table.add_row(str(t.index), Text(t.verdict, style), f"{t.seconds:.2f}", Text(short(t.input)),
                      Text(short(t.expected)), Text(short(t.error or t.actual, 60)))
    console = _console()
    console.print(table)
    passed = sum(t.verdict == "pass" for t in result.tests)
    style = "green" if result.passed else "red"
    console.print(Text.assemble((result.verdict, f"bold {style}"),
                                f"  {passed}/{len(result.tests)} graded tests passed in {result.seconds:.2f} s"))
    if result.message:
        console.print(Text(result.message))


# ------------------------------------------------------------------------------------------------ register


def register(subparsers) -> None:
    sandbox = subparsers.add_parser("sandbox", help="build, check and clean the Docker grading sandbox")
    actions = sandbox.add_subparsers(dest="sandbox_action", metavar="ACTION")
    sandbox.set_defaults(handler=lambda args: (sandbox.print_help(), EXIT_BAD_INPUT)[1])

    build = actions.add_parser("build", help="build the sandbox image (seconds when it is up to date)",
                               description="Without a registry, a Debian base is bootstrapped with debootstrap.")
    build.add_argument("--base", metavar="IMAGE", help="base image with Python >= 3.11 (default: python:3.11-slim, "
                                                       "else a locally bootstrapped Debian)")
    build.add_argument("--force", action="store_true", help="rebuild even when the image is up to date")
    build.add_argument("--image", default=IMAGE_NAME, help=argparse.SUPPRESS)
    build.set_defaults(handler=_build)

    check = actions.add_parser("check", help="check the engine, the image and that the limits are in force")
    check.add_argument("--image", default=IMAGE_NAME, help=argparse.SUPPRESS)
    check.set_defaults(handler=_check)

    clean = actions.add_parser("clean", help="remove sandbox containers left by autodidact processes that ended")
    clean.add_argument("--all", action="store_true", help="also remove those of running autodidact processes")
    clean.set_defaults(handler=_clean)

    grade = subparsers.add_parser(
        "grade", help="grade a solution file on one task's tests",
        description="Exit 0 on pass, 1 on any failing verdict, 2 on bad input, 3 when the sandbox failed.")
    grade.add_argument("taskset", metavar="TASKSET", help="JSONL file, LiveCodeBench directory or built-in set")
    grade.add_argument("task_id", metavar="TASK_ID")
    grade.add_argument("solution", metavar="SOLUTION_FILE", help="Python source to grade")
    grade.add_argument("--timeout", type=float, metavar="S", help="per-test time limit in seconds (default 6)")
    grade.add_argument("--sandbox", choices=list(BACKENDS), default="docker",
                       help="grading backend (local and inprocess are NOT isolated)")
    grade.add_argument("--workers", type=int, default=1, help="warm containers kept by the docker backend")
    grade.add_argument("--tests", choices=("public", "hidden", "all"), default="all", help="which tests to grade")
    grade.add_argument("--keep-going", action="store_true",
                       help="keep grading after the first failing test (default: stop there)")
    grade.add_argument("--json", action="store_true", help="print the result as one JSON object")
    grade.set_defaults(handler=_grade)
