"""`autodidact tasks list|show|validate`: look at problem sets and check that their reference solutions pass.

Exit codes: 0 fine; 1 a reference solution failed its tests; 2 bad input (unreadable set, unknown id, a task
without a reference solution); 3 the sandbox itself failed (infra_error).
The filter options are shared with other commands through add_filter_options / filters_from_args.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor

from tasks.lcb import RELEASES
from tasks.loaders import TaskFilters, get_task, require_nonempty, select_tasks
from tasks.model import DIFFICULTIES, Task

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INFRA = 1, 2, 3


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """The task filter options (--difficulty, --platform, --since, --until, --release, --ids, --limit)."""
    group = parser.add_argument_group("task filters")
    group.add_argument("--difficulty", action="append", metavar="D",
                       help=f"keep these difficulties ({', '.join(DIFFICULTIES)}); comma-separated or repeated")
    group.add_argument("--platform", action="append", metavar="P",
                       help="keep these platforms (leetcode, codeforces, atcoder, autodidact, humaneval)")
    group.add_argument("--since", metavar="DATE", help="keep tasks whose contest date is on/after DATE (YYYY-MM-DD)")
    group.add_argument("--until", metavar="DATE", help="keep tasks whose contest date is on/before DATE")
    group.add_argument("--release", choices=list(RELEASES), help="LiveCodeBench release (for a directory of LCB files)")
    group.add_argument("--ids", action="append", metavar="ID,...", help="keep these task ids, in this order")
    group.add_argument("--limit", type=int, metavar="N", help="keep at most N tasks (applied last)")


def filters_from_args(args: argparse.Namespace) -> TaskFilters:
    return TaskFilters(difficulty=args.difficulty, platform=args.platform, since=args.since, until=args.until,
                       release=args.release, ids=args.ids, limit=args.limit)


def _bad_input(error: Exception) -> int:
    print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _console():
    from rich.console import Console
    return Console(highlight=False)


def _list(args: argparse.Namespace) -> int:
    try:
        filters = filters_from_args(args)
        tasks = select_tasks(args.taskset, filters)
    except (ValueError, OSError) as e:
        return _bad_input(e)
    if args.json:
        print(json.dumps([t.summary() for t in tasks], indent=1))
        return 0
    if not tasks:
        print(f"no task in {args.taskset} matches ({filters.describe()})", file=sys.stderr)
        return 0
    from rich import box
    from rich.table import Table
    table = Table(title=f"{args.taskset}: {len(tasks)} tasks", box=box.SIMPLE_HEAD)
    for column in ("id", "title", "kind", "diff", "platform", "date", "pub", "hid"):
        # Only the title may wrap: ids and dates cut short would be useless.
        table.add_column(column, no_wrap=column != "title", min_width=16 if column == "title" else None,
                         overflow="fold", justify="right" if column in ("pub", "hid") else "left")
    for t in tasks:
        table.add_row(t.id, t.title, t.kind, t.difficulty, t.platform, t.contest_date[:10],
                      str(len(t.public_tests)), str(len(t.hidden_tests)))
    _console().print(table)
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        task = get_task(args.taskset, args.id)
    except (ValueError, OSError) as e:
        return _bad_input(e)
    if args.json:
        shown = {**task.summary(), "statement": task.statement, "starter_code": task.starter_code,
                 "func_name": task.func_name, "public_tests": [t.to_dict() for t in task.public_tests]}
        print(json.dumps(shown, indent=1))
        return 0
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.text import Text
    console = _console()
    facts = f"{task.kind} · {task.difficulty} · {task.platform}"
    facts += f" · {task.contest_date[:10]}" if task.contest_date else ""
    facts += f" · {len(task.public_tests)} public / {len(task.hidden_tests)} hidden tests"
    # Statements contain brackets; Text keeps rich from reading them as markup.
    console.print(Panel(Text(task.statement), title=Text(f"{task.id}: {task.title}"), subtitle=Text(facts)))
    if task.starter_code.strip():
        console.print(Panel(Syntax(task.starter_code, "python"), title="starter code"))
    for i, test in enumerate(task.public_tests, start=1):
        body = Text(f"input:\n{test.input}")
        if test.testtype != "check":
            body.append(f"\nexpected:\n{test.output}")
        console.print(Panel(body, title=f"public test {i}"))
    return 0


def _grade_reference(sandbox, task: Task, code: str, timeout: float | None):
    # HumanEval tasks carry the same test as public and hidden; grading it once is enough.
    tests = tuple(dict.fromkeys(task.all_tests))
    return sandbox.grade(code, task, tests, timeout=timeout, stop_on_failure=True)


def _first_failure(result) -> str:
    failing = next((t for t in result.tests if t.verdict != "pass"), None)
    if failing is None:  # compile or infra errors carry a message, possibly a multi-line traceback
        message = " ".join((result.message or "").split())
        # Messages end with the fix, so a long one keeps its end.
        return message if len(message) <= 300 else "..." + message[-297:]
    detail = failing.error or f"got {failing.actual[:80]!r}, expected {failing.expected[:80]!r}"
    return f"test {failing.index}: {' '.join(detail.split())[:200]} (input {failing.input[:60]!r})"


def _validate(args: argparse.Namespace) -> int:
    from rich.text import Text
    from sandbox.config import SandboxConfig
    from tasks.references import reference_solution
    try:
        filters = filters_from_args(args)
        tasks = require_nonempty(select_tasks(args.taskset, filters), args.taskset, filters)
        config = SandboxConfig(backend=args.sandbox, workers=args.workers,
                               **({"timeout": args.timeout} if args.timeout else {}))
    except (ValueError, OSError) as e:
        return _bad_input(e)
    console = _console()
    with_code = [(t, reference_solution(t)) for t in tasks]
    missing = [t for t, code in with_code if code is None]
    for t in missing:
        console.print(Text.assemble(("NO REFERENCE", "red"), f" {t.id}"))
    to_grade = [(t, code) for t, code in with_code if code is not None]
    workers = args.workers
    if args.sandbox == "inprocess" and workers > 1:
        # The in-process backend forks per test; forking from several threads at once risks deadlocks.
        console.print("note: the inprocess backend grades one task at a time")
        workers = 1
    from sandbox.factory import open_sandbox
    try:
        sandbox = open_sandbox(config)
    except Exception as e:  # the backend's own message says how to fix it (e.g. start Docker)
        print(f"error: cannot open the {args.sandbox} sandbox: {' '.join(str(e).split())}", file=sys.stderr)
        return EXIT_INFRA
    failed = infra = 0
    with sandbox, ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda pair: _grade_reference(sandbox, *pair, args.timeout), to_grade)
        for (task, _), result in zip(to_grade, results):
            if result.passed:
                console.print(Text.assemble(("ok  ", "green"), f" {task.id} ({len(result.tests)} tests, "
                                            f"{result.seconds:.2f} s)"))
                continue
            infra += result.is_infra_error
            failed += not result.is_infra_error
            console.print(Text.assemble(("FAIL", "red"), f" {task.id} {result.verdict}: {_first_failure(result)}"))
    passed = len(to_grade) - failed - infra
    console.print(f"{passed} passed, {failed} failed, {infra} sandbox errors, {len(missing)} without reference")
    if missing:
        return EXIT_BAD_INPUT
    if infra:
        return EXIT_INFRA
    return EXIT_FAILED if failed else 0


def register(subparsers) -> None:
    tasks = subparsers.add_parser("tasks", help="list, show and validate problem sets",
                                  description="TASKSET is a JSONL file, a directory of LiveCodeBench release "
                                              "files, or a built-in set: bundled, starter, humaneval.")
    actions = tasks.add_subparsers(dest="tasks_action", metavar="ACTION")
    tasks.set_defaults(handler=lambda args: (tasks.print_help(), EXIT_BAD_INPUT)[1])

    listing = actions.add_parser("list", help="list the tasks of a set")
    listing.add_argument("taskset", metavar="TASKSET")
    listing.add_argument("--json", action="store_true", help="print a JSON list of task summaries")
    add_filter_options(listing)
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="show one task: statement, starter code, public tests")
    show.add_argument("taskset", metavar="TASKSET")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print the task (without hidden tests) as JSON")
    show.set_defaults(handler=_show)

    validate = actions.add_parser(
        "validate", help="grade every task's reference solution on all its tests",
        description="Exit 0 when every reference passes, 1 when one fails, 2 when a task has no reference "
                    "(or the input is bad), 3 when the sandbox itself fails.")
    validate.add_argument("taskset", metavar="TASKSET")
    validate.add_argument("--sandbox", choices=("docker", "local", "inprocess"), default="docker",
                          help="grading backend (local and inprocess are NOT isolated)")
    validate.add_argument("--workers", type=int, default=1, help="tasks graded in parallel")
    validate.add_argument("--timeout", type=float, help="per-test time limit in seconds (default 6)")
    add_filter_options(validate)
    validate.set_defaults(handler=_validate)
