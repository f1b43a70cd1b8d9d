"""``scql import``: an owner secret-shares one of its tables into every party's storage.

    scql import --catalog C --party OWNER --table NAME [--source FILE] [--not-null a,b]

The three parties run in this process, each on its own storage engine as the catalog
declares it (a ``storage = "x.duckdb"`` file keeps the shares across restarts). Only the
owner reads the source: the catalog table's own ``source`` unless ``--source`` names one
(a ``shared = true`` table has none in the catalog).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.cluster.shared_table_changes import import_table_inprocess
from scql_py.engine.shared_table_versions import ChangeResult


def run_import(catalog_path: str | Path, owner: str, table: str, *,
               source: str | Path | None = None, not_null: Iterable[str] = (),
               timeout: float = 30.0) -> ChangeResult:
    """Import ``owner``'s ``table``; returns the new version and its row count."""
    catalog = load_catalog(catalog_path, party=owner)
    with Federation(catalog, timeout=timeout) as federation:
        return import_table_inprocess(federation, owner, table, source=source,
                                      not_null=not_null)


def describe(result: ChangeResult) -> str:
    """The line ``scql import`` prints.

    >>> describe(ChangeResult("t", 3, 10))
    'imported 10 rows into shared table t (version 3)'
    """
    rows = "1 row" if result.rows == 1 else f"{result.rows} rows"
    return f"imported {rows} into shared table {result.table} (version {result.version})"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``scql import`` (besides ``--catalog`` and ``--party``)."""
    parser.add_argument("--table", required=True, metavar="NAME",
                        help="the catalog table to secret-share")
    parser.add_argument("--source", metavar="FILE",
                        help="CSV or Parquet file with its rows (default: the table's source)")
    parser.add_argument("--not-null", default="", metavar="COLUMNS",
                        help="comma-separated columns that must have no NULL")


def run_from_args(args: argparse.Namespace) -> str:
    """Run a parsed ``scql import`` command line; returns the line to print."""
    not_null = [c.strip() for c in args.not_null.split(",") if c.strip()]
    result = run_import(args.catalog, args.party, args.table, source=args.source,
                        not_null=not_null, timeout=getattr(args, "timeout", 30.0))
    return describe(result)
