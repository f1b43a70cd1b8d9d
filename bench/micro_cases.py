"""The benchmark cases of ``bench/micro.py``: single rss3 protocols and a few engine
operations, each a function ``(rows, repeat) -> Timing`` registered with :func:`case`.

Each case runs its three parties through :func:`time_protocol`, by default as threads of
this process; ``bench/micro_network.py`` installs a runner that puts each party in its
own process (:func:`set_party_runner`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import sqlglot  # noqa: E402
from shared_cases import time_import, time_scan_shared  # noqa: E402
from sqlglot import exp  # noqa: E402

from scql_py.catalog.types import SqlType  # noqa: E402
from scql_py.cluster.federation import Federation  # noqa: E402
from scql_py.engine import join as join_module  # noqa: E402
from scql_py.engine.aggregate import aggregate  # noqa: E402
from scql_py.engine.input_sharing import share_table  # noqa: E402
from scql_py.engine.join import secret_join  # noqa: E402
from scql_py.engine.ordering import sort_relation  # noqa: E402
from scql_py.engine.relation import SecretRelation  # noqa: E402
from scql_py.engine.reveal import open_relation  # noqa: E402
from scql_py.engine.secure_expr import SecureEvaluator  # noqa: E402
from scql_py.mpc import (  # noqa: E402
    byte_match,
    compare,
    equality,
    float_addition,
    float_keys,
    like_automaton,
    rss,
    segment,
    sort,
)
from scql_py.mpc.inprocess import run_parties  # noqa: E402
from scql_py.mpc.psi import psi_join_indices  # noqa: E402
from scql_py.mpc.runtime import Runtime  # noqa: E402
from scql_py.mpc.server_psi import server_psi_join_indices  # noqa: E402
from scql_py.mpc.string_extreme import string_extreme  # noqa: E402
from scql_py.testing.catalog_files import OwnedTable, write_catalog  # noqa: E402

# how time_protocol runs the three parties: threads here, or processes (micro_network)
_party_runner: Callable[..., list] = run_parties


def set_party_runner(runner: Callable[..., list]) -> None:
    """Run every later case's parties with ``runner`` (same signature as run_parties)."""
    global _party_runner
    _party_runner = runner


@dataclass
class Timing:
    """What one case measured (per party figures are the maximum over the parties)."""

    seconds: float
    rounds: int
    bytes_sent: int


@dataclass
class Case:
    name: str
    default_rows: int
    run: Callable[[int, int], Timing]
    columns: int = 1  # secret columns the case holds per row (for memory per row and column)


CASES: dict[str, Case] = {}


def case(name: str, default_rows: int = 1_000_000, columns: int = 1):
    """Register ``fn(rows, repeat) -> Timing`` as a benchmark case called ``name``, over
    ``columns`` secret columns of ``rows`` rows."""

    def register(fn: Callable[[int, int], Timing]) -> Callable[[int, int], Timing]:
        if name in CASES:
            raise ValueError(f"benchmark case {name!r} registered twice")
        CASES[name] = Case(name, default_rows, fn, columns)
        return fn

    return register


def _sync(rt: Runtime) -> None:
    """A barrier: every party has finished what came before when this returns."""
    rt.comm.exchange({rt.next: b"", rt.prev: b""}, [rt.next, rt.prev])


def time_protocol(
    setup: Callable[[Runtime], Any],
    body: Callable[[Runtime, Any], Any],
    repeat: int = 3,
) -> Timing:
    """Time ``body(rt, setup(rt))`` on three parties; ``setup`` is not timed.

    Each repetition starts with a barrier, so the clock starts on every party when all
    inputs exist; a repetition's time is the slowest party's. Rounds and bytes are those
    of one repetition (the first).
    """

    def party(rt: Runtime, _arg: Any) -> list[tuple[float, int, int]]:
        inputs = setup(rt)
        out = []
        for _ in range(repeat):
            _sync(rt)
            rt.comm.stats.reset()
            start = time.perf_counter()
            body(rt, inputs)
            elapsed = time.perf_counter() - start
            out.append((elapsed, rt.comm.stats.rounds, rt.comm.stats.bytes_sent))
        return out

    per_party = _party_runner(party, timeout=600.0)
    times = [max(p[r][0] for p in per_party) for r in range(repeat)]
    return Timing(
        seconds=statistics.median(times),
        rounds=max(p[0][1] for p in per_party),
        bytes_sent=max(p[0][2] for p in per_party),
    )


