"""One connection of the ``scql`` command line and how its results are printed; the
errors of a command line that cannot run.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scql_py import dbapi
from scql_py.cli.progress import ProgressLine
from scql_py.cli.render import render


class UsageError(Exception):
    """A command line that cannot run (reported like any other user error)."""

    exit_status = 1


class BadArguments(UsageError):
    """Options argparse rejects; exit status 2 as is usual for usage errors."""

    exit_status = 2


class CommandParser(argparse.ArgumentParser):
    """argparse that reports a bad command line as one :class:`BadArguments` line."""

    def error(self, message: str):  # one line, like every other error
        raise BadArguments(f"{message} (see {self.prog} --help)")


@dataclass
class Session:
    """One connection plus where and how results are printed.

    ``out`` gets the results (the shell's ``.output`` changes it), ``console`` the
    timer lines (the terminal, whatever ``.output`` says), ``err`` errors, warnings and
    the progress line. ``separate``: a blank line between two tables (scripts)."""

    connection: dbapi.Connection
    fmt: str = "table"
    out: TextIO = sys.stdout
    err: TextIO = sys.stderr
    console: TextIO | None = None
    timer: bool = False
    separate: bool = False
    _results: int = field(default=0, repr=False)
    _file: TextIO | None = field(default=None, repr=False)  # what .output opened

    def __post_init__(self) -> None:
        if self.console is None:
            self.console = self.out

    def run(self, sql: str) -> None:
        """Execute one statement and print its result (raises the engine's errors;
        Ctrl-C cancels it on every party and raises ``KeyboardInterrupt``)."""
        start = time.monotonic()
        cur = self.connection.cursor()
        try:
            with ProgressLine(self.err) as line:
                cur.execute(sql, progress=line.update)
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchall()
            for message in cur.messages:
                print(f"warning: {message}", file=self.err)
        finally:
            cur.close()
        if self.separate and self._results and self.fmt in ("table", "markdown", "line"):
            print(file=self.out)
        self._results += 1
        print(render(self.fmt, columns, rows), file=self.out)
        if self.timer:
            print(f"Run Time: {time.monotonic() - start:.3f} s", file=self.console)

    def set_output(self, target: str | None) -> None:
        """Results to file ``target`` (replaced), or back to the console (None or
        ``stdout``); an ``OSError`` if the file cannot be written."""
        file = None
        if target is not None and target != "stdout":
            file = Path(target).expanduser().open("w", encoding="utf-8")
        self.close()
        self._file = file
        self.out = file if file is not None else self.console

    def close(self) -> None:
        """Close the ``.output`` file, if any."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self.out = self.console

    def explain(self, sql: str, analyze: bool = False) -> None:
        print(self.connection.explain(sql, analyze=analyze).rstrip("\n"), file=self.out)


def error_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return f"error: {text}"
