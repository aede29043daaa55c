"""The chat's state, files and input handling without a model: sessions saved and resumed, attempts and
updates bookkept, command parsing and the meaning of plain messages, typed problems and tests, rendering, and
prompt_toolkit's multi-line editing driven through a real pipe input."""

from __future__ import annotations

import json

import pytest

from agent.chat import render
from agent.chat.commands import (
    BY_NAME, COMMANDS, RETRY_DEFAULT, Command, CommandError, interpret_message, parse_line, split_function_flag,
)
from agent.chat.config import ChatConfig
from agent.chat.problem import (
    ProblemInputError, parse_test_line, task_from_dict, task_to_dict, typed_problem, with_test,
)
from agent.chat.session import (
    ADAPTER_DIR, STATE_FILE, TRANSCRIPT_FILE, ChatSession, SessionError, chat_home, conversation_window, list_sessions,
)
from agent.chat.stream import AnswerView
from sandbox.result import GradeResult, TestResult
from tasks.loaders import get_task


def text_of(renderable, width: int = 120) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    console.print(renderable)
    return console.export_text()


def new_session(tmp_path) -> ChatSession:
    return ChatSession.create(tmp_path, model="smollm2-135m", sandbox="docker")


def add_problem_attempt(session: ChatSession, text="```python\nprint(1)\n```", ids=(5, 6, 7)):
    return session.add_attempt(text=text, ids=list(ids), prompt="### Question: ...", system="sys", origin="problem",
                               task_id=session.task.id, code="print(1)\n")


# ---- sessions on disk ------------------------------------------------------------------------------------------

def test_home_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTODIDACT_HOME", str(tmp_path))
    assert chat_home() == tmp_path / "chat"
    monkeypatch.delenv("AUTODIDACT_HOME")
    assert chat_home().parts[-3:] == (".cache", "autodidact", "chat")


def test_session_round_trip(tmp_path):
    session = new_session(tmp_path)
    task = get_task("starter", "ad-001")
    session.set_problem(task, "starter:ad-001")
    attempt = add_problem_attempt(session)
    grade = GradeResult("wrong_answer", [TestResult(0, "wrong_answer", "1 2\n", "3", "4", 0.01)])
    session.record_grade(attempt, grade.to_dict(), None, "Test Case 1: Wrong Answer", "wrong_answer")
    session.add_update(source="tests", attempt=1, text="Test Case 1: Wrong Answer", loss=0.5, kl_before=0.1,
                       kl_after=0.05, tokens=3)
    session.log("user", "hello")

    again = ChatSession.resume(tmp_path, session.state.id)
    assert again.task == task
    assert again.state.task_spec == "starter:ad-001"
    assert again.state.attempts[0].ids == [5, 6, 7]
    assert again.state.attempts[0].verdict == "wrong_answer"
    assert GradeResult.from_dict(again.state.attempts[0].grade).tests[0].actual == "4"
    assert again.state.updates[0].kl_after == 0.05
    assert [e["text"] for e in again.transcript()] == ["hello"]
    assert (session.dir / STATE_FILE).is_file() and (session.dir / TRANSCRIPT_FILE).is_file()
    assert not list(session.dir.glob("*.tmp"))  # the atomic write left no temporary behind


def test_resume_latest_and_errors(tmp_path):
    with pytest.raises(SessionError, match="no saved sessions"):
        ChatSession.resume(tmp_path, "latest")
    first = new_session(tmp_path)
    second = new_session(tmp_path)
    second.log("info", "newest")
    second.save()
    assert list_sessions(tmp_path)[0] == second.dir
    assert ChatSession.resume(tmp_path, "latest").state.id == second.state.id
    assert ChatSession.resume(tmp_path, str(first.dir)).state.id == first.state.id
    with pytest.raises(SessionError, match="--resume"):
        ChatSession.resume(tmp_path, "no-such-session")
    (first.dir / STATE_FILE).write_text("{not json")
    with pytest.raises(SessionError, match="start a new session"):
        ChatSession.resume(tmp_path, first.state.id)


# ---- attempts, the feedback offer, updates ----------------------------------------------------------------------

