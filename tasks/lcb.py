"""LiveCodeBench code_generation_lite rows: reading them into Tasks and writing Tasks back as rows.

A row holds question_title, question_content, platform, question_id, contest_id, contest_date, starter_code,
difficulty, public_test_cases (a JSON string), private_test_cases (a JSON string, or base64 of a
zlib-compressed pickle of that JSON string, which is how LiveCodeBench stores large hidden tests) and
metadata (a JSON string; func_name for functional problems). The task's kind is the testtype its tests share.

Releases are cumulative files in one directory: release v1 is test.jsonl, v2 adds test2.jsonl, and so on up
to v6 (400, 511, 612, 713, 880 and 1055 problems).

Every malformed row raises TaskFormatError naming the file, the 1-based line and the field; nothing is
skipped. Parsing is split in two so that a loader can filter on the cheap fields (the row header) before
decoding the tests, which dominate the cost on real release files.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import pickle
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, Sequence

from tasks.model import DIFFICULTIES, TEST_TYPES, Task, TaskFormatError, TestCase

RELEASE_FILES: tuple[str, ...] = tuple(f"test{'' if n == 1 else n}.jsonl" for n in range(1, 7))
"""File names of LiveCodeBench's release increments, oldest first: test.jsonl, test2.jsonl ... test6.jsonl."""
RELEASES: dict[str, tuple[str, ...]] = {f"v{n}": RELEASE_FILES[:n] for n in range(1, 7)}
"""Release name -> the files it is made of (releases are cumulative)."""
RELEASE_SIZES: dict[str, int] = {"v1": 400, "v2": 511, "v3": 612, "v4": 713, "v5": 880, "v6": 1055}

REQUIRED_FIELDS: tuple[str, ...] = (
    "question_title", "question_content", "platform", "question_id", "difficulty",
    "public_test_cases", "private_test_cases",
)
OPTIONAL_FIELDS: dict[str, str] = {"contest_id": "", "contest_date": "", "starter_code": "", "metadata": "{}"}


@dataclass(frozen=True)
class RowHeader:
    """The cheap fields of a row, validated; enough to filter on before decoding tests."""

    id: str
    title: str
    platform: str
    difficulty: str
    contest_date: str
    metadata: dict
    path: Path
    line: int


