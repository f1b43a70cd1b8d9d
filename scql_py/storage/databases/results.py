"""A database's result in the catalog's Arrow types.

Drivers return what their database has: PostgreSQL's numeric as text (ADBC marks it as
an opaque extension type), SQLite's dates as text and its booleans as integers. The plan
says which catalog type each result column has; :func:`conform` makes the Arrow table
exactly that, so that the owner shares the same values whatever its storage is.

>>> t = pa.table({"m": ["1.50", None], "d": ["2020-01-02", None], "b": [1, 0]})
>>> conform(t, [SqlType.parse("decimal(10,2)"), SqlType("date"), SqlType("bool")]).to_pylist()
[{'m': Decimal('1.50'), 'd': datetime.date(2020, 1, 2), 'b': True}, {'m': None, 'd': None, 'b': False}]
"""

from __future__ import annotations

import decimal

import pyarrow as pa

from scql_py.catalog.types import SqlType


def plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """``column`` without an extension type (its storage values, e.g. numeric text)."""
    if isinstance(column.type, pa.BaseExtensionType):
        return pa.chunked_array([c.storage for c in column.chunks], column.type.storage_type)
    return column


def conform(table: pa.Table, types: list[SqlType] | None) -> pa.Table:
    """``table`` with each column cast to its catalog type (``types`` None: only the
    extension types unwrapped). ``pyarrow.ArrowInvalid`` if a value does not convert."""
    columns = [plain(c) for c in table.columns]
    if types is not None:
        if len(types) != len(columns):
            raise ValueError(f"the result has {len(columns)} columns, the plan {len(types)}")
        columns = [_cast(c, t) for c, t in zip(columns, types)]
    return pa.Table.from_arrays(columns, names=table.column_names)


def _cast(column: pa.ChunkedArray, typ: SqlType) -> pa.ChunkedArray:
    target = typ.to_arrow()
    if column.type == target:
        return column
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), target)
    if typ.kind == "decimal" and pa.types.is_string(column.type):
        try:
            return column.cast(target)
        except pa.ArrowInvalid:
            # more digits than the scale (an unconstrained numeric): round as SQL does
            return pa.chunked_array([_round_decimals(column, typ)], target)
    # (a timestamp with a time zone is stored in UTC: the cast keeps its UTC wall time)
    return column.cast(target)


def _round_decimals(column: pa.ChunkedArray, typ: SqlType) -> pa.Array:
    quantum = decimal.Decimal(1).scaleb(-(typ.scale or 0))
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        values = [None if v is None else
                  decimal.Decimal(v).quantize(quantum, rounding=decimal.ROUND_HALF_UP)
                  for v in column.to_pylist()]
    return pa.array(values, typ.to_arrow())


__all__ = ["conform", "plain"]
