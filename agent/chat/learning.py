"""Handlers for the commands that change the weights: /learn, /feedback, /teach, /retry, /undo, /reset,
/save and /load.

The learning itself is the learner's (agent/learn/sdpo.py); here each command picks the attempt and the signal:
  /learn      the attempt's test feedback (SDPO)
  /feedback   the user's own words as the feedback (SDPO)
  /teach      a solution the user pastes, as the demonstration (SDFT)
The attempt handed over is always one generated from the plain problem prompt, with its token ids as
sampled. After every change of weights the adapter in use is written to the session directory, so
`--resume` continues from the same weights.
"""

from __future__ import annotations

import json
import os
import shutil

from agent.chat import render
from agent.chat.actions import make_attempt, run_attempt
from agent.chat.commands import Command, CommandError
from agent.chat.session import Attempt, UpdateRecord


def cmd_learn(app, cmd: Command) -> None:
    attempt = _learnable(app)
    if attempt.verdict is None:
        if run_attempt(app, attempt, show_offer=False) is None:
            return
    if attempt.verdict == "pass":
        raise CommandError(f"attempt #{attempt.index} passes every test, so its tests give nothing to learn: "
                           f"/feedback TEXT or /teach still can")
    if not attempt.feedback:
        raise CommandError(f"attempt #{attempt.index} has no test feedback ({attempt.verdict}): "
                           f"/run it again, or say what is wrong with /feedback TEXT")
    learn_from(app, attempt, "tests", feedback=attempt.feedback)
    _fresh_attempt(app)


def cmd_feedback(app, cmd: Command) -> None:
    offered = app.session.state.feedback_offer
    attempt = app.session.attempt(offered) if cmd.implicit and offered else _learnable(app)
    if cmd.implicit:
        app.console.print(f"[bold yellow]↳ taken as FEEDBACK on attempt #{attempt.index}[/]: your words go into "
                          f"the teacher's context and an SDPO update follows [dim](/chat TEXT to just talk)[/]")
    app.session.log("user", cmd.arg, meaning="feedback", attempt=attempt.index)
    learn_from(app, attempt, "words", feedback=cmd.arg)
    _fresh_attempt(app)


def cmd_teach(app, cmd: Command) -> None:
    from agent.episode.prompts import extract_code

    if app.session.task is None:
        raise CommandError("no problem yet: load or type the problem before teaching a solution to it")
    solution = cmd.arg or app.ask("paste the correct solution (Enter sends; Esc Enter for a new line)")
    code = extract_code(solution) or solution.strip() + "\n"
    if not code.strip():
        raise CommandError("the solution is empty: /teach then paste the code")
    attempt = app.session.latest_learnable()
    if attempt is None:
        app.console.print("[dim]no attempt to learn on yet: the model answers first, then learns from yours[/]")
        attempt = make_attempt(app, "problem", auto_run=False)
        if attempt is None or not attempt.learnable or app.worker.stop_requested.is_set():
            return
    if app.engine.sandbox_problem is None and app.session.task.public_tests:
        check = app.worker.run("checking your solution on the visible tests", app.engine.run, app.session.task, code)
        app.console.print(f"your solution: {render.verdict_text(check.verdict)} on the tests"
                          + ("" if check.verdict == "pass" else " [yellow](teaching it anyway)[/]"))
    # The teacher sees the solution the way answers are written: one fenced python block.
    demonstration = f"```python\n{code}```"
    app.session.log("user", code, meaning="teach", attempt=attempt.index)
    learn_from(app, attempt, "teach", demonstration=demonstration)
    _fresh_attempt(app)


def cmd_retry(app, cmd: Command) -> None:
    if app.session.task is None:
        raise CommandError("no problem yet: load or type a problem before /retry")
    rounds = int(cmd.arg)
    for round_no in range(1, rounds + 1):
        app.console.print(f"[bold]round {round_no} of {rounds}[/]")
        attempt = make_attempt(app, "problem", auto_run=False)
        if attempt is None or app.worker.stop_requested.is_set():
            break
        outcome = run_attempt(app, attempt, show_offer=False)
        if outcome is None or app.worker.stop_requested.is_set():
            break
        if outcome.verdict == "pass":
            app.console.print(f"[bold green]solved in round {round_no}[/] (attempt #{attempt.index})")
            return
        if outcome.verdict == "infra_error" or not outcome.feedback:
            break
        learn_from(app, attempt, "tests", feedback=outcome.feedback)
        if app.worker.stop_requested.is_set():
            break
    else:
        app.console.print(f"not solved in {rounds} rounds: /retry again, /feedback TEXT or /teach")
        return
    app.console.print("[dim]/retry stopped[/]")


def cmd_undo(app, cmd: Command) -> None:
    if app.engine.undo_depth == 0:
        if app.session.active_updates():
            raise CommandError("the updates in the weights came before this session was resumed or an adapter "
                               "was loaded, so they cannot be undone one by one: /reset returns to base weights")
        raise CommandError("nothing to undo: no update since the base weights (or the last /load)")
    app.worker.run("undoing the last update", app.engine.undo)
    record = app.session.mark_undone()
    _sync_adapter(app)
    what = f"update #{record.index} ({record.source}, attempt #{record.attempt})" if record else "the last update"
    app.session.log("update", f"undo {what}")
    app.console.print(f"undid {what}: the weights are exactly as before it · "
                      f"adapter: {app.session.describe_adapter()}")


