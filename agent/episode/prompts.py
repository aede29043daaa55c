"""Every piece of prompt wording, and getting code back out of an answer.

The problem prompt the engine sees; the extended prompt that adds context after a failure (the SDPO teacher's
feedback and demonstration, multi-turn's past feedback), built by one function, with_context; code extraction.

The prompt follows LiveCodeBench's chat-model prompt word for word (its generic system message, a
"### Question:" / "### Format:" / "### Answer:" user turn), so scores stay comparable with published ones.
HumanEval-style tasks (kind "check") have no LiveCodeBench wording; they ask for the complete function.

Code extraction takes the LAST fenced block tagged python (or untagged), as LiveCodeBench takes the last
block. Where this departs from LiveCodeBench: blocks tagged with another language (```text, ```output) are
skipped, and an unterminated final block counts. Small models often end the answer (EOS) right after the
code without a closing fence; and when generation hit the length limit mid-code, grading the cut-off code
yields a compile error, which says more to the learner than "no code block" would.
"""

from __future__ import annotations

import re

from tasks.model import Task

SYSTEM_PROMPT = ("You are an expert Python programmer. You will be given a question (problem specification) "
                 "and will generate a correct Python program that matches the specification and passes all "
                 "tests.")

FORMAT_WITH_STARTER = ("You will use the following starter code to write the solution to the problem and "
                       "enclose your code within delimiters.")
FORMAT_STDIN = ("Read the inputs from stdin solve the problem and write the answer to stdout (do not directly "
                "test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when "
                "the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.")
FORMAT_FUNCTION = ("Write the complete function, with its signature and any imports it needs, in one Python "
                   "code block.")
ANSWER_LINE = "### Answer: (use the provided format with backticks)\n\n"

PYTHON_TAGS = ("", "python", "python3", "py")

DEMONSTRATION_HEADER = "\nCorrect solution:\n\n"
FEEDBACK_HEADER = "\nThe following is feedback from your unsuccessful earlier attempt:\n\n"
PAST_FEEDBACK_HEADER = "\nThe following is feedback from your unsuccessful earlier attempts:\n\n"
CLOSING_INSTRUCTION = "\n\nCorrectly solve the original question."


def with_context(prompt: str, context: str) -> str:
    """`prompt` extended by `context` (headers included) and the closing instruction.

    "{prompt}{context}\\n\\nCorrectly solve the original question." as in the paper, except that a prompt
    ending in the answer line keeps that line last: the extended prompt then ends exactly as the plain one does,
    with the context between the question and the cue to answer. With the cue buried above the feedback, the
    135M model dropped the fenced code block in 6 of 40 samples (this layout: 1 of 40, the plain prompt: none;
    README, held-out evaluation).
    """
    if prompt.endswith(ANSWER_LINE):
        body = prompt[: -len(ANSWER_LINE)].rstrip("\n") + "\n"
        return body + context + CLOSING_INSTRUCTION + "\n\n" + ANSWER_LINE
    return prompt + context + CLOSING_INSTRUCTION


def problem_prompt(task: Task) -> str:
    """The user turn for one task: question, format instruction with a code block, answer line."""
    text = f"### Question:\n{task.statement}\n\n"
    if task.kind == "check":
        text += f"### Format: {FORMAT_FUNCTION}\n"
        if task.starter_code:
            text += f"```python\n{task.starter_code}\n```\n"
        text += "\n"
    elif task.kind in ("stdin", "functional"):
        # LiveCodeBench decides by the starter code, not the test type; a functional task always has one.
        if task.starter_code:
            text += f"### Format: {FORMAT_WITH_STARTER}\n```python\n{task.starter_code}\n```\n\n"
        else:
            text += f"### Format: {FORMAT_STDIN}\n```python\n# YOUR CODE HERE\n```\n\n"
    else:
        raise ValueError(f"task {task.id!r}: unknown kind {task.kind!r}; expected stdin, functional or check")
    return text + ANSWER_LINE


def problem_messages(task: Task, system: bool = True) -> list[dict]:
    """Chat messages for a task: the LiveCodeBench system prompt (unless system=False) and the user turn."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}] if system else []
    return messages + [{"role": "user", "content": problem_prompt(task)}]


_FENCE = re.compile(r"^\s*```+\s*([\w+.#-]*)\s*$")


def extract_code(text: str) -> str | None:
    """The last python (or untagged) fenced code block in `text`, or None when there is none.

    The code ends with one newline; an empty block gives "".
    An unterminated final block (no closing fence) counts; see the module docstring for why.
    """
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if current is None:
            if fence or line.lstrip().startswith("```"):
                tag = fence.group(1).lower() if fence else line.lstrip().lstrip("`").split()[0].lower()
                current = []
                blocks.append((tag, current))
        elif fence and not fence.group(1):
            current = None
        else:
            current.append(line)
    code_blocks = [lines for tag, lines in blocks if tag in PYTHON_TAGS]
    if not code_blocks:
        return None
    code = "\n".join(code_blocks[-1]).strip("\n")
    return code + "\n" if code.strip() else ""


_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.DOTALL)


def strip_thinking(text: str) -> str:
    """Remove reasoning: <think>...</think> blocks, text before a lone </think>, an unclosed <think> tail."""
    text = _THINK_BLOCK.sub("", text)
    if "</think>" in text:  # the template opened the block inside the prompt
        text = text.rsplit("</think>", 1)[1]
    if "<think>" in text:  # generation stopped while still thinking
        text = text.split("<think>", 1)[0]
    return text.strip()
