"""Year, month and day of secret day numbers (days since 1970-01-01), exactly.

The proleptic Gregorian calendar by the era arithmetic of Howard Hinnant's
``civil_from_days`` (public-domain algorithm; shifted so that years start on March 1
and the leap day is the last of the year): every step is a division by a public
constant of a non-negative secret integer, done exactly (:func:`division.divide_public`,
:func:`exact_shift.floor_shift` for powers of two), or a small quotient counted by
comparisons (``doe // 36524`` is how many of ``36524, 2 * 36524, ...`` ``doe``
reaches). Valid for days from 0000-03-01 on (the ``date`` type's years 1 to 9999).
About 200 rounds; nothing is opened.

The day of the year is the day number less that of January 1 (counted from the year
by the Gregorian rule, ``365 y + y // 4 - y // 100 + y // 400`` for the years before
it); the ISO week is the week of the year of the week's Thursday (ISO 8601: week 1
holds the year's first Thursday), and the weekday counts from Monday.
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, division
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_DAYS_TO_0000_03_01 = 719468  # 1970-01-01 is day 719468 after 0000-03-01
_ERA = 146097  # days in 400 years
_DAYS_0001_TO_1970 = 719162  # 1970-01-01 is day 719162 after 0001-01-01
_WEEKS_AHEAD = 7 * 110_000  # whole weeks that keep every date's day number >= 0


def _count_reached(rt: Runtime, x: AShare, steps: list[int]) -> AShare:
    """How many of the public ``steps`` ``x`` is at or above (one batched comparison)."""
    n = len(x)
    below = compare.msb(rt, AShare.concat([x.add_public(np.int64(-s)) for s in steps]))
    reached = convert.b2a_bit(rt, convert.bit_not(below))
    total = AShare.zeros(rt.party, n)
    for i in range(len(steps)):
        total = total + reached[i * n:(i + 1) * n]
    return total


def civil_from_days(rt: Runtime, days: AShare) -> tuple[AShare, AShare, AShare]:
    """``(year, month, day)`` of each secret day number (module doc)."""
    z = days.add_public(np.int64(_DAYS_TO_0000_03_01))
    era = division.divide_public(rt, z, _ERA)
    doe = z - era.mul_public(U64(_ERA))  # day of era, [0, 146096]
    # yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365, in [0, 399]
    four_years = division.divide_public(rt, doe, 1460)
    # doe // 36524 - doe // 146096: the day 146096 reaches a fourth century and the era
    centuries = _count_reached(rt, doe, [36524, 2 * 36524, 3 * 36524])
    yoe = division.divide_public(rt, doe - four_years + centuries, 365)
    leap_fours = floor_shift(rt, yoe, 2)
    hundreds = _count_reached(rt, yoe, [100, 200, 300])
    doy = doe - (yoe.mul_public(U64(365)) + leap_fours - hundreds)  # [0, 365]
    mp = division.divide_public(rt, doy.mul_public(U64(5)).add_public(np.int64(2)), 153)
    day = doy - division.divide_public(rt, mp.mul_public(U64(153)).add_public(np.int64(2)), 5)
    day = day.add_public(np.int64(1))
    # March-based month mp in [0, 11]: months 3..12, then 1 and 2 of the next year
    january_on = convert.b2a_bit(rt, convert.bit_not(compare.less_than_public(rt, mp, 10)))
    month = mp.add_public(np.int64(3)) - january_on.mul_public(U64(12))
    year = yoe + era.mul_public(U64(400)) + january_on
    return year, month, day


def day_of_year(rt: Runtime, days: AShare) -> AShare:
    """The day of the year (1 to 366) of each secret day number."""
    year, _, _ = civil_from_days(rt, days)
    before = year.add_public(np.int64(-1))  # whole years before it, >= 0
    hundreds = division.divide_public(rt, before, 100)
    leap_days = floor_shift(rt, before, 2) - hundreds + floor_shift(rt, hundreds, 2)
    january_1 = before.mul_public(U64(365)) + leap_days
    return (days - january_1).add_public(np.int64(_DAYS_0001_TO_1970 + 1))


def iso_weekday(rt: Runtime, days: AShare) -> AShare:
    """The ISO weekday, 1 (Monday) to 7 (Sunday); 1970-01-01 was a Thursday."""
    shifted = days.add_public(np.int64(3 + _WEEKS_AHEAD))
    weeks = division.divide_public(rt, shifted, 7)
    return (shifted - weeks.mul_public(U64(7))).add_public(np.int64(1))


def iso_week(rt: Runtime, days: AShare) -> AShare:
    """The ISO 8601 week (1 to 53) of each secret day number."""
    thursday = days - iso_weekday(rt, days).add_public(np.int64(-4))
    week = division.divide_public(rt, day_of_year(rt, thursday).add_public(np.int64(-1)), 7)
    return week.add_public(np.int64(1))


__all__ = ["civil_from_days", "day_of_year", "iso_week", "iso_weekday"]
