"""Join operators of the engine (secret join, PSI join) against DuckDB on the same data.

Three in-process parties: owners secret-share their tables (and validity bits), run
the join, and party 0 opens the result. The expected rows come from DuckDB's own join
of the plaintext tables (invalid rows removed first), compared as multisets. DuckDB
rather than ``pandas.merge``: pandas matches NULL keys to each other, SQL does not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine import join as join_module
from scql_py.engine.join import psi_join, secret_join, share_table
from scql_py.engine.relation import SecretRelation
from scql_py.errors import DataError, NotSupportedError
from scql_py.mpc import rss
from scql_py.mpc.inprocess import run_parties

STRING_KEY = b"join-test-key-0123456789abcdef!!"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
U64 = np.uint64


class Owned:
    """What a LocalResult is to psi_join: a party name and its table (None elsewhere)."""

    def __init__(self, party: str, table: pa.Table | None):
        self.party, self.table = party, table


# -- helpers ------------------------------------------------------------------------------

def _share(rt, owner: int, table: pa.Table, types: list[str], valid: np.ndarray | None
           ) -> SecretRelation:
    mine = rt.party == owner
    rel = share_table(rt, owner, table if mine else None, types, STRING_KEY, table.column_names)
    if valid is not None:
        bits = rss.share_input_bool(rt, owner, valid.astype(np.uint64) if mine else None, rel.n)
        rel = SecretRelation(rel.n, rel.names, rel.columns, bits)
    return rel


def _open_rows(rt, rel: SecretRelation) -> list[tuple] | None:
    """The valid rows of ``rel`` as Python tuples, on party 0 only."""
    n = rel.n
    valid = rss.reveal(rt, rel.valid, to=0) if rel.valid is not None else None
    keep = None
    if rt.party == 0:
        keep = np.ones(n, bool) if valid is None else (valid & U64(1)).astype(bool)
    columns = []
    for col in rel.columns:
        value = rss.reveal(rt, col.value, to=0)
        null = rss.reveal(rt, col.null, to=0) if col.null is not None else np.zeros(n, U64)
        chars = [rss.reveal(rt, w, to=0) for w in col.chars or []]
        if rt.party != 0:
            continue
        nulls = (null & U64(1)).astype(bool)
        # the engine's encoding: a NULL has value 0 (strings: no bytes), whoever's row
        # the slot held before
        if col.type.kind != "string":
            assert not value[nulls & keep].any(), "a NULL with a non-zero value"
        assert not any(w[nulls & keep].any() for w in chars), "a NULL string with bytes"
        if col.type.kind == "string":
            words = np.stack(chars, axis=1) if chars else np.zeros((n, 0), U64)
            columns.append(encoding.decode_strings(words, nulls).to_pylist())
        else:
            columns.append(encoding.decode(value, nulls, col.type).to_pylist())
    if rt.party != 0:
        return None
    return [tuple(c[i] for c in columns) for i in np.flatnonzero(keep)]


def expected_rows(left: pa.Table, right: pa.Table, left_keys: list[str], right_keys: list[str],
                  how: str, left_valid=None, right_valid=None) -> list[tuple]:
    """DuckDB's join of the plaintext tables, invalid rows dropped first."""
    if left_valid is not None:
        left = left.filter(pa.array(left_valid.astype(bool)))
    if right_valid is not None:
        right = right.filter(pa.array(right_valid.astype(bool)))
    con = duckdb.connect()
    con.register("l_t", left)
    con.register("r_t", right)
    on = " AND ".join(f'l_t."{a}" = r_t."{b}"' for a, b in zip(left_keys, right_keys))
    sql = f"SELECT l_t.*, r_t.* FROM l_t {how.upper()} JOIN r_t ON {on}"
    return con.execute(sql).fetchall()