def test_failed_run_offers_feedback_only_on_newest_learnable_attempt(tmp_path):
    session = new_session(tmp_path)
    session.set_problem(get_task("starter", "ad-002"), "starter:ad-002")
    first = add_problem_attempt(session)
    second = add_problem_attempt(session)
    session.record_grade(first, {"verdict": "wrong_answer", "tests": []}, None, "fb", "wrong_answer")
    assert session.state.feedback_offer is None  # an older attempt: feedback would be read against another answer
    session.record_grade(second, {"verdict": "runtime_error", "tests": []}, None, "fb", "runtime_error")
    assert session.state.feedback_offer == second.index
    assert interpret_message("you forgot the empty list", True, session.state.feedback_offer) == \
        Command("feedback", "you forgot the empty list", implicit=True)
    add_problem_attempt(session)
    assert session.state.feedback_offer is None  # a new answer ends the offer

    session.add_user_turn("why?")
    reply = session.add_attempt(text="because", ids=[1], prompt="p", system=None, origin="conversation",
                                task_id=session.task.id)
    session.record_grade(reply, {"verdict": "wrong_answer", "tests": []}, None, "fb", "wrong_answer")
    assert session.state.feedback_offer is None  # the learner cannot use a conversation reply
    assert session.latest_learnable().index == 3
    assert session.latest_attempt() is reply


def test_attempts_belong_to_their_problem(tmp_path):
    session = new_session(tmp_path)
    session.set_problem(get_task("starter", "ad-001"), "starter:ad-001")
    add_problem_attempt(session)
    session.set_problem(typed_problem("Print hello.", 1), None)
    assert session.latest_attempt() is None and session.latest_learnable() is None
    with pytest.raises(IndexError, match="no attempt #9"):
        session.attempt(9)
    with pytest.raises(ValueError, match="origin"):
        session.add_attempt(text="", ids=[], prompt="", system=None, origin="dream", task_id="x")


def test_update_bookkeeping(tmp_path):
    session = new_session(tmp_path)
    session.set_problem(get_task("starter", "ad-001"), "starter:ad-001")
    assert session.describe_adapter() == "base weights"
    session.add_update(source="tests", attempt=1, text="fb")
    session.add_update(source="words", attempt=2, text="empty list")
    session.add_update(source="teach", attempt=3, text="demo", skipped=True)
    assert session.describe_adapter() == "base + 2 updates"
    assert session.mark_undone().index == 2
    assert session.describe_adapter() == "base + 1 update"
    assert session.mark_all("replaced", base="loaded:fix1") == 1
    assert session.describe_adapter() == "adapter 'fix1'"
    session.add_update(source="tests", attempt=4, text="fb")
    assert session.describe_adapter() == "adapter 'fix1' + 1 update"
    resumed = ChatSession.resume(tmp_path, session.state.id)
    assert [u.state for u in resumed.state.updates] == ["replaced", "undone", "active", "active"]
    assert resumed.describe_adapter() == "adapter 'fix1' + 1 update"
    with pytest.raises(ValueError, match="update source"):
        session.add_update(source="vibes", attempt=1, text="")
    assert session.adapter_dir == session.dir / ADAPTER_DIR


def test_conversation_window_keeps_alternation():
    turns = [{"role": "assistant" if i % 2 == 0 else "user", "content": str(i)} for i in range(12)]
    window = conversation_window(turns[:11], keep=7)
    assert window[0]["content"] == "0" and window[-1]["content"] == "10"
    roles = [m["role"] for m in window]
    assert all(a != b for a, b in zip(roles, roles[1:]))
    assert conversation_window(turns[:3], keep=7) == turns[:3]
    with pytest.raises(ValueError, match="odd"):
        conversation_window(turns, keep=4)


# ---- commands and plain messages --------------------------------------------------------------------------------

def test_parse_commands_and_arguments():
    assert parse_line("hello there") is None
    assert parse_line("//etc/hosts is a path") is None
    assert parse_line("/task starter:ad-001").arg == "starter:ad-001"
    assert parse_line("  /RUN  ").name == "run"
    assert parse_line("/quit").name == "exit"
    assert parse_line("/retry").arg == str(RETRY_DEFAULT)
    assert parse_line("/retry 5").arg == "5"
    assert parse_line("/auto ON").arg == "on"
    teach = parse_line("/teach\nn = int(input())\nprint(n * n)")
    assert teach.name == "teach" and teach.arg == "n = int(input())\nprint(n * n)"
    assert parse_line("/test-add 1 2 => 3").arg == "1 2 => 3"


