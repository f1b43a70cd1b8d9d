"""IN (SELECT ...) and EXISTS as an attacker would use them (issue 11 #9).

A semi-join deduplicates its subquery's rows. That is the planner's own step, not a
GROUP BY the asker wrote: it must neither be refused as one nor open anything. These
tests ask, as alice, about bob's ``orders.secret`` (ENCRYPTED_ONLY to alice) and
``orders.amount`` rows, and check that a semi-join shows alice no more than the CCL lets
the equivalent join show her, and that nobody learns how many distinct values the
subquery has.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import SecurityError
from scql_py.sql.planner import plan_query

HERE = Path(__file__).parent / "wrong_answers"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(HERE / "wrong_answers.toml")


@pytest.mark.parametrize("sql", [
    # which of alice's ids are among bob's secret values
    "SELECT id FROM people WHERE id IN (SELECT secret FROM orders)",
    "SELECT id FROM people p WHERE EXISTS (SELECT 1 FROM orders o WHERE o.secret = p.id)",
    "SELECT id FROM people WHERE id NOT IN (SELECT secret FROM orders)",
    # ... or among bob's people whose secret passes a test alice may not make per row
    "SELECT id FROM people WHERE id IN (SELECT person FROM orders WHERE secret > 3)",
    "SELECT id FROM people p WHERE EXISTS "
    "(SELECT 1 FROM orders o WHERE o.person = p.id AND o.secret > 3)",
])
def test_a_semi_join_never_shows_rows_an_encrypted_only_column_decides(catalog, sql):
    with pytest.raises(SecurityError, match="orders.secret"):
        plan_query(catalog, "alice", sql)
    with pytest.raises(SecurityError, match="orders.secret"):
        plan_query(catalog, "alice", sql, pushdown=False)


def test_the_subquerys_where_is_checked_as_the_asker_sees_it(tmp_path):
    """The deduplication used to be a GROUP BY, under which the subquery's WHERE passed
    as 'under an aggregate': alice learned which ids have amount > 50 although amount
    may be compared by her only within aggregates, as the same JOIN is refused."""
    path = tmp_path / "c.toml"
    text = (HERE / "wrong_answers.toml").read_text()
    path.write_text(text.replace('amount = { alice = "PLAINTEXT", carol = "PLAINTEXT" }',
                                 'amount = { alice = "PLAINTEXT_AFTER_AGGREGATE" }'))
    for source in HERE.glob("*.csv"):
        shutil.copy(source, tmp_path)
    catalog = load_catalog(path)
    join = "SELECT p.id FROM people p JOIN orders o ON p.id = o.id WHERE o.amount > 50"
    with pytest.raises(SecurityError, match="orders.amount"):
        plan_query(catalog, "alice", join)
    for sql in ("SELECT id FROM people WHERE id IN (SELECT id FROM orders WHERE amount > 50)",
                "SELECT id FROM people p WHERE EXISTS "
                "(SELECT 1 FROM orders o WHERE o.id = p.id AND o.amount > 50)"):
        with pytest.raises(SecurityError, match="orders.amount"):
            plan_query(catalog, "alice", sql)
    # aggregated, the count still answers the comparison (asked again with other
    # constants, it bisects each amount): refused too, as for the join
    for sql in ("SELECT COUNT(*) FROM people WHERE id IN "
                "(SELECT id FROM orders WHERE amount > 50)",
                "SELECT COUNT(*) FROM people p JOIN orders o ON p.id = o.id "
                "WHERE o.amount > 50"):
        with pytest.raises(SecurityError, match="orders.amount"):
            plan_query(catalog, "alice", sql)
    # an equality join under a count keeps its rule (PLAINTEXT_AFTER_JOIN would do)
    plan_query(catalog, "alice", "SELECT COUNT(*) FROM people WHERE id IN "
                                 "(SELECT id FROM orders)")


def _federation_with_secrets(tmp_path: Path, secrets: list[int], pushdown: bool) -> Federation:
    """The wrong_answers federation with bob's ``orders.secret`` column replaced."""
    shutil.copytree(HERE, tmp_path)
    lines = (HERE / "orders.csv").read_text().splitlines()
    assert len(lines) - 1 == len(secrets)
    rows = [lines[0]] + [",".join(line.split(",")[:-1] + [str(s)])
                         for line, s in zip(lines[1:], secrets)]
    (tmp_path / "orders.csv").write_text("\n".join(rows) + "\n")
    return Federation(load_catalog(tmp_path / "wrong_answers.toml"), pushdown=pushdown,
                      record=True)


