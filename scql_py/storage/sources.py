"""Loading a table's source file (CSV or Parquet) into a DuckDB table of its declared types.

Types always come from the catalog, never sniffed from the data. CSV: a header row, ``,``
separated, ``"`` quoted; an empty field is NULL (a quoted ``""`` is an empty string).
Integers must be written as integers (``1.5`` is an error, not 2); decimals round to their
scale as in SQL. A value that does not fit raises :class:`DataError` naming the file, the
line (row for Parquet) and the column.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from scql_py.catalog import SqlType, Table
from scql_py.errors import DataError, OperationalError

_INT_TEXT = r"\s*[+-]?[0-9]+\s*"
# DuckDB's CSV reader reports: "CSV Error on Line: 4" ... 'converting column "a". Could not
# convert string "x" to ...'
_CSV_LINE_RE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_WIDTH_RE = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_CONVERT_RE = re.compile(
    r'converting column "([^"]*)"\. Could not convert string "(.*)" to', re.DOTALL
)


def quote_ident(name: str) -> str:
    """A DuckDB identifier in double quotes.

    >>> quote_ident('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def _quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """(Re)create the DuckDB table ``table.name`` from the table's source file."""
    if table.source is None:
        raise DataError(f"table '{table.name}' has no source file to load")
    if not table.source.is_file():
        raise OperationalError(f"{table.source}: source of table '{table.name}' not found")
    if table.source.suffix.lower() == ".parquet":
        _load_parquet(con, table)
    else:
        _load_csv(con, table)


def _match_columns(table: Table, found: list[str], where: str) -> dict[str, str]:
    """Map each declared column to its name in the file; DataError on a mismatch."""
    by_lower: dict[str, str] = {}
    for name in found:
        if name.lower() in by_lower:
            raise DataError(f"{where}: column '{name}' appears twice")
        by_lower[name.lower()] = name
    missing = [c for c in table.columns if c not in by_lower]
    extra = [name for low, name in by_lower.items() if low not in table.columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(f"'{c}'" for c in missing))
        if extra:
            parts.append("unexpected column(s) " + ", ".join(f"'{c}'" for c in extra))
        raise DataError(
            f"{where}: {' and '.join(parts)} (table '{table.name}' declares "
            f"{', '.join(table.columns)})"
        )
    return {c: by_lower[c] for c in table.columns}


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f), None)
    except OSError as err:
        raise OperationalError(f"{path}: cannot read: {err.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: line 1: cannot read the header row: {err}") from None
    if not header:
        raise DataError(f"{path}: empty file, expected a header row naming the columns")
    return [h.strip() for h in header]


def _cast_csv(column: str, file_name: str, typ: SqlType) -> str:
    """The SELECT expression turning the read field into the declared type."""
    ref = quote_ident(file_name)
    if typ.kind == "int64":
        # read as text: DuckDB's own cast would round '1.5' to 2
        return (
            f"CASE WHEN {ref} IS NULL OR regexp_full_match({ref}, '{_INT_TEXT}') "
            f"THEN CAST({ref} AS BIGINT) ELSE error('not an integer') END AS {quote_ident(column)}"
        )
    return f"{ref} AS {quote_ident(column)}"


def _load_csv(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    path = table.source
    assert path is not None
    header = _csv_header(path)
    names = _match_columns(table, header, str(path))
    file_types = {names[c]: ("VARCHAR" if t.kind == "int64" else t.to_duckdb())
                  for c, t in table.columns.items()}
    read = _read_csv_sql(path, [(h, file_types[h]) for h in header])
    select = ", ".join(_cast_csv(c, names[c], t) for c, t in table.columns.items())
    try:
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(table.name)} AS SELECT {select} FROM {read}")
    except duckdb.IOException as err:
        raise OperationalError(f"{path}: cannot read: {_first_line(err)}") from None
    except duckdb.Error as err:
        raise _csv_value_error(con, table, names, header, err) from None


def _read_csv_sql(path: Path, columns: list[tuple[str, str]]) -> str:
    spec = ", ".join(f"{_quote_str(name)}: {_quote_str(typ)}" for name, typ in columns)
    return (
        f"read_csv({_quote_str(str(path))}, header = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', nullstr = '', "
        f"allow_quoted_nulls = false, columns = {{{spec}}})"
    )


def _csv_value_error(
    con: duckdb.DuckDBPyConnection, table: Table, names: dict[str, str],
    header: list[str], err: duckdb.Error,
) -> DataError:
    """Find which line and column failed, to say so in one readable message."""
    path = table.source
    message = str(err)
    line, convert = _CSV_LINE_RE.search(message), _CSV_CONVERT_RE.search(message)
    if line and convert:
        column = convert[1].lower()
        typ = table.columns.get(column)
        return DataError(
            f"{path}: line {line[1]}, column '{column}': cannot read {convert[2]!r} as {typ}"
        )
    # Not the reader's own report (e.g. our integer check, or a malformed row): read every
    # field as text and look for the first one that does not convert.
    try:
        raw = _read_csv_sql(path, [(h, "VARCHAR") for h in header])
        checks = []
        for column, typ in table.columns.items():
            ref = quote_ident(names[column])
            if typ.kind == "int64":
                bad = f"NOT regexp_full_match({ref}, '{_INT_TEXT}') OR TRY_CAST({ref} AS BIGINT) IS NULL"
            else:
                bad = f"TRY_CAST({ref} AS {typ.to_duckdb()}) IS NULL"
            checks.append(
                f"SELECT {_quote_str(column)} AS col, {ref} AS val, rn FROM raw "
                f"WHERE {ref} IS NOT NULL AND ({bad})"
            )
        rows = con.execute(
            f"WITH raw AS (SELECT row_number() OVER () AS rn, * FROM {raw}) "
            f"SELECT * FROM ({' UNION ALL '.join(checks)}) ORDER BY rn LIMIT 1"
        ).fetchall()
        found = rows[0] if rows else None
    except duckdb.Error as second:
        found = None
        line = _CSV_LINE_RE.search(str(second)) or line
    if found is not None:
        column, value, row = found
        return DataError(
            f"{path}: line {row + 1}, column '{column}': cannot read {value!r} as "
            f"{table.columns[column]}"
        )
    where = f"line {line[1]}: " if line else ""
    width = _CSV_WIDTH_RE.search(message)
    if width:
        return DataError(f"{path}: {where}expected {width[1]} fields, found {width[2]}")
    return DataError(f"{path}: {where}{_first_line(err)}")


def _first_line(err: Exception) -> str:
    lines = [s for s in str(err).splitlines() if s.strip()]
    return lines[0] if lines else type(err).__name__


def _load_parquet(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    path = table.source
    assert path is not None
    read = f"read_parquet({_quote_str(str(path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()
    except duckdb.Error as err:
        raise OperationalError(f"{path}: cannot read as Parquet: {_first_line(err)}") from None
    found = [row[0] for row in described if row[0] != "file_row_number"]
    names = _match_columns(table, found, str(path))
    select = ", ".join(
        f"CAST({quote_ident(names[c])} AS {t.to_duckdb()}) AS {quote_ident(c)}"
        for c, t in table.columns.items()
    )
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(table.name)} AS SELECT {select} FROM {read} "
            "ORDER BY file_row_number"
        )
    except duckdb.IOException as err:
        raise OperationalError(f"{path}: cannot read: {_first_line(err)}") from None
    except duckdb.Error as err:
        raise _parquet_value_error(con, table, names, read, err) from None


def _parquet_value_error(
    con: duckdb.DuckDBPyConnection, table: Table, names: dict[str, str], read: str,
    err: duckdb.Error,
) -> DataError:
    for column, typ in table.columns.items():
        ref = quote_ident(names[column])
        try:
            rows = con.execute(
                f"SELECT file_row_number, CAST({ref} AS VARCHAR) FROM {read} "
                f"WHERE {ref} IS NOT NULL AND TRY_CAST({ref} AS {typ.to_duckdb()}) IS NULL "
                "ORDER BY file_row_number LIMIT 1"
            ).fetchall()
        except duckdb.Error:
            # the file's type cannot be cast at all (e.g. a date declared int64)
            return DataError(
                f"{table.source}: column '{column}': cannot read it as {typ}: {_first_line(err)}"
            )
        if rows:
            found = rows[0]
            return DataError(
                f"{table.source}: row {found[0] + 1}, column '{column}': cannot read "
                f"{found[1]!r} as {typ}"
            )
    return DataError(f"{table.source}: {_first_line(err)}")
