"""Render a result (column names + rows of Python values) as a text table, CSV, JSON,
a Markdown table, or one ``column = value`` line per value.

>>> print(render_table(["avg(income)"], [(6000.0,)]))
+-------------+
| avg(income) |
+-------------+
|      6000.0 |
+-------------+
(1 row)
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

FORMATS = ("table", "csv", "json", "markdown", "line")


def render(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The result in format ``fmt`` (one of :data:`FORMATS`), without a final newline."""
    if fmt == "table":
        return render_table(columns, rows)
    if fmt == "csv":
        return render_csv(columns, rows)
    if fmt == "json":
        return render_json(columns, rows)
    if fmt == "markdown":
        return render_markdown(columns, rows)
    if fmt == "line":
        return render_lines(columns, rows)
    raise ValueError(f"unknown format {fmt!r}")


def format_value(value: Any) -> str:
    """How one value is shown in a table cell (NULL for missing values)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, pa.MonthDayNano):
        return format_interval(value)
    return str(value)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if abs(n) == 1 else 's'}"


def format_interval(value: pa.MonthDayNano) -> str:
    """An interval as DuckDB writes it: ``1 day 03:00:00.5``, ``-00:00:00.000001``.

    >>> format_interval(pa.MonthDayNano([0, -1, -10_800_500_000_000]))
    '-1 day -03:00:00.5'
    >>> format_interval(pa.MonthDayNano([14, 366, 0]))
    '1 year 2 months 366 days'
    """
    months, days, nanos = value.months, value.days, value.nanoseconds
    years, months = int(months / 12), months - 12 * int(months / 12)
    parts = [_plural(n, unit) for n, unit in ((years, "year"), (months, "month"),
                                              (days, "day")) if n]
    micros = int(nanos / 1000)
    if micros or not parts:
        sign, micros = ("-" if micros < 0 else ""), abs(micros)
        seconds, fraction = divmod(micros, 1_000_000)
        clock = f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        parts.append(clock + (f".{fraction:06d}".rstrip("0") if fraction else ""))
    return " ".join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def render_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A boxed table; numbers right-aligned, everything else left-aligned."""
    cells = [[format_value(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(texts: Sequence[str], right: Sequence[bool]) -> str:
        parts = [
            t.rjust(w) if r else t.ljust(w) for t, w, r in zip(texts, widths, right, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    out = [rule, line(list(columns), [False] * len(columns)), rule]
    for raw, row in zip(rows, cells, strict=True):
        out.append(line(row, [_is_number(v) for v in raw]))
    if rows:
        out.append(rule)
    n = len(rows)
    out.append(f"({n} row{'' if n == 1 else 's'})")
    return "\n".join(out)


def render_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A header line, then one line per row; NULL is an empty field."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else format_value(v) for v in row])
    return buf.getvalue().rstrip("\n")


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON has no NaN or infinity
    if isinstance(value, decimal.Decimal):
        return str(value)  # exact: a JSON number would go through a binary float
    if isinstance(value, (dt.date, dt.datetime, pa.MonthDayNano)):
        return format_value(value)
    return value


def render_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A JSON list with one object per row (column name -> value).

    >>> render_json(["n", "d"], [(1, None)])
    '[{"n": 1, "d": null}]'
    """
    objects = [
        {c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows
    ]
    return json.dumps(objects)


def render_markdown(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown (GitHub) table; numbers right-aligned.

    >>> print(render_markdown(["n", "who"], [(1, "a|b")]))
    | n | who |
    | --: | --- |
    | 1 | a\\|b |
    """
    def cell(value: Any) -> str:
        return format_value(value).replace("|", "\\|").replace("\n", " ")

    numeric = [bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows)
               for i in range(len(columns))]
    out = ["| " + " | ".join(cell(c) for c in columns) + " |",
           "| " + " | ".join("--:" if n else "---" for n in numeric) + " |"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def render_lines(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Each row as ``column = value`` lines (names right-aligned), rows apart by a blank
    line: for wide rows.

    >>> print(render_lines(["n", "name"], [(1, "x"), (2, None)]))
       n = 1
    name = x
    <BLANKLINE>
       n = 2
    name = NULL
    """
    width = max((len(c) for c in columns), default=0)
    blocks = ["\n".join(f"{c.rjust(width)} = {format_value(v)}" for c, v in zip(columns, row))
              for row in rows]
    return "\n\n".join(blocks) if blocks else "(0 rows)"
