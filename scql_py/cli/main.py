"""The ``scql`` command line.

    scql -f queries/average_income.sql             # bundled demo catalog, first party asks
    scql --catalog C --party P -c "SELECT ..." --format table|csv|json
    scql --catalog C --party P                     # interactive REPL (statements from stdin
                                                   # when it is not a terminal)
    scql explain --catalog C --party P -c "SELECT ..."
    scql explain --analyze ...                     # run it too: seconds, rounds, MB per step

A user mistake (bad SQL, unknown name, CCL refusal, bad catalog, missing file) prints one
line ``error: <text>`` on stderr; never a traceback. A script (``-c``, ``-f`` or a piped
standard input, all alike) goes on with its next statement after an error and exits with
status 1 if any failed; ``--bail`` stops it at the first error. Ctrl-C cancels the query
on every party: the shell goes back to its prompt, a script stops with status 130.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import scql_py
from scql_py import dbapi
from scql_py.cli import import_cmd, serve_cmd
from scql_py.cli.render import FORMATS
from scql_py.cli.repl import run_interactive
from scql_py.cli.script import read_headers, split_script
from scql_py.cli.session import CommandParser, Session, UsageError, error_line
from scql_py.cli.shell import Shell
from scql_py.errors import Error, NotSupportedError

# Subcommands named in the design that later issues implement.
RESERVED: dict[str, str] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="scql",
        description="SQL over the secret-shared tables of several parties.",
        epilog="subcommands: scql explain ... (show the plan); "
        "scql import ... (secret-share a table into every party's storage); "
        "scql certs --catalog C (development TLS certificates); "
        "scql serve --catalog C --party P (one party as its own server)",
    )
    _add_common(parser)
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="how results are printed (default: table)")
    parser.add_argument("--bail", action="store_true",
                        help="stop a script at its first error (default: report it, go on)")
    parser.add_argument("--version", action="version", version=f"scql_py {scql_py.__version__}")
    return parser


def build_explain_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="scql explain",
        description="Show a statement's plan: where each step runs and what each party learns.",
    )
    _add_common(parser)
    parser.add_argument("--analyze", action="store_true",
                        help="run the statement too and show, per step and party, the "
                             "seconds, rounds and megabytes sent (not the result's rows)")
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="C",
                        help="catalog TOML file (default: the bundled catalogs/demo.toml)")
    parser.add_argument("--party", metavar="P", help="the asking party (default: the first)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("-c", dest="command", metavar="SQL",
                      help="statements to run, separated by ';'")
    what.add_argument("-f", dest="file", metavar="FILE", help="a file of SQL statements")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long to wait for a party before giving up (default: 30)")
    parser.add_argument("--max-rows", type=int, metavar="N",
                        help="row pairs a many-to-many secret join may compare (default: "
                             "the catalog's max_rows, else 10,000,000)")
    parser.add_argument("--network", action="store_true",
                        help="send statements to the parties' `scql serve` processes")
    parser.add_argument("--certs", metavar="DIR",
                        help="TLS certificates (default: certs/ beside the catalog)")
    parser.add_argument("--insecure", action="store_true",
                        help="with --network: plain TCP without TLS (testing only)")


def _read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None


def _connect(args: argparse.Namespace, headers: dict[str, str], base: Path | None):
    """Connect as the command line says, falling back on the query file's headers."""
    catalog: str | Path | None = args.catalog
    if catalog is None and "catalog" in headers:
        catalog = (base or Path.cwd()) / headers["catalog"]
    party = args.party if args.party is not None else headers.get("party")
    return dbapi.connect(catalog, party=party, timeout=args.timeout,
                         mode="network" if args.network else "inprocess",
                         certs=args.certs, insecure=args.insecure,
                         max_rows=args.max_rows)


def run(argv: Sequence[str], stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Run the command line ``argv``; return the exit status."""
    if argv and argv[0] in RESERVED:
        raise NotSupportedError(f"scql {argv[0]} ({RESERVED[argv[0]]}) is not available yet")
    if argv and argv[0] == "import":
        return _run_import(argv[1:], out)
    if argv and argv[0] in ("serve", "certs"):
        if argv[0] == "serve":
            return serve_cmd.serve_main(argv[1:], parser_cls=CommandParser)
        return serve_cmd.certs_main(argv[1:], out, parser_cls=CommandParser)
    explain = bool(argv) and argv[0] == "explain"
    parser = build_explain_parser() if explain else build_parser()
    args = parser.parse_args(list(argv[1:] if explain else argv))

    text = headers_text = None
    base = None
    if args.file is not None:
        text = headers_text = _read_file(args.file)
        base = Path(args.file).parent
    elif args.command is not None:
        text = args.command
    headers = read_headers(headers_text) if headers_text is not None else {}

    if explain:
        if text is None:
            raise UsageError("scql explain needs -c SQL or -f FILE")
        statements = split_script(text)
        if not statements:
            raise UsageError("no SQL statement to explain")
        with _connect(args, headers, base) as con:
            session = Session(con, out=out, err=err)
            for sql in statements:
                session.explain(sql, analyze=args.analyze)
        return 0

    if text is not None and not split_script(text):
        raise UsageError("no SQL statement to run")
    with _connect(args, headers, base) as con:
        if text is None and stdin.isatty():
            return run_interactive(Session(con, fmt=args.format, out=out, err=err))
        # -c, -f and a piped stdin alike: every statement, the status says if one failed
        session = Session(con, fmt=args.format, out=out, err=err, separate=True)
        shell = Shell(session, bail=args.bail)
        try:
            shell.feed_lines(text.splitlines() if text is not None else stdin)
        finally:
            session.close()
        return 1 if shell.failed else 0


def _run_import(argv: Sequence[str], out: TextIO) -> int:
    parser = CommandParser(prog="scql import",
                     description="Secret-share an owner's table into every party's storage.")
    parser.add_argument("--catalog", metavar="C", required=True, help="catalog TOML file")
    parser.add_argument("--party", metavar="OWNER", required=True, help="the table's owner")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS")
    import_cmd.add_arguments(parser)
    print(import_cmd.run_from_args(parser.parse_args(list(argv))), file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scql`` console script; returns the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        return run(args, sys.stdin, sys.stdout, sys.stderr)
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
        return 1
    except (Error, UsageError, OSError) as exc:
        print(error_line(exc), file=sys.stderr)
        return getattr(exc, "exit_status", 1)
    except KeyboardInterrupt:  # a script's query was cancelled on every party
        print("cancelled", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not a user mistake: still one line unless debugging
        if os.environ.get("SCQL_DEBUG"):
            traceback.print_exc()
        print(f"error: internal error ({type(exc).__name__}): {error_line(exc)[7:]}"
              " (set SCQL_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
