"""Column types of the catalog: ``int64``, ``float64``, ``bool``, ``string``, ``date``,
``timestamp`` and ``decimal(p,s)``, with their DuckDB and Arrow equivalents.

>>> t = SqlType.parse(" DECIMAL( 15 , 2 ) ")
>>> str(t), t.to_duckdb(), t.is_numeric
('decimal(15,2)', 'DECIMAL(15,2)', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

KINDS = ("int64", "float64", "bool", "string", "date", "timestamp", "decimal")
MAX_DECIMAL_PRECISION = 38  # what DuckDB and Arrow's decimal128 hold

_DUCKDB = {
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "bool": "BOOLEAN",
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "interval": "INTERVAL",
    "null": '"NULL"',
}
_ARROW = {
    "int64": pa.int64,
    "float64": pa.float64,
    "bool": pa.bool_,
    "string": pa.string,
    "date": pa.date32,
    "timestamp": lambda: pa.timestamp("us"),
    "interval": pa.month_day_nano_interval,
    "null": pa.null,
}
_DECIMAL_RE = re.compile(r"decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")


@dataclass(frozen=True)
class SqlType:
    """A column type; ``precision``/``scale`` are set only for ``decimal``.

    The planner also uses the internal kinds ``'null'`` (the type of a bare NULL
    literal) and ``'interval'`` (DuckDB's ``timestamp - timestamp``: a result, never a
    column of a table); :meth:`parse` reads ``'interval'`` (plans carry result types as
    text) and the catalog refuses it as a column type.
    """

    kind: str
    precision: int | None = None
    scale: int | None = None

    @classmethod
    def parse(cls, text: str) -> SqlType:
        """Read a catalog type name (case-insensitive, spaces allowed).

        >>> SqlType.parse("Int64") == INT64
        True
        >>> SqlType.parse("decimal(3,5)")
        Traceback (most recent call last):
        ...
        ValueError: decimal(3,5): the scale must be between 0 and the precision
        """
        if not isinstance(text, str):
            raise ValueError(f"a type must be a string, not {text!r}")
        norm = text.strip().lower()
        if (norm in KINDS and norm != "decimal") or norm == "interval":  # (a plan's types)
            return cls(norm)
        match = _DECIMAL_RE.fullmatch(norm)
        if match is None:
            raise ValueError(
                f"unknown type '{text}' (expected one of int64, float64, bool, string, "
                f"date, timestamp, decimal(p,s))"
            )
        precision, scale = int(match[1]), int(match[2])
        if not 1 <= precision <= MAX_DECIMAL_PRECISION:
            raise ValueError(
                f"decimal({precision},{scale}): the precision must be between 1 and "
                f"{MAX_DECIMAL_PRECISION}"
            )
        if scale > precision:
            raise ValueError(
                f"decimal({precision},{scale}): the scale must be between 0 and the precision"
            )
        return cls("decimal", precision, scale)

    def __str__(self) -> str:
        if self.kind == "decimal":
            return f"decimal({self.precision},{self.scale})"
        return self.kind

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("int64", "float64", "decimal")

    def to_duckdb(self) -> str:
        """The DuckDB type name, e.g. ``'BIGINT'`` or ``'DECIMAL(15,2)'``."""
        if self.kind == "decimal":
            return f"DECIMAL({self.precision},{self.scale})"
        return _DUCKDB[self.kind]

    def to_arrow(self) -> pa.DataType:
        """The Arrow type that results of this type are returned in."""
        if self.kind == "decimal":
            return pa.decimal128(self.precision, self.scale)
        return _ARROW[self.kind]()


INT64 = SqlType("int64")
FLOAT64 = SqlType("float64")
BOOL = SqlType("bool")
STRING = SqlType("string")
DATE = SqlType("date")
TIMESTAMP = SqlType("timestamp")
INTERVAL = SqlType("interval")
