"""Handlers for the commands that set the problem, get answers and grade them.

Each handler takes the app (agent/chat/app.py) and the parsed Command. A handler that meets a bad argument
or a missing precondition raises CommandError with a one-line hint; the app prints it and carries on.
Learning commands live in agent/chat/learning.py.
"""

from __future__ import annotations

from agent.chat import render
from agent.chat.commands import Command, CommandError, split_function_flag
from agent.chat.problem import parse_test_line, typed_problem, with_test
from agent.chat.session import Attempt, conversation_window
from agent.chat.stream import stream_answer


# ---- the problem ---------------------------------------------------------------------------------------------

def cmd_task(app, cmd: Command) -> None:
    if not cmd.arg:
        if app.session.task is None:
            raise CommandError("no problem yet: /task TASKSET:ID (e.g. /task starter:ad-001) or type one")
        app.console.print(render.problem_panel(app.session.task, app.session.state.task_spec))
        return
    if ":" not in cmd.arg:
        raise CommandError(f"/task needs TASKSET:ID, not {cmd.arg!r}: e.g. /task starter:ad-001 "
                           f"(`autodidact tasks list starter` lists the ids)")
    from tasks.loaders import get_task

    taskset, task_id = cmd.arg.rsplit(":", 1)
    try:
        task = app.worker.run(f"loading {cmd.arg}", get_task, taskset, task_id)
    except (ValueError, FileNotFoundError) as e:  # the loaders' errors name the file and the fix
        raise CommandError(str(e).splitlines()[0]) from None
    app.session.set_problem(task, cmd.arg)
    app.session.log("problem", task.statement, task_id=task.id, spec=cmd.arg)
    app.console.print(render.problem_panel(task, cmd.arg))
    make_attempt(app, "problem")


def cmd_problem(app, cmd: Command) -> None:
    function, text = split_function_flag(cmd.arg)
    app.session.state.typed_count += 1
    task = typed_problem(text, app.session.state.typed_count, function)
    app.session.set_problem(task, None)
    app.session.log("problem", task.statement, task_id=task.id)
    if cmd.implicit:
        app.console.print("[dim]↳ taken as a new problem (a program reading stdin; /problem --function "
                          "NAME(ARGS) TEXT makes a function problem)[/]")
    app.console.print(render.problem_panel(task, None))
    app.console.print("[dim]add tests with /test-add INPUT => EXPECTED so /run can grade the answers[/]")
    make_attempt(app, "problem")


def cmd_test_add(app, cmd: Command) -> None:
    task = app.session.task
    if task is None:
        raise CommandError("no problem to add a test to: type a problem first, or /task TASKSET:ID")
    if cmd.arg:
        test_input, expected = parse_test_line(cmd.arg)
    else:
        hint = "one JSON value per argument line" if task.kind == "functional" else "what the program reads"
        test_input = app.ask(f"input ({hint})")
        expected = app.ask("expected output")
    task = with_test(task, test_input, expected)
    app.session.update_problem(task)
    app.session.log("info", f"test added: {test_input!r} => {expected!r}")
    app.console.print(f"added visible test #{len(task.public_tests)} to {task.id}")
    app.console.print(render.tests_table(task.public_tests, "visible tests"))


# ---- answers -------------------------------------------------------------------------------------------------

def cmd_attempt(app, cmd: Command) -> None:
    _require_problem(app)
    make_attempt(app, "problem")


def cmd_chat(app, cmd: Command) -> None:
    _require_problem(app)
    if cmd.implicit:
        app.console.print("[dim]↳ conversation about the latest answer (nothing is learned from it)[/]")
    app.session.add_user_turn(cmd.arg)
    app.session.log("user", cmd.arg, meaning="chat")
    make_attempt(app, "conversation")


