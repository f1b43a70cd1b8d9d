"""Date parts and date differences of secret dates and timestamps, exactly.

The visits of :class:`engine.secure_expr.SecureEvaluator` for YEAR, MONTH, DAY,
QUARTER, DAYOFWEEK, DAYOFYEAR, WEEK (ISO, as DuckDB's), HOUR, MINUTE, SECOND, EXTRACT of those, DATEDIFF and
TIMESTAMPDIFF (it inherits this mixin and its ``cast`` and ``_floor_div``). A date is
its day number, a timestamp its microseconds since 1970-01-01 (engine/encoding.py);
the calendar is :func:`mpc.civil_dates.civil_from_days`. Differences count unit
boundaries, as DuckDB's ``date_diff`` does (sqlglot writes MySQL's DATEDIFF and
TIMESTAMPDIFF as it): ``floor(b / unit) - floor(a / unit)``, months as ``12 y + m``.
Results are BIGINT, as in DuckDB.
"""

from __future__ import annotations

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import DATE, INT64, TIMESTAMP
from scql_py.engine.relation import Const, SecretColumn
from scql_py.errors import NotSupportedError
from scql_py.mpc import civil_dates, division
from scql_py.mpc.rss import AShare
from scql_py.sql.secure_nodes import CALENDAR_PARTS, CLOCK_PARTS, unit_name

U64 = np.uint64
US_PER_DAY = 86_400_000_000
_US = {"HOUR": 3_600_000_000, "MINUTE": 60_000_000, "SECOND": 1_000_000,
       "MILLISECOND": 1_000, "MICROSECOND": 1}
_DOW_SHIFT = 4 + 7 * 110_000  # 1970-01-01 was a Thursday (4); keeps the day count >= 0


class SecureDates:
    """Mixin: the date visits of the secure evaluator (module doc)."""

    def _days(self, v) -> SecretColumn:
        if v.type.kind not in ("date", "timestamp") and not isinstance(v, Const):
            raise NotSupportedError(f"a date part of a {v.type} value")
        return self.materialize(self.cast(v, DATE))

    def _micros(self, v) -> SecretColumn:
        if v.type.kind not in ("date", "timestamp") and not isinstance(v, Const):
            raise NotSupportedError(f"a time part of a {v.type} value")
        return self.materialize(self.cast(v, TIMESTAMP))

    def visit_TsOrDsToDate(self, e: exp.TsOrDsToDate):
        return self._days(self.visit(e.this))

    def date_part(self, v, part: str) -> SecretColumn:
        """EXTRACT(part FROM v) as a secret BIGINT."""
        rt = self.rt
        if part in CLOCK_PARTS:
            ts = self._micros(v)
            day = self._floor_div(ts.value, US_PER_DAY)
            of_day = ts.value - day.mul_public(U64(US_PER_DAY))  # [0, US_PER_DAY)
            whole = division.divide_public(rt, of_day, _US[part])
            if part != "HOUR":  # minutes of the hour, seconds of the minute
                upper = division.divide_public(rt, of_day, _US[part] * 60)
                whole = whole - upper.mul_public(U64(60))
            return SecretColumn(INT64, whole, ts.null)
        days = self._days(v)
        if part == "DOW":
            shifted = days.value.add_public(np.int64(_DOW_SHIFT))
            weeks = division.divide_public(rt, shifted, 7)
            return SecretColumn(INT64, shifted - weeks.mul_public(U64(7)), days.null)
        if part not in CALENDAR_PARTS:
            raise NotSupportedError(f"EXTRACT({part}) of values of several parties")
        by_day = {"DOY": civil_dates.day_of_year, "WEEK": civil_dates.iso_week,
                  "ISODOW": civil_dates.iso_weekday}
        if part in by_day:
            return SecretColumn(INT64, by_day[part](rt, days.value), days.null)
        year, month, day = civil_dates.civil_from_days(rt, days.value)
        if part == "QUARTER":
            value = division.divide_public(rt, month.add_public(np.int64(2)), 3)
        else:
            value = {"YEAR": year, "MONTH": month, "DAY": day}[part]
        return SecretColumn(INT64, value, days.null)

    def visit_Year(self, e):
        return self.date_part(self.visit(e.this), "YEAR")

    def visit_Month(self, e):
        return self.date_part(self.visit(e.this), "MONTH")

    def visit_Day(self, e):
        return self.date_part(self.visit(e.this), "DAY")

    visit_DayOfMonth = visit_Day

    def visit_Quarter(self, e):
        return self.date_part(self.visit(e.this), "QUARTER")

    def visit_DayOfWeek(self, e):
        return self.date_part(self.visit(e.this), "DOW")

    def visit_DayOfYear(self, e):
        return self.date_part(self.visit(e.this), "DOY")

    def visit_Week(self, e):
        if e.args.get("mode") is not None:
            raise NotSupportedError("WEEK(date, mode) of values of several parties (WEEK(date) "
                                    "is the ISO week)")
        return self.date_part(self.visit(e.this), "WEEK")

    visit_WeekOfYear = visit_Week

    def visit_Hour(self, e):
        return self.date_part(self.visit(e.this), "HOUR")

    def visit_Minute(self, e):
        return self.date_part(self.visit(e.this), "MINUTE")

    def visit_Second(self, e):
        return self.date_part(self.visit(e.this), "SECOND")

    def visit_Extract(self, e: exp.Extract):
        return self.date_part(self.visit(e.expression), unit_name(e.this))

    def visit_DateDiff(self, e: exp.DateDiff):
        return self.date_difference(self.visit(e.this), self.visit(e.expression),
                                    unit_name(e.args.get("unit")))

    def visit_TimestampDiff(self, e: exp.TimestampDiff):
        return self.date_difference(self.visit(e.this), self.visit(e.expression),
                                    unit_name(e.args.get("unit")))

    def date_difference(self, later, earlier, unit: str) -> SecretColumn:
        """``later - earlier`` in boundaries of ``unit`` (module doc)."""
        rt = self.rt
        if unit in _US:
            a, b = self._micros(later), self._micros(earlier)
            both = AShare.concat([a.value, b.value])
            counted = both if _US[unit] == 1 else self._floor_div(both, _US[unit])
        elif unit == "DAY":
            a, b = self._days(later), self._days(earlier)
            counted = AShare.concat([a.value, b.value])
        elif unit in ("MONTH", "QUARTER", "YEAR"):
            a, b = self._days(later), self._days(earlier)
            year, month, _ = civil_dates.civil_from_days(rt, AShare.concat([a.value, b.value]))
            if unit == "YEAR":
                counted = year
            elif unit == "MONTH":
                counted = year.mul_public(U64(12)) + month
            else:
                quarter = division.divide_public(rt, month.add_public(np.int64(-1)), 3)
                counted = year.mul_public(U64(4)) + quarter
        else:
            raise NotSupportedError(f"a date difference in {unit} of values of several parties")
        n = len(a)
        return SecretColumn(INT64, counted[:n] - counted[n:], self._nulls(a, b))


__all__ = ["US_PER_DAY", "SecureDates"]
