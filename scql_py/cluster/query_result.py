"""What a query returns to the asker."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class QueryResult:
    """The answer to one statement, as the asker receives it.

    ``table`` has one Arrow column per result column, typed after the SQL types
    (int64, float64, bool, string, date32, timestamp[us], decimal128(p,s)).
    ``messages`` are warnings for the user (e.g. groups dropped by a size threshold).
    ``stats`` maps each party name to its channel counters for this statement.
    """

    table: pa.Table
    messages: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
