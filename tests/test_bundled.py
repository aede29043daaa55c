"""The bundled problem set (tasks/data/bundled.jsonl, built by scripts/build_problems.py from scripts/problems/).

Fast tests check the set's shape through the real loader, that the raw rows follow LiveCodeBench's row format,
that no solution leaks into the rows, that the build script rejects a broken problem, and that rebuilding gives
byte-identical files. Slow tests grade every reference with the local sandbox backend and show that each NAIVE
(quadratic) solution passes its examples but exceeds the 6 s limit on its problem's largest hidden input.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import random
import re
import subprocess
import sys
import textwrap
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from tasks.lcb import decode_private_tests
from tasks.loaders import bundled_path, load_taskset
from tasks.references import reference_solution

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "scripts" / "build_problems.py"
TIME_LIMIT = 6.0
"""The graded per-test limit (LiveCodeBench's default)."""


@lru_cache(maxsize=1)
def build_module():
    """scripts/build_problems.py imported as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_problems", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def problems() -> dict:
    return {p.ID: p for p in build_module().load_problems()}


@lru_cache(maxsize=1)
def bundled() -> dict:
    return {t.id: t for t in load_taskset("bundled")}


def raw_rows() -> list[dict]:
    with open(bundled_path(), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------------------------------------------------
# Shape of the set


def test_counts_by_kind_difficulty_and_tests():
    tasks = list(bundled().values())
    assert len(tasks) >= 40
    kinds = Counter(t.kind for t in tasks)
    assert kinds["stdin"] >= 12 and kinds["functional"] >= 12, kinds
    assert set(kinds) == {"stdin", "functional"}
    difficulties = Counter(t.difficulty for t in tasks)
    assert difficulties["easy"] >= 10 and difficulties["medium"] >= 12 and difficulties["hard"] >= 8, difficulties
    for t in tasks:
        assert len(t.public_tests) >= 2, t.id
        assert len(t.hidden_tests) >= 10, t.id
        assert t.platform == "autodidact"


def test_starter_subset_is_easy_and_mixes_kinds():
    starter = load_taskset("starter")
    assert len(starter) >= 8
    assert {t.kind for t in starter} == {"stdin", "functional"}
    assert all(t.difficulty == "easy" for t in starter)
    marked = {t.id for t in bundled().values() if t.metadata.get("starter") is True}
    assert {t.id for t in starter} == marked
    assert [t.id for t in starter] == sorted(t.id for t in starter)


def test_at_least_five_problems_have_a_large_input_and_a_naive_solution():
    large = [p for p in problems().values() if p.naive]
    assert len(large) >= 5
    for p in large:
        biggest = max(len(t.input) for t in bundled()[p.ID].hidden_tests)
        assert biggest >= 100_000, f"{p.ID}: its largest input has only {biggest} characters"


def test_contest_dates_spread_over_2025_and_2026():
    dates = {t.id: t.contest_date for t in bundled().values()}
    years = Counter(d[:4] for d in dates.values())
    assert set(years) == {"2025", "2026"}, years
    assert load_taskset("bundled", until="2025-12-31") and load_taskset("bundled", since="2026-01-01")
    assert len(load_taskset("bundled", since="2026-01-01")) < len(dates)


def test_file_stays_small():
    assert bundled_path().stat().st_size < 15_000_000


# ---------------------------------------------------------------------------------------------------------
# The raw rows against the loader


def test_raw_rows_follow_the_livecodebench_format_and_match_the_loaded_tasks():
    rows = raw_rows()
    tasks = bundled()
    assert [r["question_id"] for r in rows] == sorted(tasks)
    compressed = 0
    for row in rows:
        assert set(row) == {"question_title", "question_content", "platform", "question_id", "contest_id",
                            "contest_date", "starter_code", "difficulty", "public_test_cases",
                            "private_test_cases", "metadata"}
        assert re.fullmatch(r"ad-\d{3}", row["question_id"])
        assert re.fullmatch(r"20(25|26)-\d\d-\d\dT00:00:00", row["contest_date"])
        assert row["platform"] == "autodidact" and row["contest_id"] == "autodidact"
        task = tasks[row["question_id"]]
        public = json.loads(row["public_test_cases"])
        hidden = decode_private_tests(row["private_test_cases"])
        compressed += not row["private_test_cases"].startswith("[")
        assert [tuple(t.values()) for t in public] == [(t.input, t.output, t.testtype) for t in task.public_tests]
        assert [tuple(t.values()) for t in hidden] == [(t.input, t.output, t.testtype) for t in task.hidden_tests]
        metadata = json.loads(row["metadata"])
        assert set(metadata) == {"func_name", "starter"}
        assert (task.title, task.statement, task.difficulty, task.starter_code, task.func_name) == (
            row["question_title"], row["question_content"], row["difficulty"], row["starter_code"],
            metadata["func_name"])
    assert 0 < compressed < len(rows), "both private-test encodings should be exercised"


def test_functional_inputs_have_one_json_line_per_argument():
    for task in bundled().values():
        if task.kind != "functional":
            assert task.starter_code == "" and task.func_name is None
            assert all(t.output.endswith("\n") for t in task.all_tests), task.id
            continue
        signature = re.search(rf"def {task.func_name}\(self, (.*)\)", task.starter_code).group(1)
        n_args = len(signature.split(":")) - 1  # one "name: type" per argument
        for test in task.all_tests:
            lines = test.input.split("\n")
            assert len(lines) == n_args, task.id
            [json.loads(line) for line in lines]
            json.loads(test.output)


def test_no_reference_solution_appears_in_the_rows():
    for row in raw_rows():
        task = bundled()[row["question_id"]]
        reference = reference_solution(task)
        assert reference and reference == problems()[task.id].REFERENCE
        texts = [row["question_content"], row["starter_code"], row["metadata"]]
        texts += [t.input + t.output for t in task.all_tests]
        body = textwrap.dedent(reference.split(":", 1)[1]) if task.kind == "functional" else reference
        assert not any(reference.strip() in text or body.strip() in text for text in texts), task.id


# ---------------------------------------------------------------------------------------------------------
# The build script


def test_regenerating_is_byte_identical():
    # A different hash seed catches generators that depend on set or dict-of-str ordering.
    env = {**os.environ, "PYTHONHASHSEED": str(random.randrange(1, 2**31))}
    proc = subprocess.run([sys.executable, str(BUILD_SCRIPT), "--check", "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout


def _write_problem(directory: Path, statement_output: str, reference: str) -> None:
    (directory / "_common.py").write_text((ROOT / "scripts" / "problems" / "_common.py").read_text())
    source = f'''
        """A throwaway problem for testing the build script."""
        ID = "ad-049"
        TITLE = "Double"
        DIFFICULTY = "easy"
        KIND = "stdin"
        STARTER = False
        STATEMENT = "Print twice N.\\n\\nSample Input 1\\n\\n2\\n\\nSample Output 1\\n\\n{statement_output}\\n\\n" \\
            "Sample Input 2\\n\\n5\\n\\nSample Output 2\\n\\n10\\n"
        REFERENCE = {reference!r}
        PUBLIC_INPUTS = ["2\\n", "5\\n"]

        def generate_inputs(rng):
            return [f"{{rng.randint(0, 9)}}\\n" for _ in range(10)]
    '''
    (directory / "ad_049_double.py").write_text(inspect.cleandoc(source) + "\n")


def test_build_rejects_a_statement_whose_example_disagrees_with_the_reference(tmp_path):
    build = build_module()
    _write_problem(tmp_path, statement_output="5", reference="print(2 * int(input()))\n")
    [problem] = build.load_problems(tmp_path)
    with pytest.raises(build.BuildError, match="example 1 is not in the statement"):
        build.build_problem(problem)


def test_build_rejects_a_reference_that_crashes(tmp_path):
    build = build_module()
    _write_problem(tmp_path, statement_output="4", reference="print(2 * int(input()) // 0)\n")
    [problem] = build.load_problems(tmp_path)
    with pytest.raises(build.BuildError, match="ZeroDivisionError"):
        build.build_problem(problem)


def test_build_accepts_a_consistent_problem(tmp_path):
    build = build_module()
    _write_problem(tmp_path, statement_output="4", reference="print(2 * int(input()))\n")
    [problem] = build.load_problems(tmp_path)
    row, _ = build.build_problem(problem)
    assert json.loads(row["public_test_cases"])[1] == {"input": "5\n", "output": "10\n", "testtype": "stdin"}
    assert len(json.loads(row["private_test_cases"])) == 10


# ---------------------------------------------------------------------------------------------------------
# Grading with the real sandbox (local backend)


@pytest.fixture(scope="module")
def sandbox():
    from sandbox.config import SandboxConfig
    from sandbox.factory import open_sandbox

    with open_sandbox(SandboxConfig(backend="local", timeout=TIME_LIMIT)) as box:
        yield box


@pytest.mark.slow
@pytest.mark.parametrize("task_id", sorted(problems()))
def test_reference_passes_every_test(sandbox, task_id):
    task = bundled()[task_id]
    result = sandbox.grade(reference_solution(task), task, task.all_tests, timeout=TIME_LIMIT, stop_on_failure=True)
    assert result.verdict == "pass", (result.message, [(t.index, t.verdict, t.error) for t in result.tests][-1:])
    assert len(result.tests) == len(task.all_tests)


@pytest.mark.slow
@pytest.mark.parametrize("task_id", sorted(i for i, p in problems().items() if p.naive))
def test_naive_solution_passes_the_examples_but_times_out_on_the_large_input(sandbox, task_id):
    task = bundled()[task_id]
    naive = problems()[task_id].naive
    examples = sandbox.grade(naive, task, task.public_tests, timeout=TIME_LIMIT, stop_on_failure=True)
    assert examples.verdict == "pass", examples.message
    largest = max(task.hidden_tests, key=lambda t: len(t.input))
    result = sandbox.grade(naive, task, [largest], timeout=TIME_LIMIT, stop_on_failure=True)
    assert result.verdict == "time_limit", result.message