def run_secret_join(left, right, left_types, right_types, left_keys, right_keys, how,
                    left_valid=None, right_valid=None, owners=(0, 1), max_rows=None):
    """Share, join, open; returns (rows, result size, whether it carries validity)."""
    names = left.column_names + [f"r_{c}" for c in right.column_names]

    def prog(rt, _):
        a = _share(rt, owners[0], left, left_types, left_valid)
        b = _share(rt, owners[1], right, right_types, right_valid)
        out = secret_join(rt, a, b, left_keys, right_keys, how, names, max_rows)
        assert out.names == names
        assert [c.type for c in out.columns] == [c.type for c in a.columns + b.columns]
        return _open_rows(rt, out), out.n, out.valid is not None

    return run_parties(prog)[0]


def check_secret_join(left, right, left_types, right_types, left_keys, right_keys, how,
                      left_valid=None, right_valid=None, **kw):
    rows, n, _ = run_secret_join(left, right, left_types, right_types, left_keys, right_keys,
                                 how, left_valid, right_valid, **kw)
    want = expected_rows(left, right, left_keys, right_keys, how, left_valid, right_valid)
    assert Counter(rows) == Counter(want)
    return rows, n


def _maybe_null(rng, values: list, frac: float) -> list:
    return [None if rng.random() < frac else v for v in values]


