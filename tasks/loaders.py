"""Loading task sets: a JSONL file, a directory of LiveCodeBench release files, or a built-in set name.

Built-in sets: `bundled` (every problem in tasks/data/bundled.jsonl), `starter` (the bundled problems whose
metadata has "starter": true, easy enough for a tiny model), `heldout` (the bundled problems that are not in
starter: a held-out split for a session over starter), `humaneval` (the 164 HumanEval problems) and
`humaneval-subset` (a fixed 40 of them, HumanEval/0 to /39: the forgetting check).

Filters narrow a set in this order: release (which files of a directory are read), difficulty, platform,
contest date (since/until, inclusive, on the date part; a task without a date is excluded by either),
ids (kept in the order given; an unknown id is an error), and limit last.

Every row's header fields are checked, whatever the filters; the tests, which dominate the cost of a real
release file, are decoded only for the rows the filters keep. Load without filters to check a whole file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

from tasks import humaneval, lcb
from tasks.model import DIFFICULTIES, Task, TaskFormatError

BUILTIN_SETS: tuple[str, ...] = ("bundled", "starter", "heldout", "humaneval", "humaneval-subset")
HUMANEVAL_SUBSET = 40
"""The forgetting check's HumanEval problems: the first this many (fixed, so before and after compare)."""


class TaskSelectionError(ValueError):
    """The request names no task that exists: an unknown set or id, bad filter values, or an empty result."""


