"""`autodidact chat`: a terminal coding assistant that learns from its test failures and from your words.

The chat adds no learning logic of its own: attempts come from the policy, verdicts from the sandbox,
feedback text from sandbox.feedback, and updates from the SDPO learner. The package is split by job:

    session.py   the session's state (problem, attempts, updates, transcript) and its files on disk
    problem.py   typed problems, /test-add parsing, Task <-> JSON
    commands.py  the command table, parsing a line, and what a plain message means right now
    engine.py    the model, learner and sandbox behind one small interface, worked off the UI thread
    render.py    rich renderings: statement, tests, grade table, feedback, stats, help
    stream.py    streaming an answer token by token, code blocks highlighted once complete
    actions.py   one handler per command
    keys.py      prompt_toolkit input: history file, multi-line editing, the prompt marker
    app.py       the loop: read a line, dispatch it, keep going until /exit or Ctrl-D
"""
