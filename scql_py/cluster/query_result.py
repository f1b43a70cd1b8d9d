"""What a query returns to the asker."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from scql_py.engine.profile import QueryProfile, render_profiles


@dataclass
class QueryResult:
    """The answer to one statement, as the asker receives it.

    ``table`` has one Arrow column per result column, typed after the SQL types
    (int64, float64, bool, string, date32, timestamp[us], decimal128(p,s)).
    ``messages`` are warnings for the user (e.g. groups dropped by a size threshold).
    ``stats`` maps each party name to its channel counters for this statement,
    ``profile`` each party that took part to its seconds and counters per step.
    """

    table: pa.Table
    messages: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    profile: dict[str, QueryProfile] = field(default_factory=dict)


def analyzed(plan_text: str, result: QueryResult, wall_seconds: float) -> str:
    """EXPLAIN ANALYZE: the plan, then where the time and traffic went (never the
    result's rows: only their number, which the asker has anyway)."""
    return (f"{plan_text}\n{render_profiles(result.profile, wall_seconds)}\n"
            f"result: {result.table.num_rows} row(s), {result.table.num_columns} column(s)")