@pytest.mark.parametrize("line, hint", [
    ("/frobnicate", "unknown command /frobnicate: /help"),
    ("/ru", "did you mean /run"),
    ("/undo now", "/undo takes no arguments"),
    ("/retry many", "whole number from 1 to 20"),
    ("/retry 0", "whole number"),
    ("/auto maybe", "on or off"),
    ("/save", "needs a NAME"),
    ("/save ../escape", "needs a NAME"),
    ("/feedback", "needs text: /feedback TEXT"),
])
def test_bad_commands_get_one_line_hints(line, hint):
    with pytest.raises(CommandError) as err:
        parse_line(line)
    assert hint in str(err.value)
    assert "\n" not in str(err.value)


def test_plain_message_meaning_is_explicit():
    assert interpret_message("Read n; print n squared.", False, None).name == "problem"
    assert interpret_message("why a loop?", True, None).name == "chat"
    taken = interpret_message("you forgot the empty list", True, 3)
    assert (taken.name, taken.arg, taken.implicit) == ("feedback", "you forgot the empty list", True)
    assert interpret_message("//not a command", True, None).arg == "/not a command"


def test_function_flag():
    assert split_function_flag("--function add Add two numbers.") == ("add", "Add two numbers.")
    assert split_function_flag("--function add(a, b)  Add a and b.") == ("add(a, b)", "Add a and b.")
    assert split_function_flag("Add two numbers.") == (None, "Add two numbers.")
    with pytest.raises(CommandError, match="--function NAME TEXT"):
        split_function_flag("--function add")
    task = typed_problem("Add a and b.", 1, "add(a, b)")
    assert (task.kind, task.func_name, task.starter_code) == ("functional", "add", "def add(a, b):\n    ")


def test_help_lists_every_command_on_one_line():
    text = text_of(render.help_view(), width=200)
    for spec in COMMANDS:
        lines = [line for line in text.splitlines() if line.strip().startswith(f"/{spec.name} ")
                 or line.strip() == f"/{spec.name}" or line.strip().startswith(f"/{spec.name}  ")]
        assert len(lines) == 1, spec.name
        assert spec.help in lines[0]
    assert "Esc then Enter" in text and "ending in \\" in text
    assert set(BY_NAME) >= {"task", "test-add", "run", "auto", "learn", "teach", "retry", "undo", "reset",
                            "save", "load", "stats", "help", "exit", "feedback"}


# ---- problems and tests -----------------------------------------------------------------------------------------

def test_typed_problems_and_added_tests():
    task = typed_problem("Read two integers and print their sum.\nThey fit in 32 bits.", 2)
    assert (task.id, task.kind, task.title) == ("typed-2", "stdin", "Read two integers and print their sum.")
    task = with_test(task, *parse_test_line(r"1 2 => 3"))
    task = with_test(task, *parse_test_line(r"a => b\n=> c => 7"))
    assert task.public_tests[0].input == "1 2\n" and task.public_tests[0].output == "3"
    assert task.public_tests[1].input == "a => b\n=> c\n" and task.public_tests[1].output == "7"
    func = typed_problem("Return the sum of a and b.", 3, "add")
    func = with_test(func, "1\n2", "3")
    assert func.kind == "functional" and func.public_tests[0].testtype == "functional"
    with pytest.raises(ProblemInputError, match="not JSON"):
        with_test(func, "one\ntwo", "3")
    with pytest.raises(ProblemInputError, match="=>"):
        parse_test_line("1 2 3")
    with pytest.raises(ProblemInputError, match="empty"):
        typed_problem("   ", 1)
    with pytest.raises(ProblemInputError, match="function name"):
        typed_problem("x", 1, "not a name")


def test_task_json_round_trip_with_bundled_task():
    task = get_task("starter", "ad-005")
    assert task_from_dict(json.loads(json.dumps(task_to_dict(task)))) == task


def test_config_checks_name_the_bad_value():
    with pytest.raises(ValueError, match="needs TASKSET:ID"):
        ChatConfig(task="ad-001")
    with pytest.raises(ValueError, match="--sandbox docker"):
        ChatConfig(sandbox="cloud")
    with pytest.raises(ValueError, match="top_p"):
        ChatConfig(top_p=0)


# ---- rendering ------------------------------------------------------------------------------------------------

