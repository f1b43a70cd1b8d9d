"""``scql serve`` (one party as its own server) and ``scql certs`` (development TLS files).

    scql certs --catalog C                 # CA + a key and certificate per party in C's certs/
    scql serve --catalog C --party P       # serve P at its catalog address until SIGTERM
    scql serve --catalog C --party P --insecure      # plain TCP, no authentication

``serve`` logs one line per query on stderr (or ``--log-file``) and stops cleanly on
SIGTERM or Ctrl-C. Also runnable as ``python -m scql_py.cli.serve_cmd serve|certs ...``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from scql_py.cluster import remote_protocol as rp
from scql_py.cluster.remote import catalog_parties
from scql_py.cluster.server import PartyServer
from scql_py.errors import Error
from scql_py.net.certs import DEFAULT_HOSTS, make_dev_certs
from scql_py.net.channel import DEFAULT_TIMEOUT

LOG_FORMAT = "%(asctime)s %(levelname)s scql serve [{party}] %(message)s"


def run_certs(catalog_path: str | Path, out_dir: str | Path | None = None,
              hosts: Sequence[str] = ()) -> Path:
    """Write a development CA and every party's key and certificate for a catalog.

    Goes to ``certs/`` beside the catalog unless ``out_dir``; the certificates name the
    hosts of the catalog's addresses, ``hosts`` and the loopback names. Existing files are
    kept. Returns the directory.
    """
    parties = catalog_parties(catalog_path)
    directory = Path(out_dir) if out_dir is not None else rp.default_cert_dir(catalog_path)
    names = [*DEFAULT_HOSTS, *hosts, *(a.rpartition(":")[0].strip("[]")
                                       for a in parties.values())]
    make_dev_certs(directory, list(parties), hosts=list(dict.fromkeys(filter(None, names))))
    return directory


def run_serve(catalog_path: str | Path, party: str, *, certs: str | Path | None = None,
              insecure: bool = False, timeout: float = DEFAULT_TIMEOUT,
              listen: str | None = None, log_level: str = "info",
              log_file: str | Path | None = None) -> int:
    """Serve ``party`` until SIGTERM/SIGINT; returns the exit status (0 after a clean stop).

    Errors before serving (bad catalog, missing certificates, port in use) are raised as
    :class:`~scql_py.errors.Error` for the caller to print.
    """
    # what a party's server writes (its storage, its write-ahead log, its log) holds its
    # data and its shares: readable by this user only
    os.umask(0o077)
    handler: logging.Handler = (logging.FileHandler(log_file) if log_file is not None
                                else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter(LOG_FORMAT.format(party=party)))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(getattr(logging, log_level.upper(), logging.INFO))
    try:
        server = PartyServer(catalog_path, party, certs=certs, insecure=insecure,
                             timeout=timeout, listen=listen)
        if insecure:
            logging.getLogger("scql_py.server").warning(
                "--insecure: plain TCP, parties are not authenticated and traffic is not "
                "encrypted")
        server.start()
        server.serve_forever()
    finally:
        root.removeHandler(handler)
        handler.close()
    return 0


def build_serve_parser(prog: str = "scql serve",
                       parser_cls: type[argparse.ArgumentParser] = argparse.ArgumentParser
                       ) -> argparse.ArgumentParser:
    parser = parser_cls(
        prog=prog, description="Run one party's engine as a server at its catalog address.")
    parser.add_argument("--catalog", metavar="C", required=True, help="catalog TOML file")
    parser.add_argument("--party", metavar="P", required=True, help="the party to serve")
    parser.add_argument("--certs", metavar="DIR",
                        help="TLS files (default: certs/ beside the catalog; `scql certs`)")
    parser.add_argument("--insecure", action="store_true",
                        help="plain TCP without TLS or authentication (testing only)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="how long to wait for another party (default: 30)")
    parser.add_argument("--listen", metavar="HOST:PORT",
                        help="address to bind, if not the catalog's (e.g. 0.0.0.0:7101)")
    parser.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-file", metavar="FILE", help="log here instead of stderr")
    return parser


def build_certs_parser(prog: str = "scql certs",
                       parser_cls: type[argparse.ArgumentParser] = argparse.ArgumentParser
                       ) -> argparse.ArgumentParser:
    parser = parser_cls(
        prog=prog, description="Make a development CA and a key and certificate per party.")
    parser.add_argument("--catalog", metavar="C", required=True, help="catalog TOML file")
    parser.add_argument("--out", metavar="DIR",
                        help="where to write them (default: certs/ beside the catalog)")
    parser.add_argument("--host", action="append", default=[], metavar="NAME",
                        help="another host name or IP the certificates must name "
                        "(repeatable; the catalog's hosts are always included)")
    return parser


def serve_main(argv: Sequence[str],
               parser_cls: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> int:
    """``scql serve ARGS``: parse and serve (errors propagate to the caller)."""
    args = build_serve_parser(parser_cls=parser_cls).parse_args(list(argv))
    return run_serve(args.catalog, args.party, certs=args.certs, insecure=args.insecure,
                     timeout=args.timeout, listen=args.listen, log_level=args.log_level,
                     log_file=args.log_file)


def certs_main(argv: Sequence[str], out: TextIO = sys.stdout,
               parser_cls: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> int:
    """``scql certs ARGS``: write the files and say where."""
    args = build_certs_parser(parser_cls=parser_cls).parse_args(list(argv))
    directory = run_certs(args.catalog, args.out, args.host)
    print(f"development CA and party certificates in {directory} (the CA key ca.key can "
          "mint identities: keep it away from the parties' machines)", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scql_py.cli.serve_cmd serve|certs ...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    commands = {"serve": serve_main, "certs": certs_main}
    if not args or args[0] not in commands:
        print("usage: python -m scql_py.cli.serve_cmd serve|certs ...", file=sys.stderr)
        return 2
    try:
        return commands[args[0]](args[1:])
    except Error as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