def format_error(path: Path | str, line: int, field: str, problem: str, fix: str) -> TaskFormatError:
    return TaskFormatError(f"{path}:{line}: field {field!r}: {problem}; {fix}")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (1-based line number, row) for every non-blank line of a JSONL file (optionally .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise format_error(path, line_no, "(line)", f"not valid JSON ({e.msg} at column {e.colno})",
                                   "each line must be one JSON object; fix or remove the line") from None
            if not isinstance(row, dict):
                raise format_error(path, line_no, "(line)", f"a JSON {type(row).__name__}, not an object",
                                   "each line must be one JSON object with the LiveCodeBench row fields")
            yield line_no, row


def release_files(directory: Path, release: str | None) -> list[Path]:
    """The files of `release` in `directory`, or, with no release, every release file the directory has."""
    if release is None:
        present = [directory / name for name in RELEASE_FILES if (directory / name).is_file()]
        if not present:
            raise TaskFormatError(
                f"{directory}: no LiveCodeBench release files ({', '.join(RELEASE_FILES)}); "
                "pass a directory holding test.jsonl ... test6.jsonl, or a single JSONL file")
        return present
    if release not in RELEASES:
        raise ValueError(f"unknown release {release!r}; choose one of {', '.join(RELEASES)}")
    paths = [directory / name for name in RELEASES[release]]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise TaskFormatError(
            f"{directory}: release {release} needs {', '.join(RELEASES[release])} but {', '.join(missing)} "
            "is missing; download the missing files of code_generation_lite into that directory")
    return paths


def read_header(row: dict, path: Path, line: int) -> RowHeader:
    for name in REQUIRED_FIELDS:
        if name not in row:
            raise format_error(path, line, name, "missing",
                               f"every row needs {', '.join(REQUIRED_FIELDS)}")

    def text(name: str) -> str:
        value = row.get(name, OPTIONAL_FIELDS.get(name, ""))
        if not isinstance(value, str):
            raise format_error(path, line, name, f"a {type(value).__name__}, expected a string",
                               "write it as a JSON string")
        return value

    task_id = text("question_id").strip()
    if not task_id:
        raise format_error(path, line, "question_id", "empty", "give every row a unique question_id")
    difficulty = text("difficulty").strip().lower()
    if difficulty not in DIFFICULTIES:
        raise format_error(path, line, "difficulty", f"{difficulty!r} is not a difficulty",
                           f"use one of {', '.join(DIFFICULTIES)}")
    contest_date = text("contest_date").strip()
    if contest_date:
        try:
            date.fromisoformat(contest_date[:10])
        except ValueError:
            raise format_error(path, line, "contest_date", f"{contest_date!r} is not an ISO date",
                               "write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS") from None
    metadata = row.get("metadata", "{}")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata) if metadata.strip() else {}
        except json.JSONDecodeError as e:
            raise format_error(path, line, "metadata", f"not valid JSON ({e.msg})",
                               'write a JSON object string such as "{\\"func_name\\": \\"solve\\"}"') from None
    if not isinstance(metadata, dict):
        raise format_error(path, line, "metadata", f"a JSON {type(metadata).__name__}, expected an object",
                           'write a JSON object string such as "{}"')
    contest_id = text("contest_id")
    if contest_id:
        # Task has no contest_id field; keep it with the metadata so task_to_row can write it back.
        metadata = {**metadata, "contest_id": contest_id}
    return RowHeader(id=task_id, title=text("question_title"), platform=text("platform").strip().lower(),
                     difficulty=difficulty, contest_date=contest_date, metadata=metadata, path=path, line=line)


class _StrOnlyUnpickler(pickle.Unpickler):
    """Unpickling runs code chosen by whoever wrote the data: any global a pickle names can be called. The
    private tests are only ever a pickled str, which needs no globals, so every global is refused."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: only a pickled str is accepted")


def decode_private_tests(value: str) -> list:
    """The list of test dicts in a private_test_cases field (plain JSON, or base64 of zlib of a pickled JSON
    string). Raises ValueError saying which layer failed."""
    if value.lstrip().startswith("["):
        return json.loads(value)
    try:
        packed = base64.b64decode(value.strip(), validate=True)
    except binascii.Error as e:
        raise ValueError(f"neither a JSON list nor base64 ({e})") from None
    try:
        pickled = zlib.decompress(packed)
    except zlib.error as e:
        raise ValueError(f"base64 but not zlib-compressed ({e})") from None
    try:
        text = _StrOnlyUnpickler(io.BytesIO(pickled)).load()
    except Exception as e:  # a hostile or corrupt pickle can fail in many ways; all mean "not our format"
        raise ValueError(f"zlib data is not a pickled string ({e})") from None
    if not isinstance(text, str):
        raise ValueError(f"the pickle holds a {type(text).__name__}, expected a JSON string")
    return json.loads(text)


def encode_private_tests(tests: Sequence[TestCase | dict]) -> str:
    """The compact private_test_cases form: base64 of zlib of a pickled JSON string (LiveCodeBench's)."""
    dicts = [t.to_dict() if isinstance(t, TestCase) else dict(t) for t in tests]
    # Protocol 4 pickles a str with only opcodes the restricted unpickler accepts (no globals).
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(dicts), protocol=4))).decode("ascii")


