"""Task loading: LiveCodeBench rows in both private-test encodings, release directories, every filter, every
kind of bad input (the message names file, line and field), and the built-in sets
(the `tasks` commands are in test_cli_tasks.py)."""

from __future__ import annotations

import base64
import gzip
import json
import pickle
import zlib
from pathlib import Path

import pytest

from tasks.lcb import decode_private_tests, encode_private_tests, read_tasks, task_to_row
from tasks.loaders import (
    TaskFilters, TaskSelectionError, bundled_path, get_task, load_taskset, require_nonempty,
)
from tasks.model import TaskFormatError
from tasks.model import TestCase as Case  # aliased so pytest does not try to collect it
from tasks.references import reference_solution

from lcb_rows import functional_row, mixed_set_file, stdin_row, write_jsonl

REPO = Path(__file__).resolve().parent.parent
HAVE_BUNDLED = (REPO / "tasks" / "data" / "bundled.jsonl").is_file()


# ---- rows and encodings ----

def test_stdin_row_with_json_private_tests(tmp_path):
    path = write_jsonl(tmp_path / "set.jsonl", [stdin_row()])
    [task] = load_taskset(str(path))
    assert task.id == "abc100_a" and task.kind == "stdin" and task.func_name is None
    assert task.title == "Sum abc100_a" and task.statement == "Read a and b; print a + b."
    assert (task.platform, task.difficulty, task.contest_date) == ("atcoder", "easy", "2024-03-02T00:00:00")
    assert task.public_tests == (Case("1 2\n", "3\n", "stdin"),)
    assert [t.output for t in task.hidden_tests] == ["10\n", "0\n"]
    assert task.source == str(path)


def test_functional_row_with_compressed_private_tests(tmp_path):
    path = write_jsonl(tmp_path / "set.jsonl", [functional_row()])
    [task] = load_taskset(str(path))
    assert task.kind == "functional" and task.func_name == "listSum"
    assert task.starter_code.startswith("class Solution:")
    assert task.hidden_tests == (Case("[]", "0", "functional"), Case("[-1, 1]", "0", "functional"))


def test_decodes_livecodebench_encoding_with_default_pickle_protocol():
    tests = [{"input": "x\n" * 1000, "output": "y\n", "testtype": "stdin"}]
    encoded = base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()
    assert decode_private_tests(encoded) == tests
    assert decode_private_tests(encode_private_tests(tests)) == tests


def test_private_tests_pickle_with_a_global_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    encoded = base64.b64encode(zlib.compress(pickle.dumps(Payload()))).decode()
    path = write_jsonl(tmp_path / "set.jsonl", [stdin_row(private_test_cases=encoded)])
    with pytest.raises(TaskFormatError) as e:
        load_taskset(str(path))
    assert f"{path}:1" in str(e.value) and "private_test_cases" in str(e.value) and "refusing" in str(e.value)
    assert not marker.exists()


def test_private_tests_pickle_of_non_string_is_refused(tmp_path):
    encoded = base64.b64encode(zlib.compress(pickle.dumps([{"input": "1", "output": "1"}]))).decode()
    path = write_jsonl(tmp_path / "set.jsonl", [stdin_row(private_test_cases=encoded)])
    with pytest.raises(TaskFormatError, match=r"private_test_cases.*holds a list"):
        load_taskset(str(path))


@pytest.mark.parametrize("compress", [False, True])
def test_task_to_row_round_trips(tmp_path, compress):
    original = load_taskset(str(write_jsonl(tmp_path / "a.jsonl", [functional_row(), stdin_row()])))
    rows = [task_to_row(t, compress_private=compress) for t in original]
    assert rows[0]["contest_id"] == "weekly-contest-400"
    back = read_tasks(write_jsonl(tmp_path / "b.jsonl", rows), source=original[0].source)
    assert back == original
    assert [t.metadata for t in back] == [t.metadata for t in original]


