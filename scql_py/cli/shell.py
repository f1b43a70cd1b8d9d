"""What the ``scql`` shell does with the lines it is given, wherever they come from: the
interactive prompt, a piped standard input, a ``-f`` file, ``-c`` or ``.read``.

Statements may span lines and end with ``;``. A line starting with ``.`` while no
statement is pending is a shell command (``.help`` lists them). A few words people type
at any prompt are understood on their own as well: ``exit``, ``quit``, ``help``,
``clear`` -- so that ``clear`` does not start a statement that swallows what follows.

An error prints one line ``error: ...`` and the shell goes on with the next statement;
with ``bail`` it stops at the first error. Either way :attr:`Shell.failed` counts them,
and a script's exit status is 1 if any statement failed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from scql_py.cli import catalog_view
from scql_py.cli.render import FORMATS
from scql_py.cli.script import complete_prefix, split_script
from scql_py.cli.session import Session, UsageError, error_line
from scql_py.errors import Error

HELP = """\
Statements end with ';' and may span several lines; Tab completes keywords, tables and
columns; Up recalls whole statements (also from earlier sessions); Ctrl-C cancels a
running query on every party, Ctrl-D leaves.
SQL about the catalog: SHOW TABLES; DESCRIBE t; SHOW COLUMNS FROM t;
  .tables              the catalog's tables and their owners
  .schema [TABLE]      columns, types and what you may learn of each (CCL); all tables
                       without a name
  .parties             who computes, who owns which tables, whose server is up
  .explain SQL         the plan of a statement: where each step runs, who learns what
  .explain analyze SQL run it too: seconds, rounds and megabytes per step and party
  .mode MODE           how results print: table, csv, json, markdown or line
  .timer on|off        print the time each statement takes
  .output FILE|stdout  write results to FILE (replacing it), or back to the screen
  .read FILE           run the statements and commands of FILE
  .help                this text
  .quit                leave (also .exit, exit, quit or Ctrl-D)"""

# words typed alone (a ';' after them allowed) that mean what they mean in other shells
_LEAVE = {"exit", "quit", "\\q"}
_HELP = {"help", "\\?", "?"}
_CLEAR = {"clear", "cls"}
SHELL_WORDS = _LEAVE | _HELP | _CLEAR
_MAX_READ_DEPTH = 16  # .read inside .read inside ...: stop a file that reads itself


def shell_word(line: str) -> str | None:
    """The shell word ``line`` consists of, if any (``exit``, ``help;`` ...)."""
    word = re.sub(r"\s*;\s*$", "", line.strip()).lower()
    return word if word in SHELL_WORDS else None


def is_complete(text: str) -> bool:
    """Whether the interactive editor should run ``text`` when Enter is pressed: a shell
    command, a shell word, nothing at all, or statements ending with ``;``."""
    stripped = text.strip()
    if not stripped or stripped.startswith(".") or shell_word(stripped):
        return True
    done, rest = complete_prefix(text)
    return bool(done) and not split_script(rest)


class Shell:
    """Feeds lines to a session: buffers statements, runs shell commands, reports
    errors. ``clear_screen`` is how ``clear`` clears the terminal (None: not one)."""

    def __init__(self, session: Session, *, bail: bool = False,
                 clear_screen: Callable[[], None] | None = None, depth: int = 0):
        self.session = session
        self.bail = bail
        self.clear_screen = clear_screen
        self.depth = depth
        self.buffer: list[str] = []
        self.failed = 0
        self.done = False

    def feed_lines(self, lines: Iterable[str]) -> None:
        """Every line of a script, then its end; stops early at ``.quit`` (or an error,
        with ``bail``)."""
        for raw in lines:
            self.feed(raw.rstrip("\r\n"))
            if self.done:
                return
        self.finish()

    def feed(self, line: str) -> None:
        """One input line; runs what is complete."""
        if self.done:
            return
        if not self.buffer:
            stripped = line.strip()
            if stripped.startswith("."):
                self._guard(self._command, stripped)
                return
            if not stripped:
                return
            word = shell_word(stripped)
            if word is not None:
                self._word(word)
                return
        self.buffer.append(line)
        done, rest = complete_prefix("\n".join(self.buffer))
        if done:
            self.buffer = [rest] if split_script(rest) else []
            for sql in split_script(done):
                self._guard(self.session.run, sql)
                if self.done:
                    self.buffer.clear()
                    return

    def finish(self) -> None:
        """End of input: run a last statement even without its ';'."""
        text = "\n".join(self.buffer).strip()
        self.buffer.clear()
        for sql in split_script(text):
            if self.done:
                return
            self._guard(self.session.run, sql)

    def cancel(self) -> None:
        """Drop the statement being typed."""
        self.buffer.clear()

    def _guard(self, fn, arg: str) -> None:
        try:
            fn(arg)
        except BrokenPipeError:
            raise  # the reader went away (e.g. `| head`): stop, see main()
        except (Error, UsageError, OSError) as exc:
            self._failed(error_line(exc))
        except KeyboardInterrupt:
            raise  # the caller says "cancelled" (the prompt) or stops (a script)
        except Exception as exc:  # a bug: report it on one line and keep the shell alive
            self._failed(f"error: internal error ({type(exc).__name__}): {exc}")

    def _failed(self, line: str) -> None:
        self.failed += 1
        print(line, file=self.session.err)
        if self.bail:
            self.done = True

    def _word(self, word: str) -> None:
        if word in _LEAVE:
            self.done = True
        elif word in _HELP:
            print(HELP, file=self.session.console)
        elif self.clear_screen is not None:
            self.clear_screen()

    # -- shell commands ----------------------------------------------------------------------

    def _command(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        session = self.session
        con = session.connection
        if name in (".quit", ".exit", ".q"):
            self.done = True
        elif name in (".help", ".h"):
            print(HELP, file=session.console)
        elif name == ".tables":
            print(catalog_view.tables_text(con.catalog), file=session.out)
        elif name == ".schema":
            table = rest.rstrip(";").strip() or None
            print(catalog_view.schema_text(con.catalog, con.party, table), file=session.out)
        elif name == ".parties":
            print(catalog_view.parties_text(con.catalog, con.party, con.party_status()),
                  file=session.out)
        elif name == ".explain":
            words = rest.split(None, 1)
            analyze = bool(words) and words[0].lower() == "analyze"
            if analyze:
                rest = words[1] if len(words) > 1 else ""
            if not rest:
                raise UsageError(".explain needs a statement, e.g. .explain SELECT 1")
            for sql in split_script(rest):
                session.explain(sql, analyze=analyze)
        elif name == ".mode":
            self._mode(rest)
        elif name == ".timer":
            self._timer(rest)
        elif name == ".output":
            session.set_output(rest or None)
        elif name == ".read":
            self._read(rest)
        else:
            raise UsageError(f"unknown command {name}: try .help")

    def _mode(self, rest: str) -> None:
        if not rest:
            print(f"current mode: {self.session.fmt}", file=self.session.console)
            return
        if rest not in FORMATS:
            raise UsageError(f".mode {rest}: use one of {', '.join(FORMATS)}")
        self.session.fmt = rest

    def _timer(self, rest: str) -> None:
        if rest.lower() not in ("on", "off"):
            raise UsageError(".timer needs on or off")
        self.session.timer = rest.lower() == "on"

    def _read(self, target: str) -> None:
        if not target:
            raise UsageError(".read needs a file name, e.g. .read queries/average_income.sql")
        if self.depth >= _MAX_READ_DEPTH:
            raise UsageError(f".read {target}: files read each other more than "
                             f"{_MAX_READ_DEPTH} deep")
        path = Path(target).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"no such file: {target}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read {target}: {exc}") from None
        inner = Shell(self.session, bail=self.bail, depth=self.depth + 1)
        inner.feed_lines(text.splitlines())  # (.quit in the file ends only the file)
        self.failed += inner.failed
        if inner.failed and self.bail:
            self.done = True