def share_random(rt: Runtime, rows: int, owner: int = 0, seed: int = 1,
                 low: int = -(2**62), high: int = 2**62) -> rss.AShare:
    """Arithmetic shares of ``rows`` random int64 in ``[low, high)`` input by ``owner``."""
    values = None
    if rt.party == owner:
        values = np.random.default_rng(seed).integers(low, high, rows, dtype=np.int64)
    return rss.share_input(rt, owner, values, rows)


def _two_inputs(rows: int) -> Callable[[Runtime], tuple[rss.AShare, rss.AShare]]:
    return lambda rt: (share_random(rt, rows, owner=0, seed=1),
                       share_random(rt, rows, owner=1, seed=2))


# -- the cases ----------------------------------------------------------------------------

@case("round_trip", 200)
def bench_round_trip(rows: int, repeat: int) -> Timing:
    """``rows`` bare rounds: each party sends 8 bytes to both neighbours and waits for
    theirs; seconds / rows is the latency of one round."""
    word = np.zeros(1, dtype=np.int64)

    def body(rt: Runtime, _inputs) -> None:
        for _ in range(rows):
            rt.comm.exchange({rt.next: word, rt.prev: word}, [rt.prev, rt.next])

    return time_protocol(lambda rt: None, body, repeat)


@case("mul", columns=2)
def bench_mul(rows: int, repeat: int) -> Timing:
    return time_protocol(_two_inputs(rows), lambda rt, xy: rss.mul(rt, *xy), repeat)


@case("lt", columns=2)
def bench_lt(rows: int, repeat: int) -> Timing:
    return time_protocol(_two_inputs(rows), lambda rt, xy: compare.less_than(rt, *xy), repeat)


@case("eq", columns=2)
def bench_eq(rows: int, repeat: int) -> Timing:
    return time_protocol(_two_inputs(rows), lambda rt, xy: equality.equal(rt, *xy), repeat)


def _arithmetic_case(rows: int, repeat: int, expression: str) -> Timing:
    """``expression`` over two stored reals ``x``, ``y`` (party 0's, shared as a table),
    evaluated under MPC and opened: stored reals are multiplied and divided from their
    bits; ``(x + 0)`` is a computed real, in fixed point."""
    def inputs(rt: Runtime):
        if rt.party != 0:
            return None
        rng = np.random.default_rng(3)
        x = rng.uniform(-1, 1, rows) * 2.0 ** rng.integers(-10, 20, rows)
        y = rng.uniform(0.5, 1, rows) * 2.0 ** rng.integers(-10, 20, rows)
        return pa.table({"x": x, "y": y})

    tree = sqlglot.parse_one(expression)

    def body(rt: Runtime, table):
        rel = share_table(rt, 0, table, ["float64", "float64"], b"bench", ["x", "y"])
        out = SecureEvaluator(rt, rel, b"bench").evaluate(tree)
        return open_relation(rt, SecretRelation(rel.n, ["v"], [out]), 0)

    return time_protocol(inputs, body, repeat)


@case("divide_fixed", 100_000, columns=2)
def bench_divide_fixed(rows: int, repeat: int) -> Timing:
    return _arithmetic_case(rows, repeat, "(x + 0) / (y + 0)")


@case("divide_reals", 100_000, columns=2)
def bench_divide_reals(rows: int, repeat: int) -> Timing:
    return _arithmetic_case(rows, repeat, "x / y")


@case("multiply_fixed", 100_000, columns=2)
def bench_multiply_fixed(rows: int, repeat: int) -> Timing:
    return _arithmetic_case(rows, repeat, "(x + 0) * (y + 0)")


