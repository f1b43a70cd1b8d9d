"""The interactive ``scql`` shell, and the same loop over a piped stdin.

Statements may span lines and end with ``;``. Lines starting with ``.`` (when no
statement is pending) are shell commands: ``.help``, ``.tables``, ``.schema T``,
``.explain SQL``, ``.quit``. An error prints one line and the shell goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from scql_py.cli.script import complete_prefix, split_script
from scql_py.cli.session import Session, UsageError, error_line
from scql_py.errors import Error

PROMPT = "scql> "
CONTINUATION = "  ..> "

HELP = """\
Statements end with ';' and may span several lines.
  .tables           list the catalog's tables and their owners
  .schema TABLE     columns, types and control lists (CCL) of a table
  .explain SQL      the plan of a statement: placement and what each party learns
  .help             this text
  .quit             leave (also .exit or Ctrl-D)"""


class Shell:
    """Feeds lines to a session: buffers statements, runs dot commands, reports errors."""

    def __init__(self, session: Session):
        self.session = session
        self.buffer: list[str] = []
        self.failed = 0
        self.done = False

    @property
    def pending(self) -> bool:
        return bool(self.buffer)

    def feed(self, line: str) -> None:
        """One input line; runs what is complete."""
        if not self.buffer and line.strip().startswith("."):
            self._guard(self._command, line.strip())
            return
        if not self.buffer and not line.strip():
            return
        self.buffer.append(line)
        done, rest = complete_prefix("\n".join(self.buffer))
        if done:
            self.buffer = [rest] if split_script(rest) else []
            for sql in split_script(done):
                self._guard(self.session.run, sql)

    def finish(self) -> None:
        """End of input: run a last statement even without its ';'."""
        text = "\n".join(self.buffer).strip()
        self.buffer.clear()
        for sql in split_script(text):
            self._guard(self.session.run, sql)

    def cancel(self) -> None:
        self.buffer.clear()

    def _guard(self, fn, arg: str) -> None:
        try:
            fn(arg)
        except BrokenPipeError:
            raise  # the reader went away (e.g. `| head`): stop, see main()
        except (Error, UsageError, OSError) as exc:
            self.failed += 1
            print(error_line(exc), file=self.session.err)
        except Exception as exc:  # a bug: report it on one line and keep the shell alive
            self.failed += 1
            print(f"error: internal error ({type(exc).__name__}): {exc}", file=self.session.err)

    # -- dot commands

    def _command(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        out = self.session.out
        if name in (".quit", ".exit", ".q"):
            self.done = True
        elif name == ".help":
            print(HELP, file=out)
        elif name == ".tables":
            print(self._tables(), file=out)
        elif name == ".schema":
            if not rest:
                raise UsageError(".schema needs a table name, e.g. .schema alice_income")
            print(self._schema(rest.rstrip(";")), file=out)
        elif name == ".explain":
            if not rest:
                raise UsageError(".explain needs a statement, e.g. .explain SELECT 1")
            for sql in split_script(rest):
                self.session.explain(sql)
        else:
            raise UsageError(f"unknown command {name}: try .help")

    def _tables(self) -> str:
        catalog = self.session.connection.catalog
        rows = [(name, getattr(t, "owner", "?")) for name, t in catalog.tables.items()]
        if not rows:
            return "(no tables)"
        width = max(len(n) for n, _ in rows)
        return "\n".join(f"{n.ljust(width)}  owner: {o}" for n, o in rows)

    def _schema(self, name: str) -> str:
        catalog = self.session.connection.catalog
        table = catalog.tables.get(name)
        if table is None:
            known = ", ".join(catalog.tables) or "none"
            raise UsageError(f"unknown table {name!r}: the catalog's tables are {known}")
        owner = getattr(table, "owner", "?")
        lines = [f"{name} (owner: {owner})"]
        width = max((len(c) for c in table.columns), default=0)
        type_width = max((len(str(t)) for t in table.columns.values()), default=0)
        others = [p for p in catalog.parties if p != owner]
        for column, sql_type in table.columns.items():
            ccl = ""
            if hasattr(table, "ccl_level"):
                levels = [f"{p}={_level_name(table.ccl_level(column, p))}" for p in others]
                ccl = "  ccl: " + ", ".join(levels) if levels else ""
            lines.append(f"  {column.ljust(width)}  {str(sql_type).ljust(type_width)}{ccl}"
                         .rstrip())
        return "\n".join(lines)


def _level_name(level: object) -> str:
    return str(getattr(level, "name", level))


def run_piped(session: Session, lines: Iterable[str]) -> int:
    """Run statements read from a non-terminal stdin; status 1 if any of them failed."""
    shell = Shell(session)
    for raw in lines:
        shell.feed(raw.rstrip("\n"))
        if shell.done:
            break
    if not shell.done:
        shell.finish()
    return 1 if shell.failed else 0


def _history():
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = Path(os.environ.get("SCQL_HISTORY", Path.home() / ".scql_history"))
    try:
        path.touch(exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def run_interactive(session: Session) -> int:
    """The prompt_toolkit shell: history, multi-line statements, dot commands."""
    from prompt_toolkit import PromptSession

    con = session.connection
    print(
        f"scql_py: asking as {con.party} over {len(con.catalog.tables)} table(s). "
        "Statements end with ';'. Type .help for help.",
        file=session.out,
    )
    prompt = PromptSession(history=_history())
    shell = Shell(session)
    while not shell.done:
        try:
            line = prompt.prompt(CONTINUATION if shell.pending else PROMPT)
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed
            shell.cancel()
            continue
        except EOFError:
            break
        shell.feed(line)
    return 0
