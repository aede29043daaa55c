"""Grading: runs code against a task's tests in an isolated sandbox and turns the result into feedback."""

from sandbox.result import VERDICTS, GradeResult, TestResult

__all__ = ["VERDICTS", "GradeResult", "TestResult"]
