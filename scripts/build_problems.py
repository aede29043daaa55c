"""Build the bundled problem set from the problem modules in scripts/problems/.

Each module in scripts/problems/ holds one problem (files starting with "_" are helpers) and defines
    ID, TITLE, DIFFICULTY (easy|medium|hard), KIND (stdin|functional), STARTER (member of the starter subset),
    STATEMENT (with worked examples), REFERENCE (solution source), PUBLIC_INPUTS, generate_inputs(rng)
and, for functional problems, STARTER_CODE and FUNC_NAME. generate_inputs returns the hidden inputs: the exact
stdin text, or for functional problems one JSON value per line, one line per argument (see _common.py). A problem
whose longest hidden input is too large for a quadratic solution keeps that solution as NAIVE; tests show it
passes the examples and exceeds the 6 s limit on that input.

The script runs every reference on every input in a child python process to get the expected outputs (a
reference that raises or takes over 2 s on any input fails the build), checks that each public example appears
in the statement, and writes
    tasks/data/bundled.jsonl         one LiveCodeBench code_generation_lite row per problem, no solutions in it
    tasks/data/references/<ID>.py    each reference, exactly as a model's answer would be graded
Each problem's inputs come from random.Random(ID), so rebuilding gives byte-identical files.

    .venv/bin/python scripts/build_problems.py               # rebuild the files
    .venv/bin/python scripts/build_problems.py --check       # compare with the files on disk, write nothing
    .venv/bin/python scripts/build_problems.py --only ad-016 # validate some problems, write nothing
    .venv/bin/python scripts/build_problems.py --naive       # show each NAIVE passes its examples, times out big
"""

from __future__ import annotations

import argparse
import base64
import datetime
import importlib.util
import io
import json
import pickle
import random
import re
import subprocess
import sys
import time
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PROBLEM_DIR = ROOT / "scripts" / "problems"
DATA_DIR = ROOT / "tasks" / "data"
JSONL_NAME = "bundled.jsonl"
REFERENCE_DIR_NAME = "references"

REFERENCE_TIME_LIMIT = 2.0
"""Seconds a reference may take on one input; the graded limit is 6 s, so this leaves a wide margin."""
NAIVE_TIME_LIMIT = 6.0
"""The graded per-test limit; a NAIVE solution must exceed it on the largest hidden input."""
COMPRESS_ABOVE = 100_000
"""Characters of private-test JSON above which the tests are stored zlib+pickle+base64, as LiveCodeBench does."""
FIRST_CONTEST = datetime.date(2025, 1, 6)
DAYS_BETWEEN_CONTESTS = 15
"""Problem ad-NNN is dated FIRST_CONTEST + (NNN - 1) * 15 days, so dates span 2025-2026 and never move."""

ID_PATTERN = re.compile(r"^ad-(\d{3})$")
REQUIRED = ("ID", "TITLE", "DIFFICULTY", "KIND", "STARTER", "STATEMENT", "REFERENCE", "PUBLIC_INPUTS",
            "generate_inputs")
MIN_PUBLIC, MIN_HIDDEN = 2, 10


class BuildError(Exception):
    """A problem module is wrong; the message names the problem and what to fix."""


@dataclass
class Problem:
    """One problem module; its upper-case fields (p.ID, p.STATEMENT, ...) are read straight from the module."""

    module: ModuleType
    path: Path

    def __getattr__(self, name: str):
        return getattr(self.module, name)

    @property
    def func_name(self) -> str | None:
        return getattr(self.module, "FUNC_NAME", None)

    @property
    def starter_code(self) -> str:
        return getattr(self.module, "STARTER_CODE", "")

    @property
    def naive(self) -> str | None:
        return getattr(self.module, "NAIVE", None)


# ---------------------------------------------------------------------------------------------------------
# Loading and validating the problem modules


