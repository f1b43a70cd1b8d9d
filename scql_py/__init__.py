"""scql_py: SQL over secret-shared tables of several parties (SCQL-style), in Python.

The public entry point is the PEP 249 :func:`connect`:

>>> import scql_py
>>> con = scql_py.connect("catalogs/demo.toml", party="alice")   # doctest: +SKIP
>>> con.cursor().execute(
...     "SELECT AVG(income) FROM (SELECT income FROM alice_income UNION ALL "
...     "SELECT income FROM bob_income UNION ALL SELECT income FROM carol_income) AS t"
... ).fetchall()                                                  # doctest: +SKIP
[(6000.0,)]
"""

from __future__ import annotations

from scql_py.dbapi import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Connection,
    Cursor,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
    apilevel,
    connect,
    paramstyle,
    threadsafety,
)
from scql_py.engine.progress import Progress
from scql_py.errors import (
    CatalogError,
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    SecurityError,
    Warning,
)

__version__ = "0.1.0"

__all__ = [
    "BINARY", "DATETIME", "NUMBER", "ROWID", "STRING",
    "Binary", "Date", "DateFromTicks", "Time", "TimeFromTicks", "Timestamp",
    "TimestampFromTicks",
    "Connection", "Cursor", "Progress", "connect", "apilevel", "paramstyle", "threadsafety",
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
    "SecurityError", "CatalogError",
]
