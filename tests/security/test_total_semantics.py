"""Total semantics (DESIGN.md 4): a date no party can hold is NULL on every path, and a
string that is no date gives NULL, never a failure that depends on the data.

Federation: tests/security/conftest.py (bob owns claim.score, 0 to 99).
"""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from scql_py.catalog.types import SqlType
from scql_py.engine.encoding import decode
from scql_py.errors import DataError

OVERFLOW = ("SELECT MAX(DATE_ADD('2020-01-01', INTERVAL score * 10000000 DAY)) AS d "
            "FROM claim")


def test_an_overflowing_date_of_another_party_is_null(attack_fed):
    assert attack_fed.execute("alice", OVERFLOW).table.to_pylist() == [{"d": None}]


def test_an_overflowing_date_of_the_askers_own_is_a_clean_error(attack_fed):
    """The asker's own storage engine evaluates as DuckDB does (the plaintext oracle
    fails the same way): an error about its own data, never an internal one."""
    with pytest.raises(DataError, match="range"):
        attack_fed.execute("bob", OVERFLOW)


def test_a_date_in_range_stays(attack_fed):
    sql = "SELECT MIN(DATE_ADD('2020-01-01', INTERVAL score DAY)) AS d FROM claim"
    (row,) = attack_fed.execute("alice", sql).table.to_pylist()
    assert datetime.datetime(2020, 1, 1) <= row["d"] <= datetime.datetime(2020, 4, 9)


def test_an_opened_date_beyond_year_9999_is_null():
    days = np.array([0, 2932896, 2932897, -719162, -719163, 10**12], dtype=np.int64)
    got = decode(days.view(np.uint64), None, SqlType.parse("date")).to_pylist()
    assert got == [datetime.date(1970, 1, 1), datetime.date(9999, 12, 31), None,
                   datetime.date(1, 1, 1), None, None]
    micros = np.array([0, 253402300800_000000], dtype=np.int64)
    got = decode(micros.view(np.uint64), np.array([True, False]),
                 SqlType.parse("timestamp")).to_pylist()
    assert got == [None, None]