@case("multiply_reals", 100_000, columns=2)
def bench_multiply_reals(rows: int, repeat: int) -> Timing:
    return _arithmetic_case(rows, repeat, "x * y")


def _sum_case(rows: int, repeat: int, expression: str, keyed: bool = True) -> Timing:
    """SUM of ``expression`` over a stored real ``x`` (party 0's, shared as a table) under
    MPC, opened: a stored real is summed from its bits (exactly); without its key
    (``keyed`` false: a computed real) it is summed in fixed point (with its range
    check)."""
    def inputs(rt: Runtime):
        if rt.party != 0:
            return None
        rng = np.random.default_rng(5)
        x = rng.uniform(-1, 1, rows) * 2.0 ** rng.integers(-20, 20, rows)
        return pa.table({"x": x})

    tree = sqlglot.parse_one(expression)

    def body(rt: Runtime, table):
        rel = share_table(rt, 0, table, ["float64"], b"bench", ["x"])
        if not keyed:
            rel.columns[0].exact = None
        out = aggregate(SecureEvaluator(rt, rel, b"bench"), rel, "sum", tree,
                        SqlType.parse("float64"))
        return open_relation(rt, SecretRelation(1, ["s"], [out]), 0)

    return time_protocol(inputs, body, repeat)


@case("sum_fixed", 100_000)
def bench_sum_fixed(rows: int, repeat: int) -> Timing:
    return _sum_case(rows, repeat, "x", keyed=False)


def _real_keys(rows: int, seed: int):
    def keys(rt: Runtime) -> rss.AShare:
        values = None
        if rt.party == 0:
            rng = np.random.default_rng(seed)
            values = float_keys.encode(rng.uniform(-1, 1, rows) * 2.0 ** rng.integers(-20, 20, rows))
        return rss.share_input(rt, 0, values, rows)
    return keys


@case("add_reals", 100_000)
def bench_add_reals(rows: int, repeat: int) -> Timing:
    """``a + b`` of two keyed reals: IEEE-754's sum from the bits (float_addition)."""
    return time_protocol(lambda rt: (_real_keys(rows, 1)(rt), _real_keys(rows, 2)(rt)),
                         lambda rt, ab: float_addition.add_keys(rt, *ab), repeat)


@case("add_fixed", 100_000)
def bench_add_fixed(rows: int, repeat: int) -> Timing:
    """``a + b`` in fixed point (local) with the out-of-range check a real sum has."""
    def body(rt: Runtime, ab):
        total = ab[0] + ab[1]
        return compare.msb(rt, total.add_public(-(1 << 63 - 1)))
    return time_protocol(lambda rt: (share_random(rt, rows, seed=1, low=-2**40, high=2**40),
                                     share_random(rt, rows, seed=2, low=-2**40, high=2**40)),
                         body, repeat)


@case("sum_reals", 100_000)
def bench_sum_reals(rows: int, repeat: int) -> Timing:
    return _sum_case(rows, repeat, "x")


@case("sum")
def bench_sum(rows: int, repeat: int) -> Timing:
    return time_protocol(lambda rt: share_random(rt, rows),
                         lambda rt, x: rss.reveal(rt, x.sum()), repeat)