def pk_fk_tables(seed: int, n_l: int, n_r: int, unique: str, null_frac: float = 0.1):
    """Random tables, one side with unique keys (plus an invalid and a NULL-key row that
    repeat a key: they must not count as duplicates), the other with repeats."""
    rng = np.random.default_rng(seed)
    pool = rng.choice(np.arange(-500, 500), size=max(n_l, n_r) * 2, replace=False)
    uniq = [int(v) for v in pool[:n_l if unique == "left" else n_r]]
    many = [int(v) for v in rng.choice(pool[: max(1, 3 * len(uniq) // 2)],
                                       size=n_r if unique == "left" else n_l)]
    l_keys, r_keys = (uniq, many) if unique == "left" else (many, uniq)
    l_keys = _maybe_null(rng, l_keys, null_frac)
    r_keys = _maybe_null(rng, r_keys, null_frac)
    words = ["", "a", "bb", "hello world", "ünïcode", "x" * 20]
    left = pa.table({
        "k": pa.array(l_keys, pa.int64()),
        "lv": pa.array(_maybe_null(rng, rng.integers(-9, 9, n_l).tolist(), 0.2), pa.int64()),
        "ls": pa.array(_maybe_null(rng, [words[i % 6] for i in range(n_l)], 0.2), pa.string()),
        "lb": pa.array(_maybe_null(rng, (rng.random(n_l) < 0.5).tolist(), 0.2), pa.bool_()),
    })
    right = pa.table({
        "k": pa.array(r_keys, pa.int64()),
        "rv": pa.array(_maybe_null(rng, (rng.integers(-40, 40, n_r) / 4).tolist(), 0.2),
                       pa.float64()),
        "rd": pa.array([Decimal(int(x)) / 100 for x in rng.integers(-10**5, 10**5, n_r)],
                       pa.decimal128(10, 2)),
    })
    l_valid = (rng.random(n_l) > 0.15).astype(np.int64)
    r_valid = (rng.random(n_r) > 0.15).astype(np.int64)
    # on the unique side: repeat a usable key in an invalid row and in a NULL-key row
    if unique == "left" and n_l >= 3:
        left = _repeat_a_usable_key_in_the_last_row(left, l_valid)
    if unique == "right" and n_r >= 3:
        right = _repeat_a_usable_key_in_the_last_row(right, r_valid)
    return left, right, l_valid, r_valid


def _repeat_a_usable_key_in_the_last_row(table: pa.Table, valid: np.ndarray) -> pa.Table:
    """The first valid non-NULL key of ``table`` again in its last row, which ``valid``
    (changed in place) then marks invalid."""
    keys = table.column("k").to_pylist()
    usable = [i for i in range(len(keys)) if keys[i] is not None and valid[i]]
    if not usable:
        return table
    keys[-1] = keys[usable[0]]
    valid[-1] = 0
    return table.set_column(0, "k", pa.array(keys, pa.int64()))


LEFT_TYPES = ["int64", "int64", "string", "bool"]
RIGHT_TYPES = ["int64", "float64", "decimal(10,2)"]


# -- secret join: PK-FK ---------------------------------------------------------------------

@pytest.mark.parametrize("unique", ["left", "right"])
@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_pk_fk_matches_duckdb(how: str, unique: str):
    seed = ["inner", "left", "right"].index(how) * 2 + (unique == "left")
    left, right, lv, rv = pk_fk_tables(seed=seed, n_l=37, n_r=53, unique=unique)
    rows, n = check_secret_join(left, right, LEFT_TYPES, RIGHT_TYPES, ["k"], ["k"], how,
                                lv, rv)
    # the unique side's rows are dropped where none of them can be in the result (an
    # inner join; an outer join whose other side is unique): a size everyone knows
    other = right.num_rows if unique == "left" else left.num_rows
    drops = how == "inner" or (how, unique) in (("left", "right"), ("right", "left"))
    assert n == (other if drops else left.num_rows + right.num_rows)
    assert rows  # the data has matches


def test_secret_join_without_validity_bits_and_other_owners():
    left, right, _, _ = pk_fk_tables(seed=5, n_l=20, n_r=30, unique="left", null_frac=0.0)
    for how in ("inner", "left"):
        check_secret_join(left, right, LEFT_TYPES, RIGHT_TYPES, ["k"], ["k"], how,
                          owners=(2, 2))


@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_string_and_two_column_keys(how: str):
    rng = np.random.default_rng(11)
    names = ["alice", "bob", "carol", "dave", "", "ève"]
    pairs = [(s, d) for s in names for d in range(3)]
    pick = rng.permutation(len(pairs))[:12]
    # left: unique (name, dept); right: repeats, some pairs absent on the left
    left = pa.table({
        "name": pa.array(_maybe_null(rng, [pairs[i][0] for i in pick], 0.1), pa.string()),
        "dept": pa.array([pairs[i][1] for i in pick], pa.int64()),
        "salary": pa.array(rng.integers(0, 1000, 12), pa.int64()),
    })
    m = 25
    long = ["a much longer name than the others", "alice"]  # 5 words on the right only
    right = pa.table({
        "who": pa.array([names[i] for i in rng.integers(0, 6, m - 2)] + long, pa.string()),
        "dept": pa.array(_maybe_null(rng, rng.integers(0, 3, m).tolist(), 0.1), pa.int64()),
        "note": pa.array([f"n{i}" for i in range(m)], pa.string()),
    })
    rows, _ = check_secret_join(left, right, ["string", "int64", "int64"],
                                ["string", "int64", "string"], ["name", "dept"],
                                ["who", "dept"], how, owners=(1, 2))
    assert rows


def test_secret_join_date_and_bool_keys():
    rng = np.random.default_rng(12)
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.permutation(40)[:20]]
    left = pa.table({"d": pa.array(days, pa.date32()), "x": pa.array(range(20), pa.int64())})
    right_days = [days[i] for i in rng.integers(0, 20, 30)] + [dt.date(1999, 1, 1)] * 3
    right = pa.table({"d": pa.array(_maybe_null(rng, right_days, 0.1), pa.date32()),
                      "y": pa.array(range(33), pa.int64())})
    for how in ("inner", "right"):
        check_secret_join(left, right, ["date", "int64"], ["date", "int64"], ["d"], ["d"], how)
    # bool keys: at most two distinct values, one row each on the unique side
    bl = pa.table({"b": pa.array([True, None, False], pa.bool_()), "x": [1, 2, 3]})
    br = pa.table({"b": pa.array([False, True, True, None, False], pa.bool_()),
                   "y": [1, 2, 3, 4, 5]})
    check_secret_join(bl, br, ["bool", "int64"], ["bool", "int64"], ["b"], ["b"], "left")


@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_no_match_and_all_match(how: str):
    left = pa.table({"k": pa.array([1, 2, 3, 4], pa.int64()), "x": [10, 20, 30, 40]})
    none = pa.table({"k": pa.array([5, 6, 6, 7, 8], pa.int64()), "y": [1, 2, 3, 4, 5]})
    rows, _ = check_secret_join(left, none, ["int64"] * 2, ["int64"] * 2, ["k"], ["k"], how)
    assert len(rows) == {"inner": 0, "left": 4, "right": 5}[how]
    every = pa.table({"k": pa.array([4, 1, 1, 2, 3, 3, 3], pa.int64()), "y": range(7)})
    rows, _ = check_secret_join(left, every, ["int64"] * 2, ["int64"] * 2, ["k"], ["k"], how)
    assert len(rows) == 7


@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_one_long_segment(how: str):
    """One key on almost every row: the copy down must span the whole array."""
    one = pa.table({"k": pa.array([7, 8], pa.int64()), "x": pa.array(["one", "two"])})
    many = pa.table({"k": pa.array([7] * 45 + [None, 9], pa.int64()), "y": range(47)})
    for left, right, lt, rtypes in ((one, many, ["int64", "string"], ["int64", "int64"]),
                                    (many, one, ["int64", "int64"], ["int64", "string"])):
        rows, _ = check_secret_join(left, right, lt, rtypes, ["k"], ["k"], how)
        assert len(rows) >= 45


@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_empty_sides(how: str):
    full = pa.table({"k": pa.array([1, 2, 2], pa.int64()), "s": ["a", None, "c"]})
    empty = pa.table({"k": pa.array([], pa.int64()), "t": pa.array([], pa.string())})
    for left, right in ((full, empty), (empty, full), (empty, empty)):
        rows, n = check_secret_join(left, right, ["int64", "string"], ["int64", "string"],
                                    ["k"], ["k"], how)
        assert n == len(rows)


def test_secret_join_extreme_int_keys():
    ks = [INT64_MIN, -1, 0, 1, INT64_MAX]
    left = pa.table({"k": pa.array(ks, pa.int64()), "x": range(5)})
    right = pa.table({"k": pa.array([INT64_MAX, INT64_MIN, INT64_MIN, 2, -1, None], pa.int64()),
                      "y": range(6)})
    for how in ("inner", "left", "right"):
        check_secret_join(left, right, ["int64"] * 2, ["int64"] * 2, ["k"], ["k"], how)


# -- secret join: many-to-many --------------------------------------------------------------

@pytest.mark.parametrize("path", ["all_pairs", "expansion"])
@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_many_to_many_fallback(how: str, path: str, monkeypatch):
    monkeypatch.setattr(join_module, "_GRID_CHUNK", 37)  # several batches of pairs
    monkeypatch.setattr(join_module, "ALL_PAIRS_BELOW", 10**9 if path == "all_pairs" else 0)
    rng = np.random.default_rng(21)
    left = pa.table({"k": pa.array(_maybe_null(rng, rng.integers(0, 6, 15).tolist(), 0.1),
                                   pa.int64()),
                     "s": [f"l{i}" for i in range(15)]})
    right = pa.table({"k": pa.array(_maybe_null(rng, rng.integers(2, 9, 12).tolist(), 0.1),
                                    pa.int64()),
                      "b": pa.array((rng.random(12) < 0.5).tolist(), pa.bool_())})
    lv = (rng.random(15) > 0.2).astype(np.int64)
    rv = (rng.random(12) > 0.2).astype(np.int64)
    rows, n, has_valid = run_secret_join(left, right, ["int64", "string"], ["int64", "bool"],
                                         ["k"], ["k"], how, lv, rv, max_rows=15 * 12)
    want = expected_rows(left, right, ["k"], ["k"], how, lv, rv)
    assert Counter(rows) == Counter(want)
    assert not has_valid and n == len(want)  # compacted: the size is the result's


@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_secret_join_many_to_many_by_expansion(how: str, monkeypatch):
    """Strings and two-column keys, duplicates on both sides, NULL keys, invalid rows,
    keys on one side only, one key on many rows: expanded, against DuckDB."""
    monkeypatch.setattr(join_module, "ALL_PAIRS_BELOW", 0)
    rng = np.random.default_rng(23)
    names = ["alice", "bob", "", "ève", "a much longer name than the others"]
    n_l, n_r = 40, 35
    left = pa.table({
        "name": pa.array(_maybe_null(rng, [names[i] for i in rng.integers(0, 4, n_l)], 0.1),
                         pa.string()),
        "d": pa.array(rng.integers(0, 2, n_l), pa.int64()),
        "x": pa.array(_maybe_null(rng, rng.integers(-9, 9, n_l).tolist(), 0.2), pa.int64()),
        "f": pa.array((rng.random(n_l) < 0.5).tolist(), pa.bool_()),
    })
    right = pa.table({
        "who": pa.array([names[i] for i in rng.integers(1, 5, n_r)], pa.string()),
        "d": pa.array(_maybe_null(rng, rng.integers(0, 3, n_r).tolist(), 0.1), pa.int64()),
        "note": pa.array(_maybe_null(rng, [f"n{i}" for i in range(n_r)], 0.2), pa.string()),
    })
    lv = (rng.random(n_l) > 0.15).astype(np.int64)
    rv = (rng.random(n_r) > 0.15).astype(np.int64)
    rows, n, has_valid = run_secret_join(left, right, ["string", "int64", "int64", "bool"],
                                         ["string", "int64", "string"], ["name", "d"],
                                         ["who", "d"], how, lv, rv, owners=(1, 2))
    want = expected_rows(left, right, ["name", "d"], ["who", "d"], how, lv, rv)
    assert Counter(rows) == Counter(want)
    assert len(want) > 40
    assert not has_valid and n == len(want)
    # one key on every row of both sides: the whole grid
    one = pa.table({"k": pa.array([5] * 30, pa.int64()), "i": range(30)})
    check_secret_join(one, one, ["int64"] * 2, ["int64"] * 2, ["k"], ["k"], how)


def test_secret_join_many_to_many_by_expansion_float_date_and_bool_keys(monkeypatch):
    """Keys compared by their exact float keys (and payload floats moved exactly), dates,
    and bool keys (bits of the stack's words, no key slot), repeated on both sides."""
    monkeypatch.setattr(join_module, "ALL_PAIRS_BELOW", 0)
    rng = np.random.default_rng(29)
    floats = [0.5, -2.5, 1e10, None, -0.0]  # fixed-point values that decode exactly
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in range(4)]
    left = pa.table({"f": pa.array([floats[i] for i in rng.integers(0, 5, 20)], pa.float64()),
                     "d": pa.array([days[i] for i in rng.integers(0, 4, 20)], pa.date32()),
                     "b": pa.array((rng.random(20) < 0.5).tolist(), pa.bool_()),
                     "x": pa.array(rng.integers(-99, 99, 20) / 4, pa.float64())})
    right = pa.table({"f": pa.array([floats[i] for i in rng.integers(0, 5, 15)], pa.float64()),
                      "d": pa.array([days[i] for i in rng.integers(0, 4, 15)], pa.date32()),
                      "b": pa.array(_maybe_null(rng, (rng.random(15) < 0.5).tolist(), 0.2),
                                    pa.bool_())})
    types_l, types_r = ["float64", "date", "bool", "float64"], ["float64", "date", "bool"]
    for keys in (["f"], ["d", "b"], ["b"]):
        for how in ("inner", "left"):
            check_secret_join(left, right, types_l, types_r, keys, keys, how)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_secret_join_many_to_many_expansion_property(data):
    """Small tables with repeats on both sides (edge keys, NULLs, validity), expanded."""
    saved = join_module.ALL_PAIRS_BELOW
    join_module.ALL_PAIRS_BELOW = 0
    try:
        _check_drawn_join(data, [INT64_MIN, -1, 0, 7, INT64_MAX], min_size=2, max_size=8)
    finally:
        join_module.ALL_PAIRS_BELOW = saved


