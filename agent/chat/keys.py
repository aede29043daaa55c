"""Reading what the user types, with prompt_toolkit: a history file kept across sessions, multi-line editing,
and a prompt that says what a plain message will mean.

Keys: Enter sends. Esc then Enter (Alt-Enter on most terminals) inserts a newline, and so does Enter on a
line ending in a backslash (the backslash is removed). Pasted text keeps its newlines (bracketed paste).
Ctrl-C clears the line (KeyboardInterrupt), Ctrl-D on an empty line leaves (EOFError).
"""

from __future__ import annotations

from pathlib import Path


def _bindings():
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("enter")
    def _send_or_continue(event) -> None:
        buf = event.current_buffer
        if buf.document.is_cursor_at_the_end and buf.text.endswith("\\"):
            buf.delete_before_cursor(1)
            buf.insert_text("\n")
        else:
            buf.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")

    return kb


class ChatInput:
    """The input line. `read` returns the text typed, or raises KeyboardInterrupt / EOFError."""

    def __init__(self, history_file: Path, pt_input=None, pt_output=None) -> None:
        """`pt_input`/`pt_output`: prompt_toolkit Input/Output to use instead of the terminal (e.g. a pipe)."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history_file.parent.mkdir(parents=True, exist_ok=True)
        self._prompt = PromptSession(
            history=FileHistory(str(history_file)), multiline=True, key_bindings=_bindings(),
            prompt_continuation=lambda width, line_number, is_soft_wrap: "." * (width - 1) + " ",
            input=pt_input, output=pt_output,
        )

    def read(self, marker: str, toolbar: str | None = None) -> str:
        """One message. `marker` is prompt_toolkit HTML (e.g. '<b>you</b> › '); `toolbar` the status line."""
        from prompt_toolkit.formatted_text import HTML

        return self._prompt.prompt(HTML(marker), bottom_toolbar=HTML(toolbar) if toolbar else None)



def escape(text: str) -> str:
    """Text made safe inside prompt_toolkit HTML markup."""
    import html

    return html.escape(text, quote=False)
