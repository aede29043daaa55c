"""The `tasks` commands, run as the real program: list, show and validate, and their bad-input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lcb_rows import functional_row, mixed_set_file, stdin_row, write_jsonl

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mixed_set(tmp_path) -> str:
    return mixed_set_file(tmp_path)


def autodidact(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def test_cli_list_json(mixed_set):
    done = autodidact("tasks", "list", mixed_set, "--json", "--difficulty", "easy", "--since", "2024-01-01")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [t["id"] for t in listed] == ["e1", "e2"]
    assert {"id", "title", "kind", "difficulty", "n_public", "n_hidden"} <= set(listed[0])
    assert (listed[0]["n_public"], listed[0]["n_hidden"]) == (1, 2)


def test_cli_list_table_and_show(mixed_set):
    done = autodidact("tasks", "list", mixed_set, "--ids", "h1,e1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("h1") < done.stdout.index("e1") and "functional" in done.stdout
    shown = autodidact("tasks", "show", mixed_set, "h1")
    assert shown.returncode == 0, shown.stderr
    assert "Return the sum of nums." in shown.stdout and "def listSum" in shown.stdout
    assert "[1, 2, 3]" in shown.stdout and "[-1, 1]" not in shown.stdout  # hidden tests stay hidden


@pytest.mark.parametrize("argv, expected", [
    (["tasks", "show", "{set}", "zz9"], "is not in"),
    (["tasks", "list", "no/such/file.jsonl"], "is not a file, a directory or a built-in set"),
    (["tasks", "list", "{set}", "--since", "yesterday"], "YYYY-MM-DD"),
    (["tasks", "list", "{bad}"], "field 'question_content'"),
])
def test_cli_bad_input_is_one_line_exit_2(mixed_set, tmp_path, argv, expected):
    row = stdin_row()
    del row["question_content"]
    bad = write_jsonl(tmp_path / "bad.jsonl", [row])
    done = autodidact(*[a.format(set=mixed_set, bad=bad) for a in argv])
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _validation_set(tmp_path) -> Path:
    path = write_jsonl(tmp_path / "v.jsonl", [stdin_row("good"), stdin_row("wrong"), functional_row("fn")])
    refs = tmp_path / "references"
    refs.mkdir()
    (refs / "good.py").write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    (refs / "wrong.py").write_text("a, b = map(int, input().split())\nprint(a - b)\n")
    (refs / "fn.py").write_text("class Solution:\n    def listSum(self, nums):\n        return sum(nums)\n")
    return path


def test_cli_validate_reports_the_failing_reference(tmp_path):
    path = _validation_set(tmp_path)
    done = autodidact("tasks", "validate", str(path), "--sandbox", "local", "--workers", "2")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ok   good" in done.stdout and "ok   fn" in done.stdout
    assert "FAIL wrong wrong_answer" in done.stdout
    assert "2 passed, 1 failed" in done.stdout
    only_good = autodidact("tasks", "validate", str(path), "--sandbox", "local", "--ids", "good,fn")
    assert only_good.returncode == 0, only_good.stdout + only_good.stderr


def test_cli_validate_without_reference_exits_2(tmp_path):
    path = _validation_set(tmp_path)
    (tmp_path / "references" / "fn.py").unlink()
    done = autodidact("tasks", "validate", str(path), "--sandbox", "local", "--ids", "good,fn")
    assert done.returncode == 2
    assert "NO REFERENCE fn" in done.stdout and "ok   good" in done.stdout
    nothing = autodidact("tasks", "validate", str(path), "--sandbox", "local", "--difficulty", "hard")
    assert nothing.returncode == 2 and "no task in" in nothing.stderr