def _as_list(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """Accept one value, a comma-separated string, or a list of either."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    out = [part.strip() for item in items for part in item.split(",") if part.strip()]
    return tuple(dict.fromkeys(out)) if out else None


def _iso_date(name: str, value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise TaskSelectionError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD") from None


@dataclass
class TaskFilters:
    """Which tasks of a set to keep. Lists may also be given as comma-separated strings."""

    difficulty: str | Sequence[str] | None = None
    """Keep only these difficulties (easy, medium, hard)."""
    platform: str | Sequence[str] | None = None
    """Keep only these platforms (leetcode, codeforces, atcoder, autodidact, humaneval, ...)."""
    since: str | date | None = None
    """Keep tasks whose contest date is on or after this ISO date."""
    until: str | date | None = None
    """Keep tasks whose contest date is on or before this ISO date."""
    release: str | None = None
    """LiveCodeBench release v1..v6; only for a directory of release files."""
    ids: str | Sequence[str] | None = None
    """Keep exactly these task ids, in this order."""
    limit: int | None = None
    """Keep at most this many tasks, applied last."""

    def __post_init__(self) -> None:
        self.difficulty = _as_list(self.difficulty)
        if self.difficulty:
            self.difficulty = tuple(d.lower() for d in self.difficulty)
            bad = [d for d in self.difficulty if d not in DIFFICULTIES]
            if bad:
                raise TaskSelectionError(f"difficulty {bad[0]!r} is unknown; use one of {', '.join(DIFFICULTIES)}")
        self.platform = _as_list(self.platform)
        if self.platform:
            self.platform = tuple(p.lower() for p in self.platform)
        self.since = _iso_date("since", self.since)
        self.until = _iso_date("until", self.until)
        if self.since and self.until and self.since > self.until:
            raise TaskSelectionError(f"since {self.since} is after until {self.until}; swap them")
        if self.release is not None and self.release not in lcb.RELEASES:
            raise TaskSelectionError(f"release {self.release!r} is unknown; use one of {', '.join(lcb.RELEASES)}")
        self.ids = _as_list(self.ids)
        if self.limit is not None and self.limit < 1:
            raise TaskSelectionError(f"limit must be >= 1, got {self.limit}")

    def keeps(self, task: Task | lcb.RowHeader) -> bool:
        """Whether a task (or a row header, before its tests are decoded) passes every filter but limit."""
        if self.difficulty and task.difficulty not in self.difficulty:
            return False
        if self.platform and task.platform.lower() not in self.platform:
            return False
        if self.since or self.until:
            if not task.contest_date:
                return False
            day = date.fromisoformat(task.contest_date[:10])
            if (self.since and day < self.since) or (self.until and day > self.until):
                return False
        return not self.ids or task.id in self.ids

    def describe(self) -> str:
        """The filters that are set, as `name=value` words (for error messages)."""
        words = []
        for name in ("release", "difficulty", "platform", "since", "until", "ids", "limit"):
            value = getattr(self, name)
            if value is not None:
                shown = ",".join(value) if isinstance(value, tuple) else str(value)
                words.append(f"{name}={shown}")
        return " ".join(words) or "no filters"


def bundled_path() -> Path:
    """tasks/data/bundled.jsonl inside the installed package."""
    path = Path(str(resources.files("tasks.data") / "bundled.jsonl"))
    if not path.is_file():
        raise TaskSelectionError(f"the bundled problem set is missing ({path}); regenerate it with "
                                 "python scripts/build_problems.py, or reinstall autodidact")
    return path


def _read_source(spec: str, filters: TaskFilters) -> tuple[list[Task], list[str]]:
    """(tasks passing the filters, every id in the set) for one spec; ids are checked unique."""
    first_seen: dict[str, str] = {}

    def member(header: lcb.RowHeader) -> bool:
        """Record a row of the set (every row, filtered or not, so unknown ids and duplicates are seen)."""
        if header.id in first_seen:
            raise lcb.format_error(header.path, header.line, "question_id",
                                   f"duplicate id {header.id!r} (first at {first_seen[header.id]})",
                                   "ids must be unique within a task set; rename one of them")
        first_seen[header.id] = f"{header.path}:{header.line}"
        return True

    if spec in ("humaneval", "humaneval-subset"):
        if filters.release:
            raise TaskSelectionError(f"release selects LiveCodeBench files; it does not apply to {spec}")
        everything = humaneval.load_humaneval()
        if spec == "humaneval-subset":
            everything = everything[:HUMANEVAL_SUBSET]
        return [t for t in everything if filters.keeps(t)], [t.id for t in everything]
    if spec in ("bundled", "starter", "heldout"):
        if filters.release:
            raise TaskSelectionError(f"release selects LiveCodeBench files; it does not apply to {spec}")

        def keep_builtin(h: lcb.RowHeader) -> bool:
            starter = h.metadata.get("starter") is True
            if (spec == "starter" and not starter) or (spec == "heldout" and starter):
                return False
            return member(h) and filters.keeps(h)
        return lcb.read_tasks(bundled_path(), source=spec, keep=keep_builtin), list(first_seen)

    path = Path(spec).expanduser()
    if path.is_dir():
        files = lcb.release_files(path, filters.release)
    elif path.is_file():
        if filters.release:
            raise TaskSelectionError(f"release selects files in a LiveCodeBench directory, but {spec} is one "
                                     f"file; pass its directory ({path.parent}) instead")
        files = [path]
    else:
        close = difflib.get_close_matches(spec, BUILTIN_SETS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise TaskSelectionError(f"task set {spec!r} is not a file, a directory or a built-in set{hint}; "
                                 f"use a JSONL path, an LCB directory, or one of {', '.join(BUILTIN_SETS)}")
    tasks: list[Task] = []
    for file in files:
        tasks += lcb.read_tasks(file, source=str(file), keep=lambda h: member(h) and filters.keeps(h))
    return tasks, list(first_seen)


def _unknown_id_error(task_id: str, spec: str, known: list[str]) -> TaskSelectionError:
    close = difflib.get_close_matches(task_id, known, n=3, cutoff=0.5)
    if close:
        hint = f"closest: {', '.join(close)}"
    elif known:
        hint = f"ids start {', '.join(known[:3])} ({len(known)} in all)"
    else:
        hint = "the set is empty"
    return TaskSelectionError(f"task {task_id!r} is not in {spec} ({hint}); "
                              f"see `autodidact tasks list {spec}` for every id")


def select_tasks(spec: str, filters: TaskFilters) -> list[Task]:
    """The tasks of `spec` that pass `filters`, in file order, or in the order of filters.ids when given."""
    tasks, known = _read_source(spec, filters)
    if filters.ids:
        known_set = set(known)
        for task_id in filters.ids:
            if task_id not in known_set:
                raise _unknown_id_error(task_id, spec, known)
        by_id = {t.id: t for t in tasks}
        tasks = [by_id[i] for i in filters.ids if i in by_id]
    return tasks[: filters.limit] if filters.limit else tasks


def load_taskset(
    spec: str, *, difficulty: str | Sequence[str] | None = None, platform: str | Sequence[str] | None = None,
    since: str | date | None = None, until: str | date | None = None, release: str | None = None,
    ids: str | Sequence[str] | None = None, limit: int | None = None,
) -> list[Task]:
    """Load a task set (JSONL path, LCB release directory, or a built-in set name) and filter it.

    Returns [] when the filters exclude everything; callers that need tasks use require_nonempty.
    Raises TaskFormatError for a malformed file and TaskSelectionError for a bad request.
    """
    filters = TaskFilters(difficulty=difficulty, platform=platform, since=since, until=until,
                          release=release, ids=ids, limit=limit)
    return select_tasks(spec, filters)


def require_nonempty(tasks: list[Task], spec: str, filters: TaskFilters | Mapping[str, object] | None = None
                     ) -> list[Task]:
    """Return `tasks`, or raise TaskSelectionError naming the set and the filters that left nothing."""
    if tasks:
        return tasks
    if isinstance(filters, Mapping):
        filters = TaskFilters(**{k: v for k, v in filters.items() if v is not None})
    described = filters.describe() if filters else "no filters"
    raise TaskSelectionError(f"no task in {spec} matches ({described}); loosen the filters, "
                             f"see `autodidact tasks list {spec}`")


def get_task(spec: str, task_id: str) -> Task:
    """One task of a set by id; an unknown id raises TaskSelectionError naming the closest ids."""
    tasks = load_taskset(spec, ids=[task_id])
    if not tasks:  # only reachable if the set changed underfoot; select_tasks checks ids
        raise TaskSelectionError(f"task {task_id!r} is not in {spec}; see `autodidact tasks list {spec}`")
    return tasks[0]


__all__ = [
    "BUILTIN_SETS", "TaskFilters", "TaskFormatError", "TaskSelectionError", "get_task", "load_taskset",
    "require_nonempty", "select_tasks",
]