def make_attempt(app, origin: str, auto_run: bool = True) -> Attempt | None:
    """Stream one answer and record it. A 'problem' attempt sees only the plain problem prompt (what the
    learner trains on); a 'conversation' reply also sees the follow-up turns."""
    from agent.episode.prompts import extract_code, problem_messages

    task = app.session.task
    messages = problem_messages(task)
    prompt = messages[-1]["content"]
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    if origin == "conversation":
        messages = messages + conversation_window(app.session.state.conversation)
    elif origin != "problem":
        raise ValueError(f"attempt origin {origin!r} is unknown; use 'problem' or 'conversation'")
    index = len(app.session.state.attempts) + 1
    seed = None if app.config.seed is None else app.config.seed + index - 1
    label = f"attempt #{index}" if origin == "problem" else f"reply #{index} · conversation"
    app.console.rule(f"[bold]{label}[/] · {app.session.describe_adapter()}", align="left")
    sampling = app.engine.sampling(seed)
    shown = stream_answer(app.console, app.worker, lambda stop: app.engine.stream(messages, sampling, stop))
    if shown.error is not None:
        app.console.print(f"[red]generation failed: {type(shown.error).__name__}: {shown.error}[/]")
        app.session.log("info", f"generation failed: {shown.error!r}")
        return None
    generation = app.engine.last_generation
    text = generation.text if generation is not None else shown.text
    ids = list(generation.ids) if generation is not None else []
    code = extract_code(text)
    attempt = app.session.add_attempt(
        text=text, ids=ids, prompt=prompt, system=system, origin=origin, task_id=task.id, code=code,
        seconds=shown.seconds, first_token_s=shown.first_token_s, stopped=shown.stopped)
    app.session.log("assistant", text, attempt=attempt.index, origin=origin)
    cut = generation is not None and generation.finish_reason == "length"
    app.console.print(render.attempt_footer(attempt.index, len(ids), shown.first_token_s, shown.seconds,
                                            shown.stopped, code is not None, origin, cut))
    if shown.stopped:
        app.worker.stop_requested.set()
    elif auto_run and app.session.state.auto and code is not None and _visible_tests(task):
        run_attempt(app, attempt)
    return attempt


# ---- grading -------------------------------------------------------------------------------------------------

def cmd_run(app, cmd: Command) -> None:
    _require_problem(app)
    attempt = app.session.latest_with_code() or app.session.latest_attempt()
    if attempt is None:
        raise CommandError("nothing to run yet: /attempt asks the model for an answer")
    run_attempt(app, attempt)


def run_attempt(app, attempt: Attempt, show_offer: bool = True):
    """Grade an attempt, show the per-test table, the verdict and the feedback; returns the RunOutcome or None.
    `show_offer=False` when the caller learns from the result right away (/learn, /retry)."""
    task = app.session.task
    if not _visible_tests(task):
        app.hint("no tests to run: add one with /test-add INPUT => EXPECTED")
        return None
    what = "the sandbox" if attempt.code is not None else "(no code block)"
    outcome = app.worker.run(f"grading attempt #{attempt.index} in {what}", app.engine.run, task, attempt.code)
    grade = outcome.visible.to_dict() if outcome.visible is not None else {"verdict": "compile_error", "tests": []}
    app.session.record_grade(attempt, grade, outcome.hidden, outcome.feedback, outcome.verdict)
    app.session.log("run", outcome.verdict, attempt=attempt.index, feedback=outcome.feedback)
    if outcome.visible is not None:
        app.console.print(render.grade_table(grade, attempt.index))
    line = render.hidden_line(outcome.hidden)
    if line:
        app.console.print(line)
    app.console.print(render.verdict_line(outcome.verdict, attempt.index, outcome.seconds))
    if outcome.verdict == "infra_error":
        app.hint("the sandbox failed, which is not a verdict on the code: /run again, or `autodidact sandbox "
                 "check` to see why")
    elif outcome.feedback:
        app.console.print(render.feedback_panel(outcome.feedback))
    if show_offer and app.session.state.feedback_offer == attempt.index:
        app.console.print(render.offer_line(attempt.index))
    return outcome


def cmd_auto(app, cmd: Command) -> None:
    if cmd.arg:
        app.session.state.auto = cmd.arg == "on"
        app.session.save()
    app.console.print(f"auto-run is {'on: every answer with code is graded' if app.session.state.auto else 'off'}")


def cmd_skip(app, cmd: Command) -> None:
    if app.session.state.feedback_offer is None:
        app.hint("no feedback offer is pending: plain messages are already conversation")
        return
    app.session.state.feedback_offer = None
    app.session.save()
    app.console.print("ok: your next plain message is conversation, not feedback")


def cmd_stats(app, cmd: Command) -> None:
    app.console.print(render.stats_view(app.session, app.engine.undo_depth))


def cmd_help(app, cmd: Command) -> None:
    app.console.print(render.help_view())


def _require_problem(app) -> None:
    if app.session.task is None:
        raise CommandError("no problem yet: type one as a plain message, /problem TEXT, or /task TASKSET:ID")


def _visible_tests(task) -> tuple:
    from agent.episode.loop import visible_tests

    return visible_tests(task, "public")