def _public_metadata(fed: Federation) -> list[list[dict]]:
    """What each party was told in the clear: the metadata of every secret-shared
    table (its row count and string widths)."""
    net = fed.last_network
    return [[p for _, p in net.communicator(i).received if isinstance(p, dict)]
            for i in range(3)]


@pytest.mark.parametrize("pushdown", [True, False])
def test_nobody_learns_how_many_distinct_values_the_subquery_has(tmp_path, pushdown):
    """Two federations that differ only in how many distinct values bob's secret column
    has (10 or 4; the same three of them match alice's ids) must look the same to every
    party, and give the same answer. Deduplicating by GROUP BY showed the difference: bob
    shared his 10 or 4 distinct values, with their row count."""
    sql = "SELECT COUNT(*) AS n FROM people WHERE id IN (SELECT secret FROM orders)"
    variants = {"distinct": [1, 2, 3, 100, 101, 102, 103, 104, 105, 106],
                "repeated": [1, 1, 2, 2, 3, 3, 100, 100, 100, 100]}
    seen = {}
    for name, secrets in variants.items():
        with _federation_with_secrets(tmp_path / name, secrets, pushdown) as fed:
            assert fed.execute("alice", sql).table.to_pylist() == [{"n": 3}]
            seen[name] = _public_metadata(fed)
            plan = fed.plan("alice", sql)
    assert seen["distinct"] == seen["repeated"]
    # and no step groups bob's values (a GROUP BY compacts its groups: their number
    # becomes public); the deduplication is a filter with a secret validity bit
    assert not any(s.op == "aggregate" and s.args["keys"] for s in plan.steps)
    assert not any("GROUP BY" in s.args["sql"] or "DISTINCT" in s.args["sql"]
                   for s in plan.steps if s.op == "local")
    assert any(s.op == "filter" for s in plan.steps)


def test_in_subquery_runs_where_the_join_does(catalog):
    """The refusal of issue 11 #9: orders.person is PLAINTEXT_AFTER_JOIN to alice, so
    she may see which of her people have orders; IN (SELECT) was refused as a GROUP BY."""
    sql = "SELECT id FROM people WHERE id IN (SELECT person FROM orders)"
    with Federation(catalog) as fed:
        rows = sorted(r["id"] for r in fed.execute("alice", sql).table.to_pylist())
    assert rows == [1, 3, 5, 7, 8, 11]


def test_a_group_size_threshold_does_not_drop_the_subquerys_values(tmp_path):
    """Deduplicated by GROUP BY under MPC, the subquery lost every value with fewer rows
    than the catalog's group_size_threshold: 1 instead of 3 (tags names 1 and 3 once)."""
    shutil.copytree(HERE, tmp_path / "c")
    path = tmp_path / "c" / "wrong_answers.toml"
    path.write_text(path.read_text().replace('protocol = "rss3"',
                                             'protocol = "rss3"\ngroup_size_threshold = 2'))
    sql = "SELECT COUNT(*) AS n FROM people WHERE id IN (SELECT person FROM tags)"
    with Federation(load_catalog(path)) as fed:
        result = fed.execute("alice", sql)
    assert result.table.to_pylist() == [{"n": 3}]
    assert not result.messages
