"""A generation engine from outside the project, for the registry tests: `--engine engine_plugin:ReplayEngine`.

It writes the canned answer given in its options (or tokens from the trainable model's own generate when there is
none), and records every WeightsChanged it is told about, so a test can see that an engine other than hf follows
the learner's weights through the seam alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.protocols import Generation


class ReplayEngine:
    @dataclass
    class Options:
        answer: str = ""
        """Every attempt's text; empty: sample from the trainable model."""

    @classmethod
    def open(cls, trainable, options: "ReplayEngine.Options") -> "ReplayEngine":
        return cls(trainable, options)

    def __init__(self, trainable, options: "ReplayEngine.Options") -> None:
        self.trainable = trainable
        self.options = options
        self.events = []
        self.last_generation = None
        trainable.history.subscribe(self.events.append)
        self.context_window = trainable.context_window
        self.chat_ids = trainable.chat_ids

    def generate(self, messages, n, sampling):
        if not self.options.answer:
            return self.trainable.generate(messages, n, sampling)
        tokenizer = self.trainable.tokenizer
        ids = tokenizer.encode(self.options.answer, add_special_tokens=False)
        return [Generation(text=self.options.answer, ids=list(ids), prompt_ids=self.chat_ids(messages))
                for _ in range(n)]

    def stream(self, messages, sampling, stop_event=None):
        (self.last_generation,) = self.generate(messages, 1, sampling)
        yield self.last_generation.text
