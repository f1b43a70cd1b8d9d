"""The rows of ``catalogs/types.toml`` (the SQL oracle suite's) written into SQLite and
DuckDB files, and that catalog with its tables placed in databases."""

from __future__ import annotations

import datetime as dt
import decimal
import sqlite3
from pathlib import Path

import duckdb
import pyarrow as pa

from scql_py.catalog import load_catalog
from scql_py.storage.sources import load_table

REPO = Path(__file__).resolve().parents[2]
CATALOGS = REPO / "catalogs"
PASSWORD_ENV = "SCQL_TEST_PG_PASSWORD"
TYPES_COLUMNS = ("id", "k", "s", "i", "f", "b", "d", "ts", "m", "c", "secret")

# t_alice in PostgreSQL: narrower integer types, varchar, timestamptz, numeric
PG_DDL = ("id integer, k smallint, s varchar(40), i bigint, f double precision, b boolean, "
          "d date, ts timestamptz, m numeric(12,2), c integer, secret bigint")
PG_FROM_STAGE = "id, k, s, i, f, b, d, ts AT TIME ZONE 'UTC', m, c, secret"
SQLITE_DDL = ("id INTEGER, k INTEGER, s TEXT, i INTEGER, f REAL, b BOOLEAN, d DATE, "
              "ts TIMESTAMP, m NUMERIC(12,2), c INTEGER, secret INTEGER")


def types_rows(table: str) -> pa.Table:
    """The rows of ``table`` of the types catalog, as its CSV file gives them."""
    con = duckdb.connect()
    load_table(con, load_catalog(CATALOGS / "types.toml").tables[table])
    return con.sql(f"SELECT * FROM {table} ORDER BY id").to_arrow_table()


def write_sqlite(path: Path, table: str, rows: pa.Table, ddl: str = SQLITE_DDL) -> None:
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE {table} ({ddl})")
    names = rows.column_names
    values = [tuple(_sqlite_value(v) for v in row.values())
              for row in rows.to_pylist()]
    con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})", values)
    con.commit()
    con.close()


def _sqlite_value(v):
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def write_duckdb(path: Path, table: str, rows: pa.Table) -> None:
    con = duckdb.connect(str(path))
    con.register("rows", rows)
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM rows")
    con.close()


def types_catalog_text(placements: dict[str, str], databases: dict[str, str]) -> str:
    """The types catalog with each table placed: ``placements`` maps a table to TOML
    lines replacing its ``source`` line; ``databases`` maps a party to the TOML of its
    databases sections."""
    text = (CATALOGS / "types.toml").read_text()
    for table, lines in placements.items():
        text = text.replace(f'source = "types/{table}.csv"', lines)
    for party, sections in databases.items():
        header = f"[parties.{party}]\n"
        start = text.index(header)
        end = text.index("\n\n", start)
        text = text[:end] + "\n" + sections.rstrip("\n") + text[end:]
    return text
