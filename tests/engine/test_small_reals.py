"""The bounds the README states for reals under MPC, on small and tiny values: a
product of stored reals is computed from their bits, IEEE-754's own (issue 11, fixed bug
11.new-tiny-reals: ``1e-7 * 1e6`` was 0); a computed real is fixed point, whose unit is
2^-16 and its error absolute, so a product with one is within ``(|x| + |y| + 1) 2^-17``
of the exact one, and a computed real below 2^-17 enters arithmetic as 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.plaintext_union import plaintext_union

FLOATS = Path(__file__).resolve().parents[1] / "sql" / "floats" / "floats.toml"
UNIT = 2.0**-17


@pytest.fixture(scope="module")
def floats():
    catalog = load_catalog(FLOATS)
    with Federation(catalog, pushdown=False) as fed:
        yield fed, plaintext_union(catalog)


@pytest.mark.parametrize("sql", [
    "SELECT a.id, a.x AS x, b.y AS y, a.x * b.y AS p FROM fa a JOIN fb b ON a.id = b.id",
    "SELECT a.id, a.x AS x, 1000000.0 AS y, a.x * 1000000.0 AS p FROM fa a JOIN fb b "
    "ON a.id = b.id",
], ids=["product_of_two_stored_reals", "stored_tiny_real_times_a_million"])
def test_products_of_stored_small_reals_are_exact(floats, sql):
    fed, duck = floats
    got = {r["id"]: r for r in fed.execute("carol", sql).table.to_pylist()}
    want = duck.execute(sql).fetchall()
    assert want and len(got) == len(want)
    for i, _, _, p in want:
        assert got[i]["p"] == (None if p is None else float(p)), (i, got[i]["p"], p)


@pytest.mark.parametrize("sql", [
    "SELECT a.id, a.x + 0 AS x, b.y AS y, (a.x + 0) * b.y AS p FROM fa a JOIN fb b "
    "ON a.id = b.id",
    "SELECT a.id, a.x + 0 AS x, 1000000.0 AS y, (a.x + 0) * 1000000.0 AS p FROM fa a "
    "JOIN fb b ON a.id = b.id",
], ids=["product_of_a_computed_real", "computed_tiny_real_times_a_million"])
def test_products_of_computed_reals_are_within_the_stated_bound(floats, sql):
    fed, duck = floats
    got = {r["id"]: r for r in fed.execute("carol", sql).table.to_pylist()}
    want = duck.execute(sql).fetchall()
    assert want and len(got) == len(want)
    for i, x, y, p in want:
        if p is None:
            assert got[i]["p"] is None
            continue
        x, y, p = float(x), float(y), float(p)
        bound = (abs(x) + abs(y) + 1) * UNIT
        assert abs(got[i]["p"] - p) <= bound, (i, x, y, got[i]["p"], p, bound)


def test_a_sum_of_a_real_below_the_unit_keeps_its_bits(floats):
    fed, _ = floats
    rows = fed.execute("carol", "SELECT (a.x + 0) * 1000000.0 AS p, a.x * 1000000.0 AS q "
                       "FROM fa a JOIN fb b ON a.id = b.id WHERE a.id = 4").table.to_pylist()
    # 1e-07 + 0 is IEEE-754's sum from the bits (it was fixed point, 0)
    assert rows == [{"p": (1e-07 + 0) * 1000000.0, "q": 1e-07 * 1000000.0}]