def _parse_tests(value: object, field: str, path: Path, line: int) -> tuple[TestCase, ...]:
    if isinstance(value, str):
        try:
            value = decode_private_tests(value) if field == "private_test_cases" else json.loads(value)
        except (ValueError, RecursionError) as e:
            raise format_error(path, line, field, f"cannot decode the tests: {e}",
                               "store a JSON list of {input, output, testtype} objects as a string, "
                               "or use tasks.lcb.encode_private_tests") from None
    if not isinstance(value, list):
        raise format_error(path, line, field, f"a {type(value).__name__}, expected a list of tests",
                           "store a JSON list of {input, output, testtype} objects")
    tests = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise format_error(path, line, where, f"a {type(item).__name__}, expected an object",
                               "each test is {\"input\": ..., \"output\": ..., \"testtype\": ...}")
        for key in ("input", "output", "testtype"):
            if key not in item:
                raise format_error(path, line, f"{where}.{key}", "missing",
                                   "each test needs input, output and testtype")
            if not isinstance(item[key], str):
                raise format_error(path, line, f"{where}.{key}", f"a {type(item[key]).__name__}, expected a string",
                                   "write test inputs and outputs as strings")
        if item["testtype"] not in TEST_TYPES:
            raise format_error(path, line, f"{where}.testtype", f"unknown testtype {item['testtype']!r}",
                               f"use one of {', '.join(TEST_TYPES)}")
        tests.append(TestCase(input=item["input"], output=item["output"], testtype=item["testtype"]))
    return tuple(tests)


def row_to_task(row: dict, header: RowHeader, *, source: str) -> Task:
    """Decode the tests of a row whose header was read by read_header, and build the Task."""
    path, line = header.path, header.line
    public = _parse_tests(row["public_test_cases"], "public_test_cases", path, line)
    hidden = _parse_tests(row["private_test_cases"], "private_test_cases", path, line)
    kinds = sorted({t.testtype for t in public + hidden})
    if not kinds:
        raise format_error(path, line, "public_test_cases", "the row has no tests at all",
                           "add at least one public or private test")
    if len(kinds) > 1:
        raise format_error(path, line, "testtype", f"the tests mix testtypes {' and '.join(kinds)}",
                           "all tests of a row must share one testtype; split the row")
    kind = kinds[0]
    func_name = header.metadata.get("func_name") or None
    if kind in ("functional", "check") and not (isinstance(func_name, str) and func_name.isidentifier()):
        raise format_error(path, line, "metadata.func_name", f"{func_name!r} is not a function name",
                           f"a {kind} task needs metadata {{\"func_name\": \"<method to call>\"}}")
    for name in ("question_content", "starter_code"):
        if not isinstance(row.get(name, ""), str):
            raise format_error(path, line, name, f"a {type(row[name]).__name__}, expected a string",
                               "write it as a JSON string (\"\" for none)")
    return Task(
        id=header.id, title=header.title, statement=row["question_content"], kind=kind,
        public_tests=public, hidden_tests=hidden, starter_code=row.get("starter_code", ""), func_name=func_name,
        platform=header.platform, difficulty=header.difficulty, contest_date=header.contest_date,
        source=source, metadata=header.metadata,
    )


def read_tasks(path: Path, *, source: str, keep: Callable[[RowHeader], bool] | None = None) -> list[Task]:
    """Every row of one JSONL file as a Task; rows whose header `keep` rejects are not decoded further."""
    tasks = []
    for line, row in read_jsonl(path):
        header = read_header(row, path, line)
        if keep is None or keep(header):
            tasks.append(row_to_task(row, header, source=source))
    return tasks


def task_to_row(task: Task, *, compress_private: bool = False) -> dict:
    """The code_generation_lite row of a task; read_tasks reads it back to an equal Task."""
    metadata = dict(task.metadata)
    contest_id = metadata.pop("contest_id", "")
    if task.func_name:
        metadata["func_name"] = task.func_name
    public = json.dumps([t.to_dict() for t in task.public_tests])
    if compress_private:
        private = encode_private_tests(task.hidden_tests)
    else:
        private = json.dumps([t.to_dict() for t in task.hidden_tests])
    return {
        "question_title": task.title,
        "question_content": task.statement,
        "platform": task.platform,
        "question_id": task.id,
        "contest_id": contest_id,
        "contest_date": task.contest_date,
        "starter_code": task.starter_code,
        "difficulty": task.difficulty,
        "public_test_cases": public,
        "private_test_cases": private,
        "metadata": json.dumps(metadata),
    }