def test_gzipped_jsonl_loads(tmp_path):
    path = tmp_path / "set.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps(stdin_row()) + "\n").encode()))
    assert [t.id for t in load_taskset(str(path))] == ["abc100_a"]


# ---- bad input: file, line and field are named; nothing is skipped ----

def _expect_format_error(tmp_path, rows, field, line, raw_lines=None, match=None):
    path = write_jsonl(tmp_path / "bad.jsonl", rows, raw_lines)
    with pytest.raises(TaskFormatError) as e:
        load_taskset(str(path))
    message = str(e.value)
    assert f"{path}:{line}:" in message and f"field {field!r}" in message, message
    if match:
        assert match in message, message
    return message


def test_malformed_json_line(tmp_path):
    _expect_format_error(tmp_path, [stdin_row("a"), stdin_row("b"), stdin_row("c")], "(line)", 2,
                         raw_lines={2: '{"question_id": "b", '}, match="not valid JSON")


def test_line_that_is_not_an_object(tmp_path):
    _expect_format_error(tmp_path, [stdin_row("a"), []], "(line)", 2, match="not an object")


def test_missing_field(tmp_path):
    row = stdin_row("b")
    del row["question_content"]
    _expect_format_error(tmp_path, [stdin_row("a"), row], "question_content", 2, match="missing")


def test_undecodable_private_tests(tmp_path):
    _expect_format_error(tmp_path, [stdin_row(private_test_cases="not-base64!")], "private_test_cases", 1,
                         match="cannot decode")


def test_base64_that_is_not_zlib(tmp_path):
    garbage = base64.b64encode(b"plain bytes").decode()
    _expect_format_error(tmp_path, [stdin_row(private_test_cases=garbage)], "private_test_cases", 1,
                         match="not zlib")


def test_unknown_testtype(tmp_path):
    public = json.dumps([{"input": "1", "output": "1", "testtype": "interactive"}])
    _expect_format_error(tmp_path, [stdin_row(public_test_cases=public)], "public_test_cases[0].testtype", 1,
                         match="interactive")


def test_mixed_testtypes(tmp_path):
    hidden = json.dumps([{"input": "[1]", "output": "1", "testtype": "functional"}])
    _expect_format_error(tmp_path, [stdin_row(private_test_cases=hidden)], "testtype", 1,
                         match="functional and stdin")


def test_test_missing_output(tmp_path):
    public = json.dumps([{"input": "1", "testtype": "stdin"}])
    _expect_format_error(tmp_path, [stdin_row(public_test_cases=public)], "public_test_cases[0].output", 1)


def test_functional_without_func_name(tmp_path):
    _expect_format_error(tmp_path, [functional_row(metadata="{}")], "metadata.func_name", 1)


def test_bad_difficulty_and_date(tmp_path):
    _expect_format_error(tmp_path, [stdin_row(difficulty="brutal")], "difficulty", 1, match="brutal")
    _expect_format_error(tmp_path, [stdin_row(contest_date="last tuesday")], "contest_date", 1)


def test_row_without_any_tests(tmp_path):
    _expect_format_error(tmp_path, [stdin_row(public_test_cases="[]", private_test_cases="[]")],
                         "public_test_cases", 1, match="no tests")


def test_duplicate_id(tmp_path):
    _expect_format_error(tmp_path, [stdin_row("a"), stdin_row("b"), stdin_row("a")], "question_id", 3,
                         match="first at")


def test_bad_row_is_an_error_even_when_filtered_out(tmp_path):
    # Filters pick among valid rows; a malformed one still stops the load rather than vanishing.
    path = write_jsonl(tmp_path / "set.jsonl", [stdin_row("a"), {"question_id": "b"}])
    with pytest.raises(TaskFormatError, match=r":2: field 'question_title'"):
        load_taskset(str(path), difficulty="hard")


