"""Problems: the Task/TestCase model, loaders for LiveCodeBench rows, HumanEval and the bundled sets."""

from tasks.model import Task, TestCase, TaskFormatError

__all__ = ["Task", "TestCase", "TaskFormatError"]