def _psi_keys(rows: int):
    """rows distinct int64 keys per owner (parties 0 and 1), half of them in common."""
    def keys(rt: Runtime) -> list[np.ndarray] | None:
        if rt.party not in (0, 1):
            return None
        rng = np.random.default_rng(3)  # both owners draw the same base, then diverge
        base = rng.choice(2**62, size=rows, replace=False).astype(np.int64)
        if rt.party == 0:
            return [base]
        right = np.concatenate([base[: rows // 2], -1 - base[rows // 2 :]])
        return [right[rng.permutation(rows)]]

    return keys


@case("psi_join", 100_000)
def bench_psi_join(rows: int, repeat: int) -> Timing:
    """Server-aided PSI inner join (party 2 matches) of rows x rows distinct int64 keys,
    half of them in common: what a PSI join runs where the third party may learn the
    sizes. The 1M x 1M target (<= 10 s):
    ``python bench/micro.py --cases psi_join --rows 1000000 --repeat 1``.
    """
    return time_protocol(_psi_keys(rows),
                         lambda rt, k: server_psi_join_indices(rt, 0, 1, 2, k), repeat)


@case("psi_join_ecdh", 100_000)
def bench_psi_join_ecdh(rows: int, repeat: int) -> Timing:
    """The same join by ECDH-PSI (the third party takes no part): linear in rows, ~115
    us of libsodium work per key per owner."""
    return time_protocol(_psi_keys(rows), lambda rt, k: psi_join_indices(rt, 0, 1, k), repeat)


@case("secret_join", 100_000)
def bench_secret_join(rows: int, repeat: int) -> Timing:
    """Secret PK-FK inner join: rows primary-table rows (unique int64 key, one int64
    column; party 0) with 10 x rows foreign-table rows (key, one int64 column; party 1),
    90% of the foreign keys present in the primary table. Sort of 11 x rows, copy down
    the primary columns; the result keeps one row per input row with a validity bit."""
    def tables(rt: Runtime):
        rng = np.random.default_rng(4)
        keys = rng.choice(2**62, size=rows, replace=False).astype(np.int64)
        primary = foreign = None
        if rt.party == 0:
            primary = pa.table({"pk": keys, "a": rng.integers(0, 10**6, rows)})
        if rt.party == 1:
            fk = keys[rng.integers(0, rows, 10 * rows)]
            fk[rng.random(10 * rows) < 0.1] = -1  # absent from the primary table
            foreign = pa.table({"fk": fk, "b": rng.integers(0, 10**6, 10 * rows)})
        left = share_table(rt, 0, primary, ["int64", "int64"], b"bench", ["pk", "a"])
        right = share_table(rt, 1, foreign, ["int64", "int64"], b"bench", ["fk", "b"])
        return left, right

    return time_protocol(tables, lambda rt, lr: secret_join(
        rt, lr[0], lr[1], ["pk"], ["fk"], "inner", ["pk", "a", "fk", "b"]), repeat)


def _many_to_many_join(rows: int, repeat: int, all_pairs: bool) -> Timing:
    """Secret many-to-many inner join: rows x rows rows, rows / 100 keys (each key on
    100 rows of each side: rows x 100 result rows), one int64 column per side; by
    expansion, or with ``all_pairs`` by comparing every pair."""
    keys = max(1, rows // 100)

    def tables(rt: Runtime):
        rng = np.random.default_rng(6)
        left = right = None
        if rt.party == 0:
            left = pa.table({"k": rng.permutation(np.arange(rows) % keys),
                             "a": rng.integers(0, 10**6, rows)})
        if rt.party == 1:
            right = pa.table({"k": rng.permutation(np.arange(rows) % keys),
                              "b": rng.integers(0, 10**6, rows)})
        return (share_table(rt, 0, left, ["int64", "int64"], b"bench", ["k", "a"]),
                share_table(rt, 1, right, ["int64", "int64"], b"bench", ["k", "b"]))

    def body(rt: Runtime, lr):
        out = secret_join(rt, lr[0], lr[1], ["k"], ["k"], "inner", ["k", "a", "k2", "b"],
                          max_rows=rows * rows)
        if out.n != rows * rows // keys:
            raise AssertionError(f"many-to-many join: {out.n} rows")

    saved = join_module.ALL_PAIRS_BELOW
    join_module.ALL_PAIRS_BELOW = rows * rows if all_pairs else 0
    try:
        return time_protocol(tables, body, repeat)
    finally:
        join_module.ALL_PAIRS_BELOW = saved


@case("secret_join_many", 10_000)
def bench_secret_join_many(rows: int, repeat: int) -> Timing:
    """Many-to-many secret join by expansion (see :func:`_many_to_many_join`): a sort of
    2 x rows, a sort of 2 x (2 rows + result rows) and a compaction of as many."""
    return _many_to_many_join(rows, repeat, all_pairs=False)


@case("secret_join_many_all_pairs", 1_000)
def bench_secret_join_many_all_pairs(rows: int, repeat: int) -> Timing:
    """The same join comparing all rows x rows pairs, then compacting the matches."""
    return _many_to_many_join(rows, repeat, all_pairs=True)


@case("psi_join_sql", 100_000)
def bench_psi_join_sql(rows: int, repeat: int) -> Timing:
    """End to end through the engine: ``SELECT COUNT(*), SUM(o.amount), SUM(c.score)
    FROM customers c JOIN orders o ON c.id = o.id`` asked by the third party; customers
    (alice): rows unique ids, orders (bob): rows ids, 80% of them customers'. The key's
    CCL is PLAINTEXT_AFTER_JOIN: a PSI join, then the sums under MPC. Checked against
    DuckDB on the same files; seconds are the whole query (planning included)."""
    rng = np.random.default_rng(5)
    ids = rng.choice(2**40, size=rows, replace=False).astype(np.int64)
    order_ids = ids[rng.integers(0, rows, rows)]
    order_ids[rng.random(rows) < 0.2] = -1
    sql = ("SELECT COUNT(*) AS n, SUM(o.amount) AS amount, SUM(c.score) AS score "
           "FROM customers c JOIN orders o ON c.id = o.id")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        customers = pa.table({"id": ids, "score": rng.integers(0, 100, rows)})
        orders = pa.table({"id": order_ids, "amount": rng.integers(0, 10**4, rows)})
        catalog = write_catalog(folder, "bench_join", {
            "customers": OwnedTable("alice", customers, ccl={
                "id": "PLAINTEXT_AFTER_JOIN", "score": "PLAINTEXT_AFTER_AGGREGATE"}),
            "orders": OwnedTable("bob", orders, ccl={
                "id": "PLAINTEXT_AFTER_JOIN", "amount": "PLAINTEXT_AFTER_AGGREGATE"}),
        }, first_port=7501)
        ref = duckdb.connect()
        for table in ("customers", "orders"):
            ref.execute(f"CREATE VIEW {table} AS SELECT * FROM '{folder / table}.parquet'")
        start = time.perf_counter()
        want = ref.execute(sql).fetchall()[0]
        plain = time.perf_counter() - start
        times, stats = [], {}
        with Federation(catalog, timeout=600.0) as fed:
            for _ in range(repeat):
                start = time.perf_counter()
                result = fed.execute("carol", sql)
                times.append(time.perf_counter() - start)
                stats = stats or result.stats
                got = tuple(result.table.to_pylist()[0].values())
                if got != tuple(want):
                    raise AssertionError(f"psi_join_sql: got {got}, DuckDB says {want}")
    seconds = statistics.median(times)
    print(f"# psi_join_sql: DuckDB {plain:.3f} s, ratio {seconds / plain:.0f}", flush=True)
    return Timing(seconds, max(s["rounds"] for s in stats.values()),
                  max(s["bytes_sent"] for s in stats.values()))


@case("sort", columns=2)
def bench_sort(rows: int, repeat: int) -> Timing:
    """Oblivious sort of rows int64 keys carrying one int64 payload column."""
    return time_protocol(_two_inputs(rows),
                         lambda rt, kv: sort.sort(rt, [(kv[0], False)], [kv[1]]), repeat)


@case("groupby", columns=2)
def bench_groupby(rows: int, repeat: int) -> Timing:
    """GROUP BY key, SUM(value) over secret rows, 1000 groups: sort by key, mark group
    starts, compact the group ends (reveals the group count only)."""
    def inputs(rt: Runtime) -> tuple[rss.AShare, rss.AShare]:
        return (share_random(rt, rows, owner=0, seed=1, low=0, high=1000),
                share_random(rt, rows, owner=1, seed=2))

    def body(rt: Runtime, kv: tuple[rss.AShare, rss.AShare]):
        (key,), (value,) = sort.sort(rt, [(kv[0], False)], [kv[1]])
        starts = segment.segment_starts(rt, [key])
        return segment.sum_by_group(rt, starts, [key], [value])

    return time_protocol(inputs, body, repeat)


@case("float_column", 100_000)
def bench_float_column(rows: int, repeat: int) -> Timing:
    """One float64 column through the engine: the owner shares it (fixed point and its
    exact key), it is sorted by itself, its MIN is taken, and it is opened to party 0:
    the cost of carrying a float's bits (compare ``int_column``)."""
    return _column_case(rows, repeat, "float64",
                        lambda rng: rng.normal(0, 1000, rows).round(2))


@case("int_column", 100_000)
def bench_int_column(rows: int, repeat: int) -> Timing:
    """``float_column`` with an int64 column: one word per value, no key."""
    return _column_case(rows, repeat, "int64",
                        lambda rng: rng.integers(-10**6, 10**6, rows))


def _column_case(rows: int, repeat: int, type_name: str, make) -> Timing:
    def inputs(rt: Runtime):
        values = make(np.random.default_rng(5)) if rt.party == 0 else None
        return pa.table({"x": values}) if values is not None else None

    def body(rt: Runtime, table):
        rel = share_table(rt, 0, table, [type_name], b"bench", ["x"])
        ordered = sort_relation(rt, rel, [("x", False, False)])
        aggregate(SecureEvaluator(rt, rel, b"bench"), rel, "min", exp.column("x"),
                  SqlType.parse(type_name))
        return open_relation(rt, ordered, 0)

    return time_protocol(inputs, body, repeat)


@case("import")
def bench_import(rows: int, repeat: int) -> Timing:
    """Secret-share rows x 4 columns from the owner's Parquet file into the parties'
    persistent storage (bench/shared_cases.py)."""
    return Timing(*time_import(rows, repeat))


@case("scan_shared")
def bench_scan_shared(rows: int, repeat: int) -> Timing:
    """SUM over one column of a shared table, read from each party's storage after a
    restart (bench/shared_cases.py)."""
    return Timing(*time_scan_shared(rows, repeat))


def _strings(rows: int, width: int = 2) -> Callable[[Runtime], list[rss.BShare]]:
    """Packed random ASCII strings of ``8 * width`` bytes at most, input by party 0."""
    def inputs(rt: Runtime) -> list[rss.BShare]:
        packed = None
        if rt.party == 0:
            rng = np.random.default_rng(9)
            letters = rng.integers(ord("a"), ord("e"), (rows, 8 * width), dtype=np.uint8)
            letters[np.arange(rows), rng.integers(1, 8 * width, rows)] = 0  # lengths vary
            letters[letters.cumprod(axis=1, dtype=bool) == 0] = 0
            packed = letters.view(np.uint64)
        return [rss.share_input_bool(rt, 0, None if packed is None else packed[:, j], rows)
                for j in range(width)]
    return inputs


@case("like_automaton", 100_000)
def bench_like_automaton(rows: int, repeat: int) -> Timing:
    """LIKE '%a_b%c' on 16-byte secret strings (mpc/like_automaton.py)."""
    tokens = ["%", (b"a",), "_", (b"b",), "%", (b"c",)]
    return time_protocol(_strings(rows), lambda rt, w: like_automaton.match(rt, w, tokens, rows),
                         repeat)


@case("like_contains", 100_000)
def bench_like_contains(rows: int, repeat: int) -> Timing:
    """LIKE '%ab%' on the same strings, by byte windows (mpc/byte_match.py)."""
    return time_protocol(_strings(rows), lambda rt, w: byte_match.contains(rt, w, b"ab", rows),
                         repeat)


@case("string_min", 100_000)
def bench_string_min(rows: int, repeat: int) -> Timing:
    """MIN of 16-byte secret strings (mpc/string_extreme.py)."""
    def inputs(rt: Runtime):
        words = _strings(rows)(rt)
        present = rss.BShare.public(rt.party, np.ones(rows, np.uint64))
        return words, share_random(rt, rows), present

    return time_protocol(inputs, lambda rt, x: string_extreme(rt, x[0], x[1], x[2], True),
                         repeat)