def test_secret_join_refuses_many_to_many_above_bound():
    left = pa.table({"k": pa.array([1, 1, 2], pa.int64())})
    right = pa.table({"k": pa.array([1, 2, 2, 3], pa.int64())})
    with pytest.raises(NotSupportedError, match=r"3 x 4.*12 row pairs.*bound of 11"):
        run_secret_join(left, right, ["int64"], ["int64"], ["k"], ["k"], "inner", max_rows=11)
    # the bound is for many-to-many joins only: a unique side joins at any size
    unique = pa.table({"k": pa.array([1, 2, 3], pa.int64())})
    check_secret_join(unique, right, ["int64"], ["int64"], ["k"], ["k"], "inner", max_rows=1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_secret_join_property(data):
    """Small tables with edge keys: any mix of unique / repeated sides, NULLs, validity."""
    _check_drawn_join(data, [INT64_MIN, -1, 0, 1, 7, INT64_MAX], min_size=0, max_size=6)


def _check_drawn_join(data, keys: list[int], min_size: int, max_size: int) -> None:
    """Draw two tables of keys from ``keys`` or NULL, row validity and a join kind, and
    check the secret join against pandas."""
    edge = st.one_of(st.none(), st.sampled_from(keys))
    l_keys = data.draw(st.lists(edge, min_size=min_size, max_size=max_size), label="left keys")
    r_keys = data.draw(st.lists(edge, min_size=min_size, max_size=max_size),
                       label="right keys")
    how = data.draw(st.sampled_from(["inner", "left", "right"]), label="how")
    lv = np.array(data.draw(st.lists(st.booleans(), min_size=len(l_keys),
                                     max_size=len(l_keys))), np.int64)
    rv = np.array(data.draw(st.lists(st.booleans(), min_size=len(r_keys),
                                     max_size=len(r_keys))), np.int64)
    left = pa.table({"k": pa.array(l_keys, pa.int64()), "i": range(len(l_keys))})
    right = pa.table({"k": pa.array(r_keys, pa.int64()), "j": range(len(r_keys))})
    check_secret_join(left, right, ["int64"] * 2, ["int64"] * 2, ["k"], ["k"], how, lv, rv)


# -- PSI join -------------------------------------------------------------------------------

def run_psi_join(left, right, left_types, right_types, left_keys, right_keys, how,
                 parties=(0, 1), server=None):
    """``server``: the party that matches the keys (server-aided PSI); None: ECDH-PSI."""
    names = left.column_names + [f"r_{c}" for c in right.column_names]
    lp, rp = parties

    def prog(rt, _):
        a = Owned("l", left if rt.party == lp else None)
        b = Owned("r", right if rt.party == rp else None)
        out = psi_join(rt, a, b, lp, rp, left_keys, right_keys, how, names, left_types,
                       right_types, STRING_KEY, server)
        assert out.valid is None and out.names == names
        return _open_rows(rt, out)

    return run_parties(prog)[0]


@pytest.mark.parametrize("server", [None, 1], ids=["ecdh", "server_aided"])
@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_psi_join_matches_duckdb(how: str, server: int | None):
    left, right, _, _ = pk_fk_tables(seed=31, n_l=40, n_r=50, unique="left", null_frac=0.15)
    # duplicates on both sides: PSI joins many-to-many
    left = pa.concat_tables([left, left.slice(0, 10)])
    rows = run_psi_join(left, right, LEFT_TYPES, RIGHT_TYPES, ["k"], ["k"], how,
                        parties=(2, 0), server=server)
    want = expected_rows(left, right, ["k"], ["k"], how)
    assert rows and Counter(rows) == Counter(want)


@pytest.mark.parametrize("server", [None, 2], ids=["ecdh", "server_aided"])
def test_psi_join_string_two_column_keys_empty_and_no_match(server: int | None):
    left = pa.table({"name": pa.array(["a", "b", None, "b", "c"], pa.string()),
                     "d": pa.array([1, 2, 2, 2, None], pa.int64()),
                     "x": pa.array([1.5, 2.5, 3.5, None, 5.0], pa.float64())})
    right = pa.table({"who": pa.array(["b", "b", "a", "c", None], pa.string()),
                      "d": pa.array([2, 2, 9, None, 2], pa.int64()),
                      "day": pa.array([dt.date(2020, 1, i) for i in range(1, 6)], pa.date32())})
    lt, rtypes = ["string", "int64", "float64"], ["string", "int64", "date"]
    for how in ("inner", "left", "right"):
        rows = run_psi_join(left, right, lt, rtypes, ["name", "d"], ["who", "d"], how,
                            server=server)
        assert Counter(rows) == Counter(expected_rows(left, right, ["name", "d"],
                                                      ["who", "d"], how))
        for a, b in ((left, right.slice(0, 0)), (left.slice(0, 0), right),
                     (left.slice(0, 2), right.slice(2, 1))):
            rows = run_psi_join(a, b, lt, rtypes, ["name", "d"], ["who", "d"], how,
                                server=server)
            assert Counter(rows) == Counter(expected_rows(a, b, ["name", "d"], ["who", "d"],
                                                          how))


@pytest.mark.parametrize("server", [None, 2], ids=["ecdh", "server_aided"])
@pytest.mark.parametrize("how", ["inner", "left", "right"])
def test_psi_join_and_secret_join_agree(how: str, server: int | None):
    left, right, _, _ = pk_fk_tables(seed=41, n_l=30, n_r=45, unique="right", null_frac=0.1)
    by_psi = run_psi_join(left, right, LEFT_TYPES, RIGHT_TYPES, ["k"], ["k"], how,
                          server=server)
    by_secret, _, _ = run_secret_join(left, right, LEFT_TYPES, RIGHT_TYPES, ["k"], ["k"], how)
    assert by_psi and Counter(by_psi) == Counter(by_secret)


def test_share_table_round_trips_every_type():
    table = pa.table({
        "i": pa.array([1, None, INT64_MIN], pa.int64()),
        "f": pa.array([0.25, -3.5, None], pa.float64()),
        "b": pa.array([True, None, False], pa.bool_()),
        "s": pa.array(["", None, "a longer string!"], pa.string()),
        "d": pa.array([dt.date(2000, 2, 29), None, dt.date(1970, 1, 1)], pa.date32()),
        "t": pa.array([dt.datetime(2020, 1, 1, 12), None, dt.datetime(1969, 12, 31)],
                      pa.timestamp("us")),
        "m": pa.array([Decimal("1.25"), Decimal("-0.01"), None], pa.decimal128(12, 2)),
    })
    types = ["int64", "float64", "bool", "string", "date", "timestamp", "decimal(12,2)"]

    def prog(rt, _):
        rel = share_table(rt, 1, table if rt.party == 1 else None, types, STRING_KEY,
                          table.column_names)
        assert [c.type for c in rel.columns] == [SqlType.parse(t) for t in types]
        return _open_rows(rt, rel)

    assert run_parties(prog)[0] == [tuple(r.values()) for r in table.to_pylist()]


def test_sharing_refuses_strings_with_nul() -> None:
    """Packed strings are zero padded: "a\\0" would open as "a". The owner refuses it
    before anything is sent, naming the column."""
    table = pa.table({"s": pa.array(["a", "a\x00"], pa.string())})

    def prog(rt, _):
        return share_table(rt, 1, table if rt.party == 1 else None, ["string"], STRING_KEY,
                           ["s"])

    with pytest.raises(DataError, match=r"column 's': .*NUL character"):
        run_parties(prog, timeout=10)