def test_grade_table_shows_each_test():
    grade = GradeResult("runtime_error", [
        TestResult(0, "pass", "1 2\n", "3", "3", 0.02),
        TestResult(1, "runtime_error", "x y\n", "?", "", 0.03, error="ValueError: invalid literal"),
    ])
    text = text_of(render.grade_table(grade.to_dict(), 4))
    assert "attempt #4 on the visible tests" in text
    for column in ("verdict", "input", "expected", "got", "time"):
        assert column in text
    assert "✓ pass" in text and "✗ runtime_error" in text and "ValueError: invalid literal" in text
    assert "0.03 s" in text


def test_answer_view_highlights_code_once_the_fence_closes():
    from rich.console import Console

    console = Console(width=80, record=True, force_terminal=False, color_system=None)
    view = AnswerView(console)
    answer = "Here is my solution:\n```python\nn = int(input())\nprint(n * n)\n```\nDone."
    for i in range(0, len(answer), 3):  # pieces cut anywhere, fences included
        view.feed(answer[i:i + 3])
        if view.code is not None:
            assert "```" not in console.export_text(clear=False)
    view.finish()
    shown = console.export_text()
    assert "Here is my solution:" in shown and "print(n * n)" in shown and "Done." in shown
    assert "```" not in shown
    unterminated = AnswerView(console)
    unterminated.feed("```python\nprint(2)")
    unterminated.finish()
    assert "print(2)" in console.export_text()


# ---- the input line ---------------------------------------------------------------------------------------------

def test_input_multiline_editing_and_history(tmp_path):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from agent.chat.keys import ChatInput

    history = tmp_path / "history"
    with create_pipe_input() as pipe:
        chat_input = ChatInput(history, pt_input=pipe, pt_output=DummyOutput())
        pipe.send_text("first line\\\rsecond line\r")
        assert chat_input.read("you › ") == "first line\nsecond line"
        pipe.send_text("a\x1b\rb\r")  # Esc then Enter inserts a newline
        assert chat_input.read("you › ") == "a\nb"
        pipe.send_text("/run\r")
        assert chat_input.read("you › ") == "/run"
    saved = history.read_text()
    assert "+first line" in saved and "+second line" in saved and "+/run" in saved
    with create_pipe_input() as pipe:  # a new session sees the old history: Up recalls the last message
        chat_input = ChatInput(history, pt_input=pipe, pt_output=DummyOutput())
        pipe.send_text("\x1b[A\r")
        assert chat_input.read("you › ") == "/run"


def test_hidden_and_verdict_lines():
    assert "all 14 pass" in render.hidden_line({"verdict": "pass", "passed": 14, "total": 14})
    line = render.hidden_line({"verdict": "time_limit", "passed": 3, "total": 14})
    assert "time_limit" in line and "after 3 of 14" in line
    assert render.hidden_line(None) == ""
    assert "PASS" in render.verdict_line("pass", 2, 0.5)
    assert "wrong_answer" in render.verdict_line("wrong_answer", 2, 0.5)


# ---- Ctrl-C while work runs (a scripted producer stands in for the model: this is control flow) --------------

def _quiet_console():
    from rich.console import Console

    return Console(width=80, record=True, force_terminal=False, color_system=None)


def test_ctrl_c_during_work_finishes_the_step_and_stops_the_command():
    import os
    import signal
    import time

    from agent.chat.busy import Worker

    worker = Worker(_quiet_console())
    try:
        def step():
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C mid-step
            time.sleep(0.3)
            return "finished"

        assert worker.run("updating", step) == "finished"  # no KeyboardInterrupt escaped
        assert worker.stop_requested.is_set()
        with pytest.raises(ZeroDivisionError):
            worker.run("failing", lambda: 1 / 0)
    finally:
        worker.close()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the usual Ctrl-C is back


def test_ctrl_c_during_streaming_stops_the_answer():
    import os
    import signal
    import time

    from agent.chat.busy import Worker
    from agent.chat.stream import stream_answer

    console = _quiet_console()
    worker = Worker(console)

    def pieces(stop):
        for i in range(200):
            if stop.is_set():
                return
            if i == 3:
                os.kill(os.getpid(), signal.SIGINT)
            yield f"word{i} "
            time.sleep(0.01)

    try:
        shown = stream_answer(console, worker, pieces)
    finally:
        worker.close()
    assert shown.stopped and shown.error is None
    assert shown.text.startswith("word0 word1 word2 word3") and "word199" not in shown.text
    assert shown.first_token_s is not None
    assert "word0" in console.export_text()
