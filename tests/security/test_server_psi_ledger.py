"""Server-aided PSI in plans: chosen only where the third party may learn what it learns
(each side's number of distinct keys and the intersection's size), listed in the
ledger and EXPLAIN as an opening to that party, checked by the executor, and giving
DuckDB's answers on both paths (server-aided and ECDH).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from scql_py.catalog import CCLLevel, load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import InternalError
from scql_py.mpc import openings
from scql_py.sql import ledger
from scql_py.sql.planner import plan_query
from scql_py.testing.catalog_files import OwnedTable, write_catalog

REPO = Path(__file__).resolve().parents[2]
SIZES = openings.INTERSECTION_SIZE
# the levels under which carol may count a key's distinct values (Analyzer.psi_server)
COUNTABLE = {CCLLevel.PLAINTEXT, CCLLevel.PLAINTEXT_AFTER_JOIN,
             CCLLevel.PLAINTEXT_AFTER_AGGREGATE, CCLLevel.PLAINTEXT_AFTER_GROUP_BY}

SUMS = "SELECT COUNT(*) AS n, SUM(l.v) AS sv, SUM(r.w) AS sw FROM l JOIN r ON l.k = r.k"
QUERIES = [
    SUMS,
    "SELECT l.k, l.s, r.w FROM l JOIN r ON l.k = r.k AND l.s = r.s",
    "SELECT l.k, r.w FROM l LEFT JOIN r ON l.k = r.k",
    "SELECT l.s, r.w FROM l RIGHT JOIN r ON l.s = r.s",
    "SELECT l.s, SUM(r.w) AS t FROM l JOIN r ON l.s = r.s GROUP BY l.s",
]


def write_psi_catalog(folder: Path, left: str, right: str | None = None,
                      right_string: str | None = None) -> Path:
    """l (alice) and r (bob) with keys k and s: carol's level for l's keys is ``left``,
    for r's ``right`` (``right_string`` for r.s), the owners' PLAINTEXT_AFTER_JOIN."""
    right = right or left
    keys_l = [1, 2, 2, 3, None, 5, 7, 7, 9, 11]
    keys_r = [2, 2, 3, 4, 5, None, 7, 8, 11, 11, 11]
    l_table = pa.table({"k": pa.array(keys_l, pa.int64()),
                        "s": [f"s{k}" if k else "n" for k in keys_l],
                        "v": pa.array(range(10, 20), pa.int64())})
    r_table = pa.table({"k": pa.array(keys_r, pa.int64()),
                        "s": [f"s{k}" if k else "x" for k in keys_r],
                        "w": pa.array(range(100, 111), pa.int64())})
    after_join = "PLAINTEXT_AFTER_JOIN"
    return write_catalog(folder, "server_psi", {
        "l": OwnedTable("alice", l_table, ccl={
            "k": {"bob": after_join, "carol": left}, "s": {"bob": after_join, "carol": left},
            "v": "PLAINTEXT_AFTER_AGGREGATE"}),
        "r": OwnedTable("bob", r_table, ccl={
            "k": {"alice": after_join, "carol": right},
            "s": {"alice": after_join, "carol": right_string or right},
            "w": {"alice": "PLAINTEXT", "carol": "PLAINTEXT_AFTER_AGGREGATE"}}),
    }, first_port=7601)


def psi_steps(catalog, sql: str, asker: str = "alice"):
    return [s for s in plan_query(catalog, asker, sql).steps if s.op == "psi_join"]


@pytest.mark.parametrize("level", list(CCLLevel), ids=lambda lv: lv.name)
def test_server_aided_only_where_the_third_party_may_count_the_keys(tmp_path, level):
    catalog = load_catalog(write_psi_catalog(tmp_path, level.name))
    (step,) = psi_steps(catalog, SUMS)
    assert step.args.get("server") == ("carol" if level in COUNTABLE else None)
    opened_to_carol = {o[0] for o in step.args["opens"] if "carol" in o[1]}
    if level in COUNTABLE:
        assert [SIZES, ["carol"], False] in step.args["opens"]
        assert openings.DISTINCT_KEYS not in {o[0] for o in step.args["opens"]}
    else:
        assert opened_to_carol == {openings.ROW_COUNT}


def test_every_key_column_of_both_sides_must_pass(tmp_path):
    # carol may count l's keys but not r's: ECDH-PSI
    catalog = load_catalog(write_psi_catalog(tmp_path, "PLAINTEXT_AFTER_AGGREGATE",
                                             "PLAINTEXT_AFTER_COMPARE"))
    (step,) = psi_steps(catalog, SUMS)
    assert "server" not in step.args
    # a two-column key with one column carol may not count: ECDH-PSI as well
    catalog = load_catalog(write_psi_catalog(tmp_path / "mixed", "PLAINTEXT_AFTER_AGGREGATE",
                                             right_string="ENCRYPTED_ONLY"))
    assert psi_steps(catalog, SUMS)[0].args["server"] == "carol"
    two = "SELECT COUNT(*) AS n FROM l JOIN r ON l.k = r.k AND l.s = r.s"
    assert "server" not in psi_steps(catalog, two)[0].args


# carol may count the keys (server-aided PSI), or not (ECDH-PSI)
PATHS = {"server_aided": ("PLAINTEXT_AFTER_AGGREGATE", "carol"), "ecdh": ("ENCRYPTED_ONLY", None)}


@pytest.fixture(scope="module")
def both_paths(tmp_path_factory):
    """Per path, its federation; and DuckDB over the same tables."""
    folder = tmp_path_factory.mktemp("server_psi")
    feds = {path: Federation(write_psi_catalog(folder / path, level))
            for path, (level, _) in PATHS.items()}
    ref = duckdb.connect()
    for table in ("l", "r"):
        ref.execute(f"CREATE TABLE {table} AS SELECT * FROM "
                    f"read_parquet('{folder / 'ecdh' / table}.parquet')")
    with feds["server_aided"], feds["ecdh"]:
        yield feds, ref
    ref.close()


def test_explain_lists_what_the_server_learns(both_paths):
    feds, _ = both_paths
    text = feds["server_aided"].explain("alice", SUMS)
    assert "server-aided PSI between alice and bob, matched by carol" in text
    learns = dict(line.strip().split(": ", 1) for line in
                  text.split("what each party learns:")[1].strip().splitlines())
    assert SIZES in learns["carol"]
    assert SIZES not in learns["alice"] and SIZES not in learns["bob"]
    assert openings.MATCHED_MULTIPLICITY in learns["alice"]
    text = feds["ecdh"].explain("alice", SUMS)
    assert "by ECDH-PSI between alice and bob" in text and SIZES not in text


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("sql", QUERIES)
def test_both_paths_give_duckdbs_answer(both_paths, path, sql):
    feds, ref = both_paths
    fed, server = feds[path], PATHS[path][1]
    want = sorted(ref.execute(sql).fetchall(), key=repr)
    steps = [s for s in fed.plan("alice", sql).steps if s.op == "psi_join"]
    assert steps and all(s.args.get("server") == server for s in steps)
    got = fed.execute("alice", sql).table  # the executor checks every opening
    assert sorted((tuple(r.values()) for r in got.to_pylist()), key=repr) == want


def test_an_opening_the_server_path_does_not_list_is_caught(both_paths, monkeypatch):
    fast = both_paths[0]["server_aided"]
    real = ledger._openings

    def without_sizes(step, asker, everyone):
        return [o for o in real(step, asker, everyone) if o[0] != SIZES]

    monkeypatch.setattr(ledger, "_openings", without_sizes)
    with pytest.raises(InternalError, match="which the plan does not list"):
        # not a query planned before: every party plans it with the ledger broken
        fast.execute("alice", SUMS.replace("AS n", "AS n_unlisted"))


def test_a_server_opening_other_than_listed_is_caught(both_paths, monkeypatch):
    fast = both_paths[0]["server_aided"]
    # the protocol opens something else to the server than the plan says
    monkeypatch.setattr(openings, "INTERSECTION_SIZE", "the keys themselves")
    with pytest.raises(InternalError, match="the keys themselves"):
        fast.execute("alice", SUMS)


def test_fixtures_take_both_paths_and_the_server_is_never_an_owner():
    """Over the oracle fixtures' federations: server-aided joins where the third party
    may count the keys (types, the four- and five-party federations with data parties),
    ECDH where it may not (two_orgs: the helper is granted nothing)."""
    cases = {
        "types": ("catalogs/types.toml", "alice",
                  "SELECT COUNT(*) AS n FROM t_alice a JOIN t_bob b ON a.id = b.id"),
        "two_orgs": ("catalogs/two_orgs.toml", "bank",
                     "SELECT SUM(p.amount) AS total FROM customers c "
                     "JOIN purchases p ON c.customer_id = p.customer_id"),
        "four": ("tests/sql/parties/four.toml", "alice",
                 "SELECT SUM(v.cost) AS total FROM a_people a JOIN b_visits v ON a.id = v.id"),
    }
    servers = {}
    for name, (path, asker, sql) in cases.items():
        catalog = load_catalog(REPO / path)
        (step,) = psi_steps(catalog, sql, asker)
        server = step.args.get("server")
        servers[name] = server
        if server is not None:
            assert server in catalog.compute
            assert server not in (step.args["left_party"], step.args["right_party"])
    # alice is a data party of four.toml: of the two computing parties that own no
    # side, dave may count both keys (carol is granted nothing)
    assert servers == {"types": "carol", "two_orgs": None, "four": "dave"}
