"""Reference solutions: known-correct programs used to validate task sets, never shown to the model.

Where a task's reference lives depends on where the task came from (Task.source):
- bundled / starter: tasks/data/references/<task id>.py inside the package;
- humaneval: the package's prompt followed by its canonical solution;
- a JSONL file: references/<task id>.py next to that file (the same layout as the bundled set).
Ids that are not plain file names (anything but letters, digits, '_', '-', '.') have no reference file.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from tasks import humaneval
from tasks.model import Task

_FILE_NAME = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*")


def reference_path(task: Task) -> Path | None:
    """Where the task's reference file would be, or None when it has no file (humaneval, odd ids)."""
    if task.source == humaneval.SOURCE or not _FILE_NAME.fullmatch(task.id):
        return None
    if task.source in ("bundled", "starter"):
        return Path(str(resources.files("tasks.data") / "references")) / f"{task.id}.py"
    if task.source:
        return Path(task.source).parent / "references" / f"{task.id}.py"
    return None


def reference_solution(task: Task) -> str | None:
    """The task's reference program, or None when it has none."""
    if task.source == humaneval.SOURCE:
        return humaneval.canonical_program(task.id)
    path = reference_path(task)
    return path.read_text(encoding="utf-8") if path is not None and path.is_file() else None
