"""The interactive ``scql`` shell on a terminal (prompt_toolkit).

The editor holds a whole statement, over as many lines as it takes: Enter runs it once
it ends with ``;`` (or is a shell command or word), and starts a new line otherwise. So
history keeps whole statements, and one Up arrow brings a multi-line statement back.
History is kept across sessions in ``~/.scql_history`` (``$SCQL_HISTORY`` to put it
elsewhere). Tab completes (:mod:`scql_py.cli.completion`). Ctrl-C while typing drops
the statement; while a query runs it cancels the query on every party and prints
``cancelled``. Ctrl-D on an empty line leaves.
"""

from __future__ import annotations

import os
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.shortcuts import clear

from scql_py.cli.completion import SqlCompleter
from scql_py.cli.session import Session
from scql_py.cli.shell import Shell, is_complete

PROMPT = "scql> "
CONTINUATION = "  ..> "
HISTORY_ENV = "SCQL_HISTORY"
HISTORY_FILE = ".scql_history"


def history_path() -> Path:
    """Where the history is kept: ``$SCQL_HISTORY``, else ``~/.scql_history``."""
    return Path(os.environ.get(HISTORY_ENV) or Path.home() / HISTORY_FILE).expanduser()


def _history() -> History:
    path = history_path()
    try:
        path.touch(exist_ok=True)
        return FileHistory(str(path))
    except OSError:  # e.g. a read-only home: still a shell, without saved history
        return InMemoryHistory()


def _key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event) -> None:
        buffer = event.current_buffer
        # a completion menu open with a choice made: Enter takes the choice
        if buffer.complete_state is not None and buffer.complete_state.current_completion:
            buffer.apply_completion(buffer.complete_state.current_completion)
            return
        if is_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            buffer.newline(copy_margin=False)

    return bindings


def _continuation(width: int, line_number: int, wrap_count: int) -> str:
    return CONTINUATION


def run_interactive(session: Session) -> int:
    """Read and run statements until ``.quit`` or Ctrl-D; the exit status (0)."""
    con = session.connection
    print(
        f"scql_py: asking as {con.party} over {len(con.catalog.tables)} table(s) of "
        f"{len(con.catalog.parties)} parties. Statements end with ';'; Tab completes; "
        ".help for help.",
        file=session.console,
    )
    prompt = PromptSession(
        history=_history(), multiline=True, key_bindings=_key_bindings(),
        prompt_continuation=_continuation, completer=SqlCompleter(con.catalog),
        complete_while_typing=False,
    )
    shell = Shell(session, clear_screen=clear)
    try:
        while not shell.done:
            try:
                text = prompt.prompt(PROMPT)
            except KeyboardInterrupt:  # Ctrl-C while typing drops the statement
                continue
            except EOFError:
                break
            try:
                shell.feed_lines(text.splitlines())
            except KeyboardInterrupt:  # the query was cancelled on every party
                shell.cancel()
                print("cancelled", file=session.err)
    finally:
        session.close()
    return 0
