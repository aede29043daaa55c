"""LiveCodeBench-style rows for the task-loading tests (test_tasks.py, test_cli_tasks.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.lcb import encode_private_tests
from tasks.model import TestCase as Case  # aliased so pytest does not try to collect it


def stdin_row(qid: str = "abc100_a", **overrides) -> dict:
    tests = [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]
    hidden = [{"input": "5 5\n", "output": "10\n", "testtype": "stdin"},
              {"input": "0 0\n", "output": "0\n", "testtype": "stdin"}]
    row = {
        "question_title": f"Sum {qid}", "question_content": "Read a and b; print a + b.", "platform": "atcoder",
        "question_id": qid, "contest_id": "abc100", "contest_date": "2024-03-02T00:00:00", "starter_code": "",
        "difficulty": "easy", "public_test_cases": json.dumps(tests), "private_test_cases": json.dumps(hidden),
        "metadata": "{}",
    }
    row.update(overrides)
    return row


def functional_row(qid: str = "3000", **overrides) -> dict:
    public = [{"input": "[1, 2, 3]", "output": "6", "testtype": "functional"}]
    hidden = [Case("[]", "0", "functional"), Case("[-1, 1]", "0", "functional")]
    row = {
        "question_title": "List Sum", "question_content": "Return the sum of nums.", "platform": "leetcode",
        "question_id": qid, "contest_id": "weekly-contest-400", "contest_date": "2024-06-01T00:00:00",
        "starter_code": "class Solution:\n    def listSum(self, nums: List[int]) -> int:\n        ",
        "difficulty": "medium", "public_test_cases": json.dumps(public),
        "private_test_cases": encode_private_tests(hidden), "metadata": json.dumps({"func_name": "listSum"}),
    }
    row.update(overrides)
    return row


def write_jsonl(path: Path, rows: list, raw_lines: dict[int, str] | None = None) -> Path:
    """Write rows as JSON lines; raw_lines replaces the given 1-based lines with literal text."""
    lines = [json.dumps(r) for r in rows]
    for line_no, text in (raw_lines or {}).items():
        lines[line_no - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mixed_set_file(tmp_path: Path) -> str:
    """Five rows across difficulties, platforms and dates (one undated), as a JSONL file."""
    rows = [
        stdin_row("e1", difficulty="easy", contest_date="2024-01-10T00:00:00"),
        stdin_row("m1", difficulty="medium", contest_date="2024-02-10T00:00:00", platform="codeforces"),
        functional_row("h1", difficulty="hard", contest_date="2024-03-10T00:00:00"),
        stdin_row("e2", difficulty="easy", contest_date="2024-04-10T00:00:00"),
        stdin_row("nodate", difficulty="easy", contest_date=""),
    ]
    return str(write_jsonl(tmp_path / "mixed.jsonl", rows))
