"""SCQL's regression queries (converted into ``data/`` by ``convert.py``) run through the
Federation and through DuckDB over the plaintext union; one :class:`Outcome` per query.

The asker is the one SCQL's regression test uses: alice, and carol for
``single_party_postgres``. A query counts only if DuckDB runs it (its text in
DuckDB's dialect, transpiled by sqlglot from the MySQL-like one); its outcome is then
``pass`` (same answer), ``wrong`` (another answer: a bug), ``refused`` (NotSupportedError or SecurityError: a construct or a CCL
rule we do not run) or ``error`` (any other error).

Same answer: the rules of ``tests/sql/sqlcases.py`` (rows, types, NULLs, order where
the query has ORDER BY), with floats within the README's fixed-point bound for these
data (:data:`ABS_TOL`, :data:`REL_TOL`), rows of floats matched after sorting both
sides when matching them one by one fails (near-equal rows confuse a greedy match).
Where the engine left out groups smaller than the group size threshold (SCQL's own
default, applied to PLAINTEXT_AFTER_GROUP_BY keys), the oracle is the query's
``mysql_query``, which SCQL's test writes with that ``HAVING COUNT(*) >= 4``; where it counted a table's distinct rows (a join may repeat
them), that query keeps the groups with as many distinct rows of the table
(:func:`distinct_rows_oracle`).

    python tests/scql_regtest/regtest_cases.py          # the figure and every failure
    python tests/scql_regtest/regtest_cases.py 'two_parties[46]' ...   # some of them
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(REPO / "tests" / "sql"))

from sqlcases import Result, arrow_result, compare, duckdb_result, has_outer_order  # noqa: E402

from scql_py import errors  # noqa: E402
from scql_py.catalog import Catalog, load_catalog  # noqa: E402
from scql_py.cluster.federation import Federation  # noqa: E402
from scql_py.testing.plaintext_union import plaintext_union  # noqa: E402

# the regression data's floats have two decimals and |x| <= 100; by the README each
# enters arithmetic off by up to 2^-17, so a product of two is off by up to about
# (|a| + |b| + 1) 2^-17 < 2e-3, and a quotient by a denominator near 1 relatively by
# about 2^-17 over the denominator
ABS_TOL = 2e-3
REL_TOL = 2e-5
DATA = HERE / "data"
CATALOG = DATA / "regtest.toml"
# the query files in the order SCQL's test runs them, each with its asker
ASKERS = {"single_party": "alice", "single_party_postgres": "carol", "two_parties": "alice",
          "multi_parties": "alice", "multi_parties_semi2k": "alice", "view": "alice"}


@dataclass(frozen=True)
class Query:
    file: str
    index: int
    name: str
    sql: str
    asker: str
    mysql_sql: str  # SCQL's oracle: the same question with MySQL's database.table names

    @property
    def id(self) -> str:
        return f"{self.file}[{self.index}]"


@dataclass(frozen=True)
class Outcome:
    status: str  # pass | wrong | refused | error | duckdb_cannot
    detail: str = ""


def load_queries() -> list[Query]:
    out = []
    for file, asker in ASKERS.items():
        spec = json.loads((DATA / "queries" / f"{file}.json").read_text(encoding="utf-8"))
        for i, q in enumerate(spec["queries"]):
            mysql = re.sub(r"\b(alice|bob|carol)\.(tbl_\d+|UPPER_table)\b", r"\1_\2",
                           q["mysql_query"])
            out.append(Query(file, i, q["name"], q["query"].strip().rstrip(";"), asker,
                             mysql.strip().rstrip(";")))
    return out


def oracle(catalog: Catalog) -> duckdb.DuckDBPyConnection:
    con = plaintext_union(catalog)
    con.execute("SET error_on_division_by_zero = false")
    return con


def run_query(query: Query, fed: Federation, duck: duckdb.DuckDBPyConnection) -> Outcome:
    try:
        expected = duckdb_result(duck, query.sql)
    except Exception as err:  # noqa: BLE001 - any DuckDB or transpiler error: not counted
        return Outcome("duckdb_cannot", f"{type(err).__name__}: {err}".splitlines()[0])
    try:
        got = fed.execute(query.asker, query.sql)
    except (errors.NotSupportedError, errors.SecurityError) as err:
        return Outcome("refused", f"{type(err).__name__}: {err}")
    except errors.Error as err:
        return Outcome("error", f"{type(err).__name__}: {err}")
    left_out = [m for m in got.messages if "group size threshold" in m]
    if left_out:
        sized_by = re.search(r"fewer than (\d+) distinct rows of (\S+)", left_out[0])
        expected = duckdb_result(duck, query.mysql_sql if sized_by is None else
                                 distinct_rows_oracle(query.sql, sized_by[2],
                                                      int(sized_by[1])))
    problem = same_answer(arrow_result(got.table), expected, has_outer_order(query.sql))
    return Outcome("pass") if problem is None else Outcome("wrong", problem)


def distinct_rows_oracle(sql: str, table: str, threshold: int) -> str:
    """``sql`` keeping only the groups with ``threshold`` distinct rows of ``table`` (read
    once in it): the engine's threshold where a join may repeat that table's rows
    (SCQL's oracle, ``HAVING COUNT(*) >= 4``, counts joined rows)."""
    tree = sqlglot.parse_one(sql, read="mysql")
    (scan,) = [t for t in tree.find_all(exp.Table) if t.name == table]
    alias = scan.alias_or_name
    numbered = sqlglot.parse_one(f"(SELECT ROW_NUMBER() OVER () AS __row, * FROM {table})"
                                 f" AS {alias}", read="mysql")
    scan.replace(numbered)
    size = sqlglot.parse_one(f"COUNT(DISTINCT {alias}.__row) >= {threshold}", read="mysql")
    having = tree.args.get("having")
    tree.set("having", exp.Having(this=size if having is None
                                  else exp.and_(having.this, size)))
    return tree.sql(dialect="mysql")


def same_answer(got: Result, expected: Result, ordered: bool) -> str | None:
    """None if ``got`` is ``expected`` within the bound, else why not."""
    problem = compare(got, expected, ordered=ordered, abs_tol=ABS_TOL, rel_tol=REL_TOL)
    if problem is None or ordered:
        return problem
    try:
        in_order = [Result(r.families, sorted(r.rows, key=_sort_key)) for r in (got, expected)]
    except TypeError:  # rows that do not sort
        return problem
    again = compare(*in_order, ordered=True, abs_tol=ABS_TOL, rel_tol=REL_TOL)
    return None if again is None else problem


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, v if v is not None else 0) for v in row)


def main(argv: list[str]) -> int:
    catalog = load_catalog(CATALOG)
    duck = oracle(catalog)
    outcomes: dict[Query, Outcome] = {}
    with Federation(catalog, timeout=300.0) as fed:
        for engine in fed.engines:
            engine.storage.load_all()
        for query in load_queries():
            if argv and query.id not in argv:
                continue
            outcome = run_query(query, fed, duck)
            outcomes[query] = outcome
            print(f"{query.id:<28} {outcome.status:<13} {query.name} | {outcome.detail[:300]}",
                  flush=True)
    counts = Counter(o.status for o in outcomes.values())
    counted = len(outcomes) - counts["duckdb_cannot"]
    print(f"# {counts['pass']} of {counted} queries DuckDB runs pass "
          f"({100 * counts['pass'] / max(counted, 1):.1f}%); {dict(counts)}")
    return 1 if counts["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