def test_tests_are_decoded_only_for_rows_the_filters_keep(tmp_path):
    path = write_jsonl(tmp_path / "set.jsonl", [stdin_row("a"), stdin_row("b", difficulty="hard",
                                                                           private_test_cases="garbage")])
    assert [t.id for t in load_taskset(str(path), difficulty="easy")] == ["a"]
    with pytest.raises(TaskFormatError, match=":2: field 'private_test_cases'"):
        load_taskset(str(path))


def test_statement_must_be_a_string(tmp_path):
    _expect_format_error(tmp_path, [stdin_row(question_content=["not", "text"])], "question_content", 1)


# ---- filters ----

@pytest.fixture
def mixed_set(tmp_path) -> str:
    return mixed_set_file(tmp_path)


def ids(tasks) -> list[str]:
    return [t.id for t in tasks]


def test_difficulty_filter(mixed_set):
    assert ids(load_taskset(mixed_set, difficulty="easy")) == ["e1", "e2", "nodate"]
    assert ids(load_taskset(mixed_set, difficulty=["medium", "hard"])) == ["m1", "h1"]
    assert ids(load_taskset(mixed_set, difficulty="medium,hard")) == ["m1", "h1"]
    with pytest.raises(TaskSelectionError, match="difficulty 'trivial' is unknown"):
        load_taskset(mixed_set, difficulty="trivial")


def test_platform_filter(mixed_set):
    assert ids(load_taskset(mixed_set, platform="CodeForces")) == ["m1"]
    assert ids(load_taskset(mixed_set, platform=["leetcode", "codeforces"])) == ["m1", "h1"]


def test_date_filters_are_inclusive_and_drop_undated(mixed_set):
    assert ids(load_taskset(mixed_set, since="2024-02-10")) == ["m1", "h1", "e2"]
    assert ids(load_taskset(mixed_set, until="2024-02-10")) == ["e1", "m1"]
    assert ids(load_taskset(mixed_set, since="2024-02-01", until="2024-03-31")) == ["m1", "h1"]
    with pytest.raises(TaskSelectionError, match="since 2024-05-01 is after until 2024-01-01"):
        load_taskset(mixed_set, since="2024-05-01", until="2024-01-01")
    with pytest.raises(TaskSelectionError, match="YYYY-MM-DD"):
        load_taskset(mixed_set, since="May")


def test_ids_keep_given_order_and_limit_is_last(mixed_set):
    assert ids(load_taskset(mixed_set, ids=["e2", "e1", "h1"])) == ["e2", "e1", "h1"]
    assert ids(load_taskset(mixed_set, ids="e2,e1,h1", limit=2)) == ["e2", "e1"]
    assert ids(load_taskset(mixed_set, ids=["e2", "e1", "h1"], difficulty="easy")) == ["e2", "e1"]
    assert ids(load_taskset(mixed_set, limit=2)) == ["e1", "m1"]
    with pytest.raises(TaskSelectionError, match="limit must be >= 1"):
        load_taskset(mixed_set, limit=0)


def test_unknown_id_names_the_closest(mixed_set):
    with pytest.raises(TaskSelectionError, match=r"'e3' is not in .*closest: e2, e1"):
        load_taskset(mixed_set, ids=["e1", "e3"])
    with pytest.raises(TaskSelectionError, match="closest"):
        get_task(mixed_set, "h2")
    assert get_task(mixed_set, "h1").func_name == "listSum"


def test_empty_result_and_require_nonempty(mixed_set):
    tasks = load_taskset(mixed_set, difficulty="hard", platform="atcoder")
    assert tasks == []
    with pytest.raises(TaskSelectionError, match="difficulty=hard platform=atcoder"):
        require_nonempty(tasks, mixed_set, TaskFilters(difficulty="hard", platform="atcoder"))
    with pytest.raises(TaskSelectionError, match="since=2030-01-01"):
        require_nonempty([], mixed_set, {"since": "2030-01-01", "limit": None})
    assert require_nonempty(load_taskset(mixed_set, limit=1), mixed_set) != []


