"""Teacher contexts: the problem prompt plus what the model learned from its attempt, as token ids.

The teacher is the same model as the student, shown more: a successful solution (a demonstration) and/or the
feedback from the attempt's failing tests. Both score the same response tokens. This module builds the two id
sequences from one episode and decides when an episode carries no signal.

Token alignment: each sequence is chat-template prefix ids (ending at the generation prompt) followed by the
attempt's generated ids, unchanged. The response is never decoded and re-tokenized, because BPE merges across
the join would differ; both sequences are checked to end in exactly the attempt's ids.

Truncation rule for long teacher contexts: the teacher prefix must fit in
min(max_teacher_prompt_tokens, context_window - response length). When it does not, the problem prompt, the
headers and the closing instruction are kept whole and the demonstration and feedback are cut in their middle
(head and tail kept, a marker in between), the longer part first: every part is capped at the same number of
tokens, the largest cap that fits. If even a cap of MIN_PART_TOKENS does not fit (the problem prompt alone is
too long), the episode carries no signal and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from agent.episode.prompts import (
    CLOSING_INSTRUCTION, DEMONSTRATION_HEADER, FEEDBACK_HEADER, strip_thinking, with_context,
)

CUT_MARKER = "\n[... cut to fit the context window ...]\n"
MIN_PART_TOKENS = 16
"""Below this many tokens a cut demonstration or feedback says too little to be worth a teacher pass."""

ChatIds = Callable[..., list[int]]
"""policy.chat_ids(messages, add_generation_prompt=True) -> the chat-template prefix ids."""


class NoSignal(Exception):
    """An episode contributes no loss; the message says why (shown in the update's statistics)."""


@dataclass
class EpisodeSequences:
    """The two id sequences of one episode, both ending in the attempt's ids."""

    student_ids: list[int]
    teacher_ids: list[int]
    response_length: int
    truncated: bool
    """True when the demonstration or feedback was cut to fit the teacher's budget."""

    @property
    def teacher_prompt_tokens(self) -> int:
        return len(self.teacher_ids) - self.response_length


def teacher_prompt(prompt: str, feedback: str | None = None, demonstration: str | None = None) -> str | None:
    """The teacher's user turn, or None when there is neither feedback nor a demonstration (no signal).

    The problem prompt extended (agent/episode/prompts.py with_context) by
    "[\\nCorrect solution:\\n\\n{demonstration}][\\nThe following is feedback from your unsuccessful earlier
    attempt:\\n\\n{feedback}]". Thinking is removed from the demonstration; blank feedback or demonstration
    counts as absent.
    """
    demonstration = strip_thinking(demonstration) if demonstration else ""
    feedback = feedback.strip() if feedback else ""
    if not demonstration and not feedback:
        return None
    context = DEMONSTRATION_HEADER + demonstration if demonstration else ""
    if feedback:
        context += FEEDBACK_HEADER + feedback
    return with_context(prompt, context)


def chat_messages(user: str, system: str | None = None, history: Sequence[dict] | None = None) -> list[dict]:
    """One user turn, preceded by the system prompt when there is one and by earlier turns when there are."""
    messages = [{"role": "system", "content": system}] if system else []
    return messages + list(history or []) + [{"role": "user", "content": user}]


def build_sequences(
    chat_ids: ChatIds,
    tokenizer: Any,
    *,
    prompt: str,
    response_ids: Sequence[int],
    feedback: str | None = None,
    demonstration: str | None = None,
    system: str | None = None,
    history: Sequence[dict] | None = None,
    context_window: int,
    max_teacher_prompt_tokens: int | None = None,
) -> EpisodeSequences:
    """Student and teacher id sequences for one episode; raises NoSignal with the reason when it has none."""
    response = [int(i) for i in response_ids]
    if not response:
        raise NoSignal("empty attempt: no response ids to score")
    if teacher_prompt(prompt, feedback, demonstration) is None:
        raise NoSignal("no feedback and no demonstration")

    student_prefix = chat_ids(chat_messages(prompt, system, history), add_generation_prompt=True)
    if len(student_prefix) + len(response) > context_window:
        raise NoSignal(
            f"the attempt does not fit the context window: {len(student_prefix)} prompt + {len(response)} "
            f"response tokens > {context_window}"
        )
    budget = context_window - len(response)
    if max_teacher_prompt_tokens is not None:
        budget = min(budget, max_teacher_prompt_tokens)

    teacher_prefix, truncated = _fit_teacher_prefix(
        chat_ids, tokenizer, prompt, feedback, demonstration, system, budget, history
    )
    sequences = EpisodeSequences(
        student_ids=list(student_prefix) + response,
        teacher_ids=list(teacher_prefix) + response,
        response_length=len(response),
        truncated=truncated,
    )
    # Alignment is what makes the per-token comparison meaningful; check it rather than trust construction.
    for name, ids in (("student", sequences.student_ids), ("teacher", sequences.teacher_ids)):
        if ids[-len(response):] != response:
            raise AssertionError(f"the {name} sequence does not end in the attempt's ids")
    return sequences


def _fit_teacher_prefix(
    chat_ids: ChatIds,
    tokenizer: Any,
    prompt: str,
    feedback: str | None,
    demonstration: str | None,
    system: str | None,
    budget: int,
    history: Sequence[dict] | None = None,
) -> tuple[list[int], bool]:
    def prefix(demo: str | None, fb: str | None) -> list[int]:
        text = teacher_prompt(prompt, fb, demo)
        assert text is not None  # the parts are non-empty whenever the originals were
        return chat_ids(chat_messages(text, system, history), add_generation_prompt=True)

    demo = strip_thinking(demonstration) if demonstration else None
    fb = feedback.strip() if feedback else None
    whole = prefix(demo, fb)
    if len(whole) <= budget:
        return whole, False

    parts = {name: tokenizer.encode(text, add_special_tokens=False) for name, text in (("demo", demo), ("fb", fb))
             if text}

    def cut(cap: int) -> list[int]:
        texts = {name: _cut_middle(tokenizer, ids, cap) for name, ids in parts.items()}
        return prefix(texts.get("demo"), texts.get("fb"))

    # Binary search for the largest per-part cap that fits; the prefix length grows with the cap.
    low, high = MIN_PART_TOKENS, max(len(ids) for ids in parts.values())
    best = cut(low)
    if len(best) > budget:
        prompt_only = len(chat_ids(chat_messages(prompt + CLOSING_INSTRUCTION, system, history),
                                     add_generation_prompt=True))
        raise NoSignal(
            f"the teacher context does not fit: with the feedback/demonstration cut to {MIN_PART_TOKENS} tokens "
            f"it takes {len(best)} tokens (the problem prompt alone {prompt_only}) of a teacher budget of "
            f"{budget}; raise max_teacher_prompt_tokens or use a model with a longer context"
        )
    while low < high:
        middle = (low + high + 1) // 2
        candidate = cut(middle)
        if len(candidate) <= budget:
            low, best = middle, candidate
        else:
            high = middle - 1
    return best, True


def _cut_middle(tokenizer: Any, ids: list[int], cap: int) -> str:
    """The text of `ids`, with its middle replaced by a marker when longer than `cap` tokens."""
    if len(ids) <= cap:
        return tokenizer.decode(ids)
    head = (cap + 1) // 2
    tail = cap - head
    return tokenizer.decode(ids[:head]) + CUT_MARKER + tokenizer.decode(ids[len(ids) - tail:])
