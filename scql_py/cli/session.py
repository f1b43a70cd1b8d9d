"""One connection of the ``scql`` command line and how its results are printed; the
errors of a command line that cannot run.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TextIO

from scql_py import dbapi
from scql_py.cli.render import render
from scql_py.cli.script import split_script


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
    """One connection plus where and how results are printed."""

    connection: dbapi.Connection
    fmt: str = "table"
    out: TextIO = sys.stdout
    err: TextIO = sys.stderr

    def run(self, sql: str) -> None:
        """Execute one statement and print its result (raises the engine's errors)."""
        cur = self.connection.cursor()
        try:
            cur.execute(sql)
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchall()
            for message in cur.messages:
                print(f"warning: {message}", file=self.err)
        finally:
            cur.close()
        print(render(self.fmt, columns, rows), file=self.out)

    def run_script(self, text: str) -> None:
        """Run each statement of ``text`` in order; stop at the first error."""
        statements = split_script(text)
        if not statements:
            raise UsageError("no SQL statement to run")
        for i, sql in enumerate(statements):
            if i and self.fmt == "table":
                print(file=self.out)
            self.run(sql)

    def explain(self, sql: str) -> None:
        print(self.connection.explain(sql).rstrip("\n"), file=self.out)


def error_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return f"error: {text}"