def test_unknown_set_name_lists_the_builtin_sets():
    with pytest.raises(TaskSelectionError, match="did you mean starter.*bundled, starter, heldout, humaneval, humaneval-subset"):
        load_taskset("startr")


# ---- release directories ----

@pytest.fixture
def release_dir(tmp_path) -> Path:
    directory = tmp_path / "lcb"
    directory.mkdir()
    write_jsonl(directory / "test.jsonl", [stdin_row("r1a"), functional_row("r1b")])
    write_jsonl(directory / "test2.jsonl", [stdin_row("r2a")])
    write_jsonl(directory / "test3.jsonl", [stdin_row("r3a", difficulty="hard")])
    (directory / "notes.jsonl").write_text("this is not a release file\n")
    return directory


def test_releases_are_cumulative(release_dir):
    assert ids(load_taskset(str(release_dir), release="v1")) == ["r1a", "r1b"]
    assert ids(load_taskset(str(release_dir), release="v2")) == ["r1a", "r1b", "r2a"]
    assert ids(load_taskset(str(release_dir))) == ["r1a", "r1b", "r2a", "r3a"]
    assert ids(load_taskset(str(release_dir), release="v3", difficulty="hard")) == ["r3a"]
    task = get_task(str(release_dir), "r2a")
    assert task.source == str(release_dir / "test2.jsonl")


def test_release_errors(release_dir, tmp_path):
    with pytest.raises(TaskFormatError, match="test4.jsonl is missing"):
        load_taskset(str(release_dir), release="v4")
    with pytest.raises(TaskSelectionError, match="release 'v9' is unknown"):
        load_taskset(str(release_dir), release="v9")
    with pytest.raises(TaskSelectionError, match="pass its directory"):
        load_taskset(str(release_dir / "test.jsonl"), release="v1")
    with pytest.raises(TaskSelectionError, match="does not apply to humaneval"):
        load_taskset("humaneval", release="v1")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TaskFormatError, match="no LiveCodeBench release files"):
        load_taskset(str(empty))


def test_duplicate_id_across_release_files(release_dir):
    write_jsonl(release_dir / "test2.jsonl", [stdin_row("r1a")])
    with pytest.raises(TaskFormatError, match=r"test2.jsonl:1: field 'question_id'.*test.jsonl:1"):
        load_taskset(str(release_dir), release="v2")


# ---- reference solutions next to a file ----

def test_reference_next_to_a_jsonl_file(tmp_path):
    path = write_jsonl(tmp_path / "set.jsonl", [stdin_row("a"), stdin_row("b")])
    (tmp_path / "references").mkdir()
    (tmp_path / "references" / "a.py").write_text("print(sum(map(int, input().split())))\n")
    a, b = load_taskset(str(path))
    assert reference_solution(a).startswith("print(sum(")
    assert reference_solution(b) is None


# ---- built-in sets ----

@pytest.mark.skipif(not HAVE_BUNDLED, reason="tasks/data/bundled.jsonl is not generated yet")
def test_bundled_set_loads_with_references():
    bundled = load_taskset("bundled")
    assert bundled and len({t.id for t in bundled}) == len(bundled)
    assert all(t.source == "bundled" for t in bundled)
    missing = [t.id for t in bundled if reference_solution(t) is None]
    assert missing == []
    assert bundled_path().is_file()


@pytest.mark.skipif(not HAVE_BUNDLED, reason="tasks/data/bundled.jsonl is not generated yet")
def test_starter_set_is_the_starter_rows_of_bundled():
    starter = load_taskset("starter")
    bundled_ids = {t.id for t in load_taskset("bundled")}
    assert starter and all(t.metadata.get("starter") is True for t in starter)
    assert {t.id for t in starter} <= bundled_ids
    assert all(reference_solution(t) for t in starter)
    non_starter = [t for t in load_taskset("bundled") if t.metadata.get("starter") is not True]
    if non_starter:
        with pytest.raises(TaskSelectionError, match="is not in starter"):
            get_task("starter", non_starter[0].id)


