"""The problem prompt (LiveCodeBench wording) and getting code and answers back out of model text."""

from __future__ import annotations

import pytest

from agent.episode.prompts import SYSTEM_PROMPT, extract_code, problem_messages, problem_prompt, strip_thinking
from tasks.model import Task, TestCase


def make_task(kind: str, starter: str = "", func_name: str | None = None) -> Task:
    test = TestCase("1 2\n", "3\n", kind)
    return Task(id="t1", title="Sum", statement="Add two numbers.", kind=kind, public_tests=(test,),
                hidden_tests=(), starter_code=starter, func_name=func_name)


def test_stdin_prompt_is_livecodebench_wording():
    expected = (
        "### Question:\nAdd two numbers.\n\n"
        "### Format: Read the inputs from stdin solve the problem and write the answer to stdout (do not "
        "directly test on the sample inputs). Enclose your code within delimiters as follows. Ensure that "
        "when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.\n"
        "```python\n# YOUR CODE HERE\n```\n\n"
        "### Answer: (use the provided format with backticks)\n\n")
    assert problem_prompt(make_task("stdin")) == expected


def test_functional_prompt_shows_starter_code():
    starter = "class Solution:\n    def add(self, a: int, b: int) -> int:\n        "
    expected = (
        "### Question:\nAdd two numbers.\n\n"
        "### Format: You will use the following starter code to write the solution to the problem and "
        "enclose your code within delimiters.\n"
        f"```python\n{starter}\n```\n\n"
        "### Answer: (use the provided format with backticks)\n\n")
    assert problem_prompt(make_task("functional", starter, "add")) == expected


def test_check_prompt_asks_for_the_complete_function():
    text = problem_prompt(make_task("check", "def add(a, b):\n    \"\"\"Sum.\"\"\"\n"))
    assert "complete function" in text
    assert "```python\ndef add(a, b):" in text
    assert text.endswith("### Answer: (use the provided format with backticks)\n\n")


def test_messages_with_and_without_system_prompt():
    task = make_task("stdin")
    with_system = problem_messages(task)
    assert with_system == [{"role": "system", "content": SYSTEM_PROMPT},
                           {"role": "user", "content": problem_prompt(task)}]
    assert problem_messages(task, system=False) == with_system[1:]
    assert SYSTEM_PROMPT.startswith("You are an expert Python programmer.")


@pytest.mark.parametrize("text, code", [
    ("Here:\n```python\nprint(1)\n```\nDone.", "print(1)\n"),
    ("```\nx = 1\n```", "x = 1\n"),
    # the last block wins
    ("```python\nfirst()\n```\nBetter:\n```python\nsecond()\n```\n", "second()\n"),
    # blocks in another language are not code to run
    ("```python\nsolve()\n```\nOutput:\n```text\n42\n```", "solve()\n"),
    ("```Python3\nimport sys\n\nprint(sys.argv)\n```", "import sys\n\nprint(sys.argv)\n"),
    # unterminated final block: generation ended (EOS or length) inside the code
    ("```python\ndef f():\n    return 1", "def f():\n    return 1\n"),
    ("```python\na()\n```\nand then\n```python\nb(", "b(\n"),
    # blank lines around the code are dropped, indentation kept
    ("```python\n\n    indented()\n\n```", "    indented()\n"),
    ("```python\n```", ""),
])
def test_extract_code_finds_the_last_python_block(text, code):
    assert extract_code(text) == code


@pytest.mark.parametrize("text", ["no code here", "", "inline `code` only", "```text\nnot python\n```"])
def test_extract_code_without_a_block_is_none(text):
    assert extract_code(text) is None


@pytest.mark.parametrize("text, answer", [
    ("<think>plan the loop</think>\n```python\nx()\n```", "```python\nx()\n```"),
    ("<think>a</think>mid<think>b</think>end", "midend"),
    ("reasoning opened by the template</think>\nfinal", "final"),
    ("answer first <think>still thinking when cut off", "answer first"),
    ("no thinking at all", "no thinking at all"),
])
def test_strip_thinking(text, answer):
    assert strip_thinking(text) == answer