def cmd_reset(app, cmd: Command) -> None:
    app.worker.run("returning to the base weights", app.engine.reset)
    n = app.session.mark_all("reset", base="base")
    _sync_adapter(app)
    app.session.log("update", f"reset ({n} updates removed)")
    app.console.print(f"back to the base weights ({n} update{'s' if n != 1 else ''} removed)")


def cmd_save(app, cmd: Command) -> None:
    path = adapters_dir(app) / cmd.arg
    replaced = path.exists()
    app.worker.run(f"saving the adapter as {cmd.arg}", _write_adapter, app, path)
    info = {"name": cmd.arg, "model": app.config.model, "session": app.session.state.id,
            "adapter": app.session.describe_adapter(),
            "updates": [{"source": u.source, "loss": u.loss, "kl_before": u.kl_before, "kl_after": u.kl_after}
                        for u in app.session.active_updates()]}
    (path / "chat-adapter.json").write_text(json.dumps(info, indent=1) + "\n")
    if cmd.arg not in app.session.state.saved_adapters:
        app.session.state.saved_adapters.append(cmd.arg)
        app.session.save()
    app.session.log("update", f"saved adapter {cmd.arg} at {path}")
    app.console.print(f"{'replaced' if replaced else 'saved'} adapter [bold]{cmd.arg}[/] "
                      f"({app.session.describe_adapter()}) at {path}")


def cmd_load(app, cmd: Command) -> None:
    path = adapters_dir(app) / cmd.arg
    if not path.is_dir():
        names = sorted(p.name for p in adapters_dir(app).glob("*") if p.is_dir())
        raise CommandError(f"no adapter named {cmd.arg!r}; saved adapters: {', '.join(names) or 'none'} "
                           f"(/save NAME keeps one)")
    try:
        app.worker.run(f"loading adapter {cmd.arg}", app.engine.load_adapter, path)
    except (ValueError, FileNotFoundError) as e:  # the adapter's own check names the mismatch and the fix
        raise CommandError(str(e)) from None
    n = app.session.mark_all("replaced", base=f"loaded:{cmd.arg}")
    _sync_adapter(app)
    app.session.log("update", f"loaded adapter {cmd.arg} from {path}")
    app.console.print(f"loaded adapter [bold]{cmd.arg}[/]"
                      + (f" (replacing {n} update{'s' if n != 1 else ''})" if n else ""))


# ---- shared steps --------------------------------------------------------------------------------------------

def learn_from(app, attempt: Attempt, source: str, feedback: str | None = None,
               demonstration: str | None = None) -> UpdateRecord:
    """One learner update on `attempt` with the given signal; records it and writes the adapter."""
    from agent.protocols import LearnerEpisode

    episode = LearnerEpisode(prompt=attempt.prompt, response_ids=list(attempt.ids), feedback=feedback,
                             demonstration=demonstration, system=attempt.system)
    kind = "SDFT" if demonstration else "SDPO"

    def update():
        stats = app.engine.learn(episode)
        if not stats.skipped:
            _write_adapter(app, app.session.adapter_dir)
        return stats

    stats = app.worker.run(f"{kind} update on attempt #{attempt.index} ({len(attempt.ids)} tokens)", update)
    record = app.session.add_update(
        source=source, attempt=attempt.index, text=feedback or demonstration or "", loss=stats.loss,
        kl_before=stats.kl_before, kl_after=stats.kl_after, grad_norm=stats.grad_norm, tokens=stats.tokens,
        seconds=stats.seconds, skipped=stats.skipped)
    app.session.log("update", render.update_line(record), update=record.index, source=source)
    app.console.print(render.update_line(record))
    return record


def adapters_dir(app):
    return app.home / "adapters"


def _learnable(app) -> Attempt:
    if app.session.task is None:
        raise CommandError("no problem yet: type one, /problem TEXT, or /task TASKSET:ID")
    attempt = app.session.latest_learnable()
    if attempt is None:
        raise CommandError("no attempt at this problem to learn from yet: /attempt first")
    return attempt


def _fresh_attempt(app) -> None:
    if app.worker.stop_requested.is_set():
        app.console.print("[dim]stopped before the fresh attempt (/attempt makes one)[/]")
        return
    make_attempt(app, "problem")


def _write_adapter(app, path) -> None:
    write_adapter(app.engine.save_adapter, path)


def write_adapter(save, path) -> None:
    """Write an adapter with `save(directory)` to `path` atomically (a temporary directory renamed into place);
    the chat and the server (agent/serve/session.py) keep their session's adapter this way."""
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save(tmp)
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)


def _sync_adapter(app) -> None:
    """Make the session's adapter/ match the weights: absent at base weights, the current adapter otherwise."""
    at_base = app.session.state.adapter_base == "base" and not app.session.active_updates()
    if at_base:
        shutil.rmtree(app.session.adapter_dir, ignore_errors=True)
    else:
        app.worker.run("writing the adapter to the session", _write_adapter, app, app.session.adapter_dir)
