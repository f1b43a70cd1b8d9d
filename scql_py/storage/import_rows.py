"""The rows an owner imports into a shared table: read from its source file, checked
against the declared columns and types, with the row and column of the first bad value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from scql_py.catalog import Table
from scql_py.errors import DataError, ProgrammingError
from scql_py.storage.sources import load_table, quote_ident


def read_source(table: Table, source: str | Path | None = None) -> pa.Table:
    """The owner's rows of ``table`` from a CSV or Parquet file (default: the table's
    catalog source), in the declared types; DataError naming the line and column of a
    value that does not fit. Read in a scratch DuckDB: nothing is kept."""
    path = Path(source).resolve() if source is not None else table.source
    if path is None:
        raise DataError(f"table '{table.name}': no source file to import (give one)")
    con = duckdb.connect()
    try:
        load_table(con, replace(table, source=path))
        return con.sql(f"SELECT * FROM {quote_ident(table.name)}").to_arrow_table()
    finally:
        con.close()


def check_rows(table: Table, data: pa.Table, not_null: Iterable[str] = (),
               where: str | None = None) -> pa.Table:
    """``data`` with exactly the declared columns, in order and type; DataError naming
    the row (1-based) and column of the first value that does not convert, or of a NULL
    in a ``not_null`` column."""
    where = where or f"table '{table.name}'"
    by_lower = {n.lower(): n for n in data.column_names}
    missing = [c for c in table.columns if c not in by_lower]
    extra = [n for n in data.column_names if n.lower() not in table.columns]
    if missing or extra:
        raise DataError(f"{where}: the rows have columns {', '.join(data.column_names)}; "
                        f"the table declares {', '.join(table.columns)}")
    arrays = []
    for column, typ in table.columns.items():
        arr = data.column(by_lower[column])
        target = typ.to_arrow()
        if arr.type != target:
            try:
                arr = arr.cast(target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                row = first_failing_row(arr, lambda part, to=target: part.cast(to))
                raise DataError(f"{where}: row {row + 1}, column '{column}': cannot read "
                                f"{arr[row].as_py()!r} as {typ}") from None
        arrays.append(arr)
    checked = pa.table(arrays, names=list(table.columns))
    for column in not_null:
        name = column.lower()
        if name not in table.columns:
            raise ProgrammingError(f"{where}: NOT NULL names unknown column '{column}'")
        nulls = checked.column(name).is_null().to_numpy(zero_copy_only=False)
        if nulls.any():
            row = int(np.argmax(nulls)) + 1
            raise DataError(f"{where}: row {row}, column '{name}': NULL in a column that "
                            "does not allow NULLs")
    return checked



def first_failing_row(arr: pa.ChunkedArray | pa.Array, fn: Callable[[pa.Array], Any]) -> int:
    """The first row (0-based) on which ``fn`` of a one-row slice raises (0 if none)."""
    flat = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    step = 4096
    for start in range(0, len(flat), step):
        chunk = flat.slice(start, step)
        try:
            fn(chunk)
            continue
        except (ValueError, DataError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        for j in range(len(chunk)):
            try:
                fn(chunk.slice(j, 1))
            except (ValueError, DataError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return start + j
    return 0
