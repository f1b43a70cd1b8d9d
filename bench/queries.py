"""Query benchmarks: whole SQL queries through the Federation against plain DuckDB.

Generates, in a temporary directory, a lineitem-like table split between alice and bob
and a payments table of carol (``--rows`` rows each, 1M by default, Parquet), writes a
catalog for them, then runs each query through :class:`Federation` (with local pushdown,
and with everything after the scans under MPC) and through DuckDB over the plaintext
union of the same files. One line per query and mode:

    query  mode  rows  seconds  duckdb_s  ratio  match

``rows`` is the number of input rows the query reads, ``ratio`` the Federation's time
over DuckDB's, ``match`` whether the answers agree (floats within 1e-6 relative).

    python bench/queries.py                    # 1M rows per party, both modes
    python bench/queries.py --rows 100000 --mode pushdown

First, the seed example over ten parties (``catalogs/ten_people.toml``: three compute,
seven data parties each share one income), asked by a data party, and what sharing a
data party's column costs: bytes per value per computing party (one message of two
shares of each word: the value and its NULL bit), over ``--rows`` rows of one int64
column (``--ten no`` skips these).

With PostgreSQL installed (Debian's package), a last case puts alice's lineitem table
in a throwaway PostgreSQL server and asks a filtered aggregate of both lineitem tables:
once with alice's share of the work running inside PostgreSQL (only its aggregate comes
back), once reading alice's whole table into its DuckDB first; ``ratio`` is the first
over the second (``--postgres only`` runs just that case, ``no`` skips it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import math
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from scql_py.catalog import load_catalog  # noqa: E402
from scql_py.cluster.federation import Federation  # noqa: E402
from scql_py.storage.databases.postgresql import PostgreSQL  # noqa: E402
from scql_py.testing.catalog_files import OwnedTable, write_catalog  # noqa: E402
from scql_py.testing.plaintext_union import plaintext_union  # noqa: E402

LINEITEM = "l_quantity, l_extendedprice, l_discount, l_tax, l_shipdate, l_returnflag"
UNION_AB = (f"(SELECT {LINEITEM} FROM lineitem_alice UNION ALL "
            f"SELECT {LINEITEM} FROM lineitem_bob) AS l")
AMOUNTS_3 = ("(SELECT l_extendedprice AS x FROM lineitem_alice UNION ALL "
             "SELECT l_extendedprice AS x FROM lineitem_bob UNION ALL "
             "SELECT p_amount AS x FROM payments_carol) AS u")

# name -> (asker, SQL, how many of the three tables it reads)
QUERIES: dict[str, tuple[str, str, int]] = {
    "avg_price_union": ("carol", f"SELECT AVG(l_extendedprice) AS avg_price FROM {UNION_AB}", 2),
    "tpch_q6_union": (
        "carol",
        "SELECT SUM(l_extendedprice * l_discount) AS revenue FROM " + UNION_AB +
        " WHERE l_shipdate >= CAST('1994-01-01' AS DATE)"
        " AND l_shipdate < CAST('1995-01-01' AS DATE)"
        " AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
        2,
    ),
    "count_filter_3party": ("alice", f"SELECT COUNT(*) AS n FROM {AMOUNTS_3} WHERE x > 50000", 3),
    "sum_avg_3party": ("bob", f"SELECT SUM(x) AS total, AVG(x) AS mean FROM {AMOUNTS_3}", 3),
}

_AGGREGATE_ONLY = "PLAINTEXT_AFTER_AGGREGATE"
# A condition's outcome decides what the asker gets, so a column a query filters on
# needs PLAINTEXT_AFTER_COMPARE (DESIGN.md section 4); one that is both filtered and
# summed (Q6's discount, the three-party amounts) needs PLAINTEXT. The levels do not
# change the plans measured: every query still computes across parties under MPC.
_COMPARED = {"l_quantity", "l_shipdate"}
_COMPARED_AND_SUMMED = {"l_discount", "l_extendedprice", "p_amount"}


def _levels(columns: list[str]) -> dict[str, str]:
    return {c: "PLAINTEXT_AFTER_COMPARE" if c in _COMPARED
            else "PLAINTEXT" if c in _COMPARED_AND_SUMMED else _AGGREGATE_ONLY
            for c in columns}


def _select(con: duckdb.DuckDBPyConnection, table: pa.Table, select: str) -> pa.Table:
    con.register("src", table)
    out = con.sql(f"SELECT {select} FROM src").to_arrow_table()
    con.unregister("src")
    return out


def generate(directory: Path, rows: int, seed: int = 7) -> Path:
    """Write the three tables and their catalog into ``directory``; return the catalog."""
    rng = np.random.default_rng(seed)
    con = duckdb.connect()
    epoch = dt.date(1992, 1, 1)
    tables = {}
    for owner in ("alice", "bob"):
        table = pa.table({
            "q": rng.integers(1, 51, rows),
            "price_cents": rng.integers(90_000, 10_500_000, rows),
            "disc": rng.integers(0, 11, rows),          # 0.00 .. 0.10
            "tax": rng.integers(0, 9, rows),            # 0.00 .. 0.08
            "day": rng.integers(0, 2557, rows),         # 1992 .. 1998
            "flag": rng.choice(np.array(["A", "N", "R"]), rows),
        })
        lineitem = _select(con, table, (
            "q AS l_quantity, "
            "CAST(CAST(price_cents AS DECIMAL(12,0)) / 100 AS DECIMAL(12,2)) AS l_extendedprice, "
            "CAST(CAST(disc AS DECIMAL(12,2)) / 100 AS DECIMAL(12,2)) AS l_discount, "
            "CAST(CAST(tax AS DECIMAL(12,2)) / 100 AS DECIMAL(12,2)) AS l_tax, "
            f"DATE '{epoch.isoformat()}' + CAST(day AS INTEGER) AS l_shipdate, "
            "flag AS l_returnflag"))
        # every column but the return flag may be aggregated by the other two parties
        tables[f"lineitem_{owner}"] = OwnedTable(owner, lineitem, ccl=_levels(
            lineitem.column_names[:-1]))
    payments = pa.table({
        "cents": rng.integers(-50_000, 12_000_000, rows),
        "day": rng.integers(0, 2557, rows),
        "channel": rng.choice(np.array(["web", "shop", "phone"]), rows),
    })
    tables["payments_carol"] = OwnedTable("carol", _select(con, payments, (
        "CAST(CAST(cents AS DECIMAL(12,0)) / 100 AS DECIMAL(12,2)) AS p_amount, "
        f"DATE '{epoch.isoformat()}' + CAST(day AS INTEGER) AS p_date, channel AS p_channel")),
        ccl=_levels(["p_amount"]))
    return write_catalog(directory, "bench", tables)


def _same(got: list[tuple], expected: list[tuple]) -> bool:
    if len(got) != len(expected):
        return False
    for g_row, e_row in zip(got, expected, strict=True):
        for g, e in zip(g_row, e_row, strict=True):
            if g is None or e is None:
                if g is not e:
                    return False
            elif isinstance(g, float) or isinstance(e, float):
                if not math.isclose(float(g), float(e), rel_tol=1e-6, abs_tol=1e-3):
                    return False
            elif isinstance(g, decimal.Decimal) or isinstance(e, decimal.Decimal):
                if decimal.Decimal(g) != decimal.Decimal(e):
                    return False
            elif g != e:
                return False
    return True


def _rows(table: pa.Table) -> list[tuple]:
    return list(zip(*(c.to_pylist() for c in table.columns), strict=True))


# the PostgreSQL case: alice's table in PostgreSQL, bob's in Parquet, carol asks
PG_QUERY = ("SELECT SUM(l_extendedprice * l_discount) AS revenue, COUNT(*) AS n FROM " + UNION_AB +
            " WHERE l_shipdate >= CAST('1994-01-01' AS DATE) AND l_discount >= 0.05"
            " AND l_quantity < 24")


def postgres_case(directory: Path, rows: int, timeout: float) -> bool:
    """Alice's lineitem in PostgreSQL: the filtered aggregate with alice's work done in
    PostgreSQL, against reading her whole table into DuckDB first. Prints two lines."""
    sys.path.insert(0, str(REPO / "tests" / "databases"))
    import os

    import pyarrow.parquet as pq
    from pg_server import PASSWORD, PostgresServer, find_bindir

    if find_bindir() is None:
        print("# postgres case skipped: PostgreSQL is not installed (apt-get install postgresql)")
        return True
    with PostgresServer() as pg:
        t0 = time.perf_counter()
        pg.create_database("bench")
        pg.load("bench", "lineitem", pq.read_table(directory / "lineitem_alice.parquet"),
                "l_quantity bigint, l_extendedprice numeric(12,2), l_discount numeric(12,2), "
                "l_tax numeric(12,2), l_shipdate date, l_returnflag text")
        pg.execute("VACUUM ANALYZE lineitem", database="bench")
        print(f"# loaded {rows} rows into PostgreSQL in {time.perf_counter() - t0:.1f} s")
        text = (directory / "bench.toml").read_text().replace(
            'source = "lineitem_alice.parquet"', 'database = "pg"\ntable = "lineitem"').replace(
            'address = "127.0.0.1:7401"\n', 'address = "127.0.0.1:7401"\n'
            f'[parties.alice.databases.pg]\nurl = "{pg.url("bench")}"\n'
            'password_env = "SCQL_BENCH_PG_PASSWORD"\n')
        path = directory / "bench_pg.toml"
        path.write_text(text, encoding="utf-8")
        os.environ["SCQL_BENCH_PG_PASSWORD"] = PASSWORD
        expected = plaintext_union(load_catalog(directory / "bench.toml")).sql(PG_QUERY).fetchall()
        times, answers = {}, {}
        for how in ("in_postgres", "read_whole"):
            saved = PostgreSQL.refuses
            if how == "read_whole":  # every statement runs in DuckDB over the whole table
                PostgreSQL.refuses = lambda self, node: "the benchmark reads the whole table"
            try:
                with Federation(load_catalog(path), timeout=timeout) as fed:
                    for engine in fed.engines:
                        engine.storage.load_all()
                    t0 = time.perf_counter()
                    answers[how] = _rows(fed.execute("carol", PG_QUERY).table)
                    times[how] = time.perf_counter() - t0
            finally:
                PostgreSQL.refuses = saved
        ok = True
        for how in ("in_postgres", "read_whole"):
            match = _same(answers[how], expected)
            ok &= match
            print(f"{'pg_filtered_agg':<22} {how:<11} {2 * rows:>9} {times[how]:>9.3f} "
                  f"{times['read_whole']:>9.3f} {times[how] / times['read_whole']:>8.2f}  "
                  f"{'yes' if match else 'NO: ' + repr(answers[how]) + ' vs ' + repr(expected)}",
                  flush=True)
        return ok


def ten_parties_case(rows: int, repeats: int = 5) -> bool:
    """The seed average over ten parties, and the bytes a data party sends to share a
    column of ``rows`` rows."""
    catalog = load_catalog(REPO / "catalogs" / "ten_people.toml")
    union = " UNION ALL ".join(f"SELECT income FROM {p}_income" for p in catalog.parties)
    sql = f"SELECT AVG(income) AS avg_income FROM ({union}) AS t"
    duck = plaintext_union(catalog)
    t0 = time.perf_counter()
    expected = duck.sql(sql).fetchall()
    duck_s = time.perf_counter() - t0
    with Federation(catalog) as fed:
        for engine in fed.engines:
            engine.storage.load_all()
        fed.execute("judy", sql)  # warm-up: imports, first connections
        t0 = time.perf_counter()
        for _ in range(repeats):
            got = _rows(fed.execute("judy", sql).table)
        secs = (time.perf_counter() - t0) / repeats
    match = _same(got, expected)
    print(f"{'ten_party_average':<22} {'pushdown':<9} {10:>9} {secs:>9.3f} {duck_s:>9.4f} "
          f"{secs / max(duck_s, 1e-9):>8.1f}  {'yes' if match else 'NO'}", flush=True)
    with tempfile.TemporaryDirectory(prefix="scql_bench_share_") as tmp:
        path = Path(tmp) / "x.parquet"
        pq.write_table(pa.table({"v": np.arange(rows, dtype=np.int64)}), path)
        text = (REPO / "catalogs" / "ten_people.toml").read_text().replace(
            'source = "ten_people/judy_income.csv"\ncolumns = { person = "string", income = "int64" }',
            f'source = "{path}"\ncolumns = {{ v = "int64" }}').replace(
            "[tables.judy_income.ccl]\nincome", "[tables.judy_income.ccl]\nv")
        shared = Path(tmp) / "ten.toml"
        shared.write_text(text.replace('"ten_people/', f'"{REPO / "catalogs" / "ten_people"}/'))
        with Federation(load_catalog(shared), pushdown=False) as fed:  # whole column
            fed.execute("alice", "SELECT SUM(v) AS s FROM (SELECT v FROM judy_income "
                        "UNION ALL SELECT income FROM alice_income) AS t")
            judy = fed.catalog.party_names.index("judy")
            stats = fed.last_network.communicator(judy).stats
            per = {fed.catalog.party_names[p]: b for p, b in stats.per_peer_sent.items()}
    print(f"# sharing a data party's int64 column of {rows} rows: {stats.messages_sent} "
          f"messages, bytes per computing party {per}: "
          f"{min(per.values()) / rows:.2f} bytes per row (value and NULL bit, two 8-byte "
          "shares each)", flush=True)
    return match


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per table")
    parser.add_argument("--mode", choices=("pushdown", "secure", "both"), default="both")
    parser.add_argument("--query", action="append", choices=[*sorted(QUERIES), "none"],
                        help="run only this query (repeatable; none: only the ten-party "
                        "case)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--ten", choices=("yes", "no"), default="yes",
                        help="the ten-party case and the data party's sharing bytes")
    parser.add_argument("--postgres", choices=("auto", "only", "no"), default="auto",
                        help="the PostgreSQL case: after the others (auto), alone, or not")
    args = parser.parse_args(argv)
    modes = {"pushdown": [True], "secure": [False], "both": [True, False]}[args.mode]
    names = args.query or list(QUERIES)

    all_ten = True
    if args.ten == "yes" and args.postgres != "only":
        print(f"{'query':<22} {'mode':<9} {'parties':>9} {'seconds':>9} {'duckdb_s':>9} "
              f"{'ratio':>8}  match")
        all_ten = ten_parties_case(args.rows)
        if args.query == ["none"]:
            return 0 if all_ten else 1
    with tempfile.TemporaryDirectory(prefix="scql_bench_") as tmp:
        t0 = time.perf_counter()
        catalog = load_catalog(generate(Path(tmp), args.rows))
        print(f"# generated 3 tables x {args.rows} rows in {time.perf_counter() - t0:.1f} s")
        duck = plaintext_union(catalog)
        print(f"{'query':<22} {'mode':<9} {'rows':>9} {'seconds':>9} {'duckdb_s':>9} "
              f"{'ratio':>8}  match")
        all_match = True
        if args.postgres == "only":
            modes = []
        for pushdown in modes:
            with Federation(catalog, timeout=args.timeout, pushdown=pushdown) as fed:
                # Each party loads its own source files up front, as DuckDB did above:
                # the timings below are the queries only.
                for engine in fed.engines:
                    engine.storage.load_all()
                for name in names:
                    asker, sql, n_tables = QUERIES[name]
                    t0 = time.perf_counter()
                    expected = duck.sql(sql).fetchall()
                    duck_s = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    got = _rows(fed.execute(asker, sql).table)
                    secs = time.perf_counter() - t0
                    match = _same(got, expected)
                    all_match &= match
                    mode = "pushdown" if pushdown else "secure"
                    print(f"{name:<22} {mode:<9} {n_tables * args.rows:>9} {secs:>9.3f} "
                          f"{duck_s:>9.4f} {secs / max(duck_s, 1e-9):>8.1f}  "
                          f"{'yes' if match else 'NO: ' + repr(got) + ' vs ' + repr(expected)}",
                          flush=True)
        if args.postgres != "no":
            print(f"{'query':<22} {'how':<11} {'rows':>9} {'seconds':>9} {'whole_s':>9} "
                  f"{'ratio':>8}  match")
            all_match &= postgres_case(Path(tmp), args.rows, args.timeout)
    return 0 if all_match and all_ten else 1


if __name__ == "__main__":
    sys.exit(main())
