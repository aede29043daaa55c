"""The ways of spending an attempt budget that autodidact compares.

- best-of-k: independent samples of the plain prompt; no learning; does not stop at a success, because the
  unbiased pass@k estimator needs all n samples.
- multi-turn: the plain prompt extended by all past feedback (not past attempts) and "Correctly solve the
  original question." (agent/episode/prompts.py with_context, as the SDPO teacher's); one attempt per turn;
  oldest feedback dropped first when the context is full; no learning.
- sdpo: the plain prompt; after every batch, one SDPO update on the batch (agent/learn/sdpo.py).
- sdpo-grpo: sdpo's loop with the update blended with a GRPO-style policy-gradient term (distillation_weight).

A method names the messages the policy sees and what happens after a batch; the loop (agent/episode/loop.py) does
the rest. Methods are chosen by name with `make_method`.
"""

from __future__ import annotations

from typing import Sequence

from agent import registry
from agent.protocols import UpdateStats
from tasks.model import Task

LEARNING_METHODS: tuple[str, ...] = registry.names("learner")
"""The methods that update the weights: one per registered learner, of the same name (agent/registry.py)."""
METHODS: tuple[str, ...] = ("best-of-k", "multi-turn", *LEARNING_METHODS)



def _split(messages: list[dict]) -> tuple[str, str | None]:
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    return messages[-1]["content"], system


class BestOfK:
    name = "best-of-k"
    stop_on_success = False
    independent = True
    learner = None

    def batch_size(self, batch: int) -> int:
        return batch

    def messages(self, task: Task, past_feedback: Sequence[str]) -> list[dict]:
        from agent.episode.prompts import problem_messages

        return problem_messages(task)

    def learn(self, task: Task, messages: list[dict], attempts) -> UpdateStats | None:
        return None


class MultiTurn:
    name = "multi-turn"
    stop_on_success = True
    independent = False
    learner = None

    def __init__(self, policy, max_new_tokens: int):
        self.policy = policy
        self.max_new_tokens = max_new_tokens

    def batch_size(self, batch: int) -> int:
        return 1  # each turn depends on the feedback of the one before

    def messages(self, task: Task, past_feedback: Sequence[str]) -> list[dict]:
        from agent.episode.prompts import problem_messages

        base = problem_messages(task)
        kept = list(past_feedback)
        while kept:
            messages = base[:-1] + [{"role": "user", "content": self._with_feedback(base[-1]["content"], kept)}]
            if not self._fits(messages):
                kept.pop(0)  # oldest first
                continue
            return messages
        return base

    @staticmethod
    def _with_feedback(prompt: str, feedback: Sequence[str]) -> str:
        from agent.episode.prompts import PAST_FEEDBACK_HEADER, with_context

        blocks = "\n\n".join(f"Attempt {i + 1}:\n{text}" for i, text in enumerate(feedback))
        return with_context(prompt, PAST_FEEDBACK_HEADER + blocks)

    def _fits(self, messages: list[dict]) -> bool:
        window = getattr(self.policy, "context_window", None)
        chat_ids = getattr(self.policy, "chat_ids", None)
        if window is None or chat_ids is None:
            return True  # a remote model: its server reports an over-long prompt itself
        return len(chat_ids(messages)) + self.max_new_tokens <= window

    def learn(self, task: Task, messages: list[dict], attempts) -> UpdateStats | None:
        return None


class SDPO:
    stop_on_success = True
    independent = False

    def __init__(self, learner, name: str = "sdpo"):
        self.learner = learner
        self.name = name

    def batch_size(self, batch: int) -> int:
        return batch

    def messages(self, task: Task, past_feedback: Sequence[str]) -> list[dict]:
        from agent.episode.prompts import problem_messages

        return problem_messages(task)

    def learn(self, task: Task, messages: list[dict], attempts) -> UpdateStats | None:
        from agent.episode.loop import learner_episodes

        prompt, system = _split(messages)
        return self.learner.update(learner_episodes(prompt, system, attempts))


class NoLearning(SDPO):
    """The sdpo method's prompts with learning switched off (`autodidact run --learn none`)."""

    def __init__(self):
        super().__init__(learner=None, name="none")

    def learn(self, task: Task, messages: list[dict], attempts) -> UpdateStats | None:
        return None


def make_method(name: str, *, policy=None, learner=None, max_new_tokens: int = 512):
    if name == "best-of-k":
        return BestOfK()
    elif name == "multi-turn":
        return MultiTurn(policy, max_new_tokens)
    elif name in LEARNING_METHODS:
        if learner is None:
            raise ValueError(f"the {name} method needs a learner (a local model with token ids), not a remote model")
        return SDPO(learner, name)
    elif name == "none":
        return NoLearning()
    elif learner is not None:  # a learner named by dotted path (`run --learn pkg.module:Learner`)
        return SDPO(learner, name)
    else:
        raise ValueError(f"method {name!r} is unknown; choose one of {', '.join(METHODS)}")
