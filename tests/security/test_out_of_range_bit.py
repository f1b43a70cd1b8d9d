"""The bit a query opens to say that a computed value left the ring's range (issue 11:
a SUM past 2^63 wrapped around, silently): what an attacker who writes the SQL gets
from it. It goes to the asker only, with the result, and is in the ledger; it is one
bit for the whole query (the OR over every aggregate and quotient), never which group
or row; and the error that follows names no value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.engine import reveal as reveal_module
from scql_py.errors import DataError, InternalError
from scql_py.mpc import openings, rss

CATALOG = Path(__file__).resolve().parents[1] / "sql" / "sum_range" / "sum_range.toml"
PAST = "SELECT g, SUM(i) AS s FROM wa GROUP BY g"  # the group g = 3 is past -2^63


@pytest.fixture(scope="module")
def fed():
    with Federation(load_catalog(CATALOG), pushdown=False) as f:
        yield f


def test_the_bit_goes_to_the_asker_only_and_is_listed(fed):
    plan = fed.plan("bob", PAST)
    bits = [(s.op, o) for s in plan.steps for o in s.args["opens"]
            if o[0] == openings.OUT_OF_RANGE]
    assert bits == [("reveal", [openings.OUT_OF_RANGE, ["bob"], False])]
    assert "whether a computed value is out of range" in fed.explain("bob", PAST).split(
        "bob:", 1)[1].splitlines()[0]


def test_the_error_names_no_value(fed):
    with pytest.raises(DataError) as info:
        fed.execute("bob", PAST)
    text = str(info.value)
    assert "out of the range" in text
    # only the documented bounds (2^47, 2^31, ...), no sum, no group key
    assert all(int(d) < 100 for d in re.findall(r"\d+", text)), text


def test_opening_the_bit_to_everyone_is_caught(fed, monkeypatch):
    real = rss.reveal

    def to_everyone(rt, x, to=None, what="values"):
        return real(rt, x, None if what == openings.OUT_OF_RANGE else to, what=what)

    monkeypatch.setattr(reveal_module.rss, "reveal", to_everyone)
    with pytest.raises(InternalError, match="whether a computed value is out of range"):
        fed.execute("alice", "SELECT SUM(i) AS s FROM wa WHERE g < 3")


def test_one_bit_for_the_query(fed):
    # the in-range groups give no answer either: the asker cannot tell which group it was
    with pytest.raises(DataError):
        fed.execute("bob", "SELECT g, SUM(i) AS s, COUNT(*) AS n FROM wa GROUP BY g")
    assert fed.execute("bob", "SELECT g, SUM(i) AS s FROM wa WHERE g < 3 GROUP BY g"
                       ).table.num_rows == 2