def load_problems(problem_dir: Path = PROBLEM_DIR) -> list[Problem]:
    """Import every problem module, check its fields, and return them sorted by ID."""
    if str(problem_dir) not in sys.path:
        sys.path.insert(0, str(problem_dir))  # so modules can `from _common import ...`
    problems = []
    for path in sorted(problem_dir.glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"problem_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        problem = Problem(module, path)
        validate(problem)
        problems.append(problem)
    ids = [p.ID for p in problems]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BuildError(f"duplicate problem ids {duplicates}: give each module its own ID")
    return sorted(problems, key=lambda p: p.ID)


def validate(p: Problem) -> None:
    missing = [name for name in REQUIRED if not hasattr(p.module, name)]
    if missing:
        raise BuildError(f"{p.path.name}: missing {', '.join(missing)}; define them at module level")
    where = f"{p.path.name} ({p.ID})"
    if not ID_PATTERN.match(p.ID):
        raise BuildError(f"{where}: ID must look like 'ad-001'")
    if p.DIFFICULTY not in ("easy", "medium", "hard"):
        raise BuildError(f"{where}: DIFFICULTY {p.DIFFICULTY!r} must be easy, medium or hard")
    if p.KIND == "functional":
        if not p.func_name or "class Solution" not in p.starter_code or f"def {p.func_name}(" not in p.starter_code:
            raise BuildError(f"{where}: a functional problem needs FUNC_NAME and a STARTER_CODE with "
                             f"`class Solution:` and `def {p.func_name}(`")
    elif p.KIND == "stdin":
        if p.func_name or p.starter_code:
            raise BuildError(f"{where}: a stdin problem has no FUNC_NAME or STARTER_CODE; remove them")
    else:
        raise BuildError(f"{where}: KIND {p.KIND!r} must be 'stdin' or 'functional'")
    if not isinstance(p.STARTER, bool):
        raise BuildError(f"{where}: STARTER must be True or False, got {p.STARTER!r}")
    if len(p.PUBLIC_INPUTS) < MIN_PUBLIC:
        raise BuildError(f"{where}: {len(p.PUBLIC_INPUTS)} PUBLIC_INPUTS; give at least {MIN_PUBLIC}")


def contest_date(problem_id: str) -> str:
    number = int(ID_PATTERN.match(problem_id).group(1))
    day = FIRST_CONTEST + datetime.timedelta(days=(number - 1) * DAYS_BETWEEN_CONTESTS)
    if day.year > 2026:
        raise BuildError(f"{problem_id} would be dated {day}, past 2026; lower DAYS_BETWEEN_CONTESTS so the "
                         "dates of all problems fit in 2025-2026")
    return day.isoformat() + "T00:00:00"


# ---------------------------------------------------------------------------------------------------------
# Running a solution on inputs, in a child process


def run_solution(code: str, kind: str, func_name: str | None, inputs: list[str], timeout: float) -> list[dict]:
    """Run `code` on each input in one child python process; return [{output, seconds}] per input.

    Raises subprocess.TimeoutExpired when the whole run exceeds `timeout` seconds, and BuildError when the
    code raises; the caller checks the per-input seconds against its own limit.
    """
    job = json.dumps({"code": code, "kind": kind, "func_name": func_name, "inputs": inputs})
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child"],
        input=job, capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0:
        raise BuildError(f"child process failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout)
    if report.get("error"):
        raise BuildError(f"input #{report['index']} raised:\n{report['error']}")
    return report["results"]


def child_main() -> int:
    """Runs in the child: read a job on stdin, run the code on each input, print a JSON report."""
    job = json.loads(sys.stdin.read())
    code = compile(job["code"], "<solution>", "exec")
    results = []
    real_stdin, real_stdout = sys.stdin, sys.stdout
    for index, text in enumerate(job["inputs"]):
        start = time.perf_counter()
        try:
            if job["kind"] == "stdin":
                buffer = io.BytesIO()
                sys.stdin = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
                sys.stdout = io.TextIOWrapper(buffer, encoding="utf-8")
                try:
                    exec(code, {"__name__": "__main__"})
                except SystemExit:
                    pass
                sys.stdout.flush()
                output = buffer.getvalue().decode()
            else:
                scope = {"__name__": "__main__"}
                exec(code, scope)
                args = [json.loads(line) for line in text.split("\n")]
                output = json.dumps(getattr(scope["Solution"](), job["func_name"])(*args))
        except BaseException:
            sys.stdin, sys.stdout = real_stdin, real_stdout
            print(json.dumps({"index": index, "error": traceback.format_exc()}))
            return 0
        finally:
            sys.stdin, sys.stdout = real_stdin, real_stdout
        results.append({"output": output, "seconds": time.perf_counter() - start})
    print(json.dumps({"results": results}))
    return 0


# ---------------------------------------------------------------------------------------------------------
# Building the rows


def solve(p: Problem, inputs: list[str]) -> list[str]:
    """Expected outputs: the reference's output on each input, within REFERENCE_TIME_LIMIT each."""
    try:
        results = run_solution(p.REFERENCE, p.KIND, p.func_name, inputs, REFERENCE_TIME_LIMIT * len(inputs) + 5.0)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{p.ID}: the reference timed out; make it faster") from None
    except BuildError as e:
        raise BuildError(f"{p.ID}: the reference failed on {e}") from None
    for index, r in enumerate(results):
        if r["seconds"] > REFERENCE_TIME_LIMIT:
            raise BuildError(f"{p.ID}: the reference took {r['seconds']:.2f} s on input #{index} "
                             f"(limit {REFERENCE_TIME_LIMIT} s); make it faster or the input smaller")
    return [r["output"] for r in results]


def _squash(text: str, kind: str) -> str:
    # Examples may be laid out more freely than the tests (spaces after commas, aligned columns).
    if kind == "functional":
        return re.sub(r"\s+", "", text)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.strip().splitlines())


def check_examples(p: Problem, inputs: list[str], outputs: list[str]) -> None:
    """Every public input and its expected output must be shown in the statement, so the two never disagree."""
    statement = _squash(p.STATEMENT, p.KIND)
    position = 0  # examples appear in order: each argument, then the output, then the next example
    for n, (text, expected) in enumerate(zip(inputs, outputs), 1):
        parts = text.split("\n") if p.KIND == "functional" else [text]
        for part in parts + [expected]:
            found = statement.find(_squash(part, p.KIND), position)
            if found < 0:
                raise BuildError(f"{p.ID}: example {n} is not in the statement: {part.strip()[:200]!r} is "
                                 f"missing; fix the statement's example (expected output {expected.strip()[:200]!r})")
            position = found + len(_squash(part, p.KIND))


def encode_private(tests: list[dict]) -> str:
    text = json.dumps(tests)
    if len(text) <= COMPRESS_ABOVE:
        return text
    # protocol 4 and level 9 fixed so the bytes do not change with the Python version.
    return base64.b64encode(zlib.compress(pickle.dumps(text, protocol=4), 9)).decode()


def build_problem(p: Problem) -> tuple[dict, dict]:
    """Return (row, stats) for one problem."""
    hidden_inputs = list(p.generate_inputs(random.Random(p.ID)))
    if len(hidden_inputs) < MIN_HIDDEN:
        raise BuildError(f"{p.ID}: generate_inputs gave {len(hidden_inputs)} inputs; give at least {MIN_HIDDEN}")
    public_inputs = list(p.PUBLIC_INPUTS)
    start = time.perf_counter()
    outputs = solve(p, public_inputs + hidden_inputs)
    seconds = time.perf_counter() - start
    public_outputs, hidden_outputs = outputs[:len(public_inputs)], outputs[len(public_inputs):]
    check_examples(p, public_inputs, public_outputs)

    def tests(inputs: list[str], outs: list[str]) -> list[dict]:
        return [{"input": i, "output": o, "testtype": p.KIND} for i, o in zip(inputs, outs)]

    row = {
        "question_title": p.TITLE,
        "question_content": p.STATEMENT,
        "platform": "autodidact",
        "question_id": p.ID,
        "contest_id": "autodidact",
        "contest_date": contest_date(p.ID),
        "starter_code": p.starter_code,
        "difficulty": p.DIFFICULTY,
        "public_test_cases": json.dumps(tests(public_inputs, public_outputs)),
        "private_test_cases": encode_private(tests(hidden_inputs, hidden_outputs)),
        "metadata": json.dumps({"func_name": p.func_name, "starter": p.STARTER}),
    }
    stats = {"seconds": seconds, "largest_input": max(len(i) for i in hidden_inputs), "hidden": len(hidden_inputs)}
    return row, stats


def render(problems: list[Problem], verbose: bool = True) -> dict[Path, str]:
    """The full contents of every generated file, keyed by path."""
    files: dict[Path, str] = {}
    rows = []
    for p in problems:
        row, stats = build_problem(p)
        rows.append(json.dumps(row) + "\n")
        files[DATA_DIR / REFERENCE_DIR_NAME / f"{p.ID}.py"] = p.REFERENCE
        if verbose:
            print(f"{p.ID}  {p.DIFFICULTY:<6} {p.KIND:<10} {'starter ' if p.STARTER else '        '}"
                  f"{len(p.PUBLIC_INPUTS)} public {stats['hidden']:>2} hidden  largest input "
                  f"{stats['largest_input']:>8} chars  references ran in {stats['seconds']:.2f} s  {p.TITLE}")
    files[DATA_DIR / JSONL_NAME] = "".join(rows)
    return files


def stale_references(files: dict[Path, str]) -> list[Path]:
    """Reference files on disk that no problem produces any more (a problem was removed or renumbered)."""
    return [path for path in sorted((DATA_DIR / REFERENCE_DIR_NAME).glob("*.py")) if path not in files]


def check(files: dict[Path, str]) -> list[str]:
    """Differences between the rendered files and those on disk."""
    differences = []
    for path, text in files.items():
        if not path.exists():
            differences.append(f"{path.relative_to(ROOT)} is missing")
        elif path.read_bytes() != text.encode():
            differences.append(f"{path.relative_to(ROOT)} differs")
    differences += [f"{path.relative_to(ROOT)} belongs to no problem" for path in stale_references(files)]
    return differences


# ---------------------------------------------------------------------------------------------------------
# NAIVE solutions: correct but too slow for the large input


def check_naive(p: Problem) -> str:
    """Show the NAIVE solution passes the public tests and exceeds NAIVE_TIME_LIMIT on the largest input."""
    hidden = list(p.generate_inputs(random.Random(p.ID)))
    largest = max(hidden, key=len)
    public = list(p.PUBLIC_INPUTS)
    expected = solve(p, public)
    got = [r["output"] for r in run_solution(p.naive, p.KIND, p.func_name, public, NAIVE_TIME_LIMIT * len(public))]
    if [g.strip() for g in got] != [e.strip() for e in expected]:
        raise BuildError(f"{p.ID}: NAIVE gives wrong answers on the public tests; fix NAIVE")
    start = time.perf_counter()
    try:
        # One second over the limit covers the child's start-up and input parsing.
        run_solution(p.naive, p.KIND, p.func_name, [largest], NAIVE_TIME_LIMIT + 1.0)
    except subprocess.TimeoutExpired:
        return f"{p.ID}: NAIVE passes the examples and times out (> {NAIVE_TIME_LIMIT:.0f} s) on the largest input"
    raise BuildError(f"{p.ID}: NAIVE finished the largest input in {time.perf_counter() - start:.1f} s; "
                     f"make the input larger")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build tasks/data/bundled.jsonl from scripts/problems/.")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk; write nothing")
    parser.add_argument("--only", nargs="+", metavar="ID", help="validate only these problems; write nothing")
    parser.add_argument("--naive", action="store_true", help="check the NAIVE solutions time out; write nothing")
    parser.add_argument("--quiet", action="store_true", help="print only errors and the final line")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main()

    try:
        problems = load_problems()
        if args.only:
            unknown = set(args.only) - {p.ID for p in problems}
            if unknown:
                raise BuildError(f"unknown ids {sorted(unknown)}; see the ID in each scripts/problems/ module")
            problems = [p for p in problems if p.ID in args.only]
        if args.naive:
            for p in problems:
                if p.naive:
                    print(check_naive(p), flush=True)
            return 0
        files = render(problems, verbose=not args.quiet)
    except BuildError as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    if args.only:
        print(f"{len(problems)} problems valid; nothing written (drop --only to write)")
        return 0
    if args.check:
        differences = check(files)
        for line in differences:
            print(line, file=sys.stderr)
        if differences:
            print("generated files are stale: run .venv/bin/python scripts/build_problems.py", file=sys.stderr)
            return 1
        print(f"{len(problems)} problems: generated files are up to date")
        return 0
    (DATA_DIR / REFERENCE_DIR_NAME).mkdir(parents=True, exist_ok=True)
    for path in stale_references(files):
        path.unlink()
    for path, text in files.items():
        path.write_bytes(text.encode())
    print(f"{len(problems)} problems written to {(DATA_DIR / JSONL_NAME).relative_to(ROOT)} "
          f"({len(files[DATA_DIR / JSONL_NAME]) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
