"""Helpers shared by the problem modules: how one test input is written as text.

A stdin input is the exact text the program reads; a functional input is one JSON value per line, one line per
argument of the method, in the order of its signature.
"""

from __future__ import annotations

import json
from typing import Iterable


def args_input(*args: object) -> str:
    """The input of a functional test: each argument as one JSON line."""
    return "\n".join(json.dumps(a) for a in args)


def stdin_input(*rows: str | int | Iterable[object]) -> str:
    """The input of a stdin test: one line per row; a row that is a sequence is written space-separated."""
    lines = []
    for row in rows:
        if isinstance(row, (str, int)):
            lines.append(str(row))
        else:
            lines.append(" ".join(str(x) for x in row))
    return "\n".join(lines) + "\n"
