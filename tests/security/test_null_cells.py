"""What the asker receives for a NULL cell: zero words, never the value an operator
left under the NULL bit.

Operators keep a NULL bit beside a value word and do not always clear the word: LAG
without a default keeps a neighbouring row's value (of another partition, too),
``x + NULL`` keeps ``x``, an empty group's MIN or MAX its sentinel, a division by a NULL
divisor its dividend. Opening those words would show the asker values that are no part
of its result (DESIGN section 4), whatever the decoded table says. The tests look at
the words the asker's engine decodes (opened, before decoding), in-process and for a
data party that asks.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from attack_federation import write_federation
from sqlcases import arrow_result, compare, duckdb_result

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.engine import encoding
from scql_py.engine import reveal as reveal_module
from scql_py.testing.plaintext_union import plaintext_union

JOIN = "FROM acct a JOIN claim c ON a.k = c.ck"
LAG_ACROSS_PARTITIONS = (f"SELECT a.id, LAG(c.amount) OVER (PARTITION BY a.region ORDER BY a.id)"
                         f" AS p {JOIN}")
QUOTIENT_BY_NULL = (f"SELECT a.id, CAST(c.amount AS DOUBLE) / NULLIF(c.amount - c.amount, 0) "
                    f"AS q {JOIN}")
EMPTY = "CASE WHEN c.level > 2000 THEN c.score END"  # no level is above 2000

# name -> SQL asked by alice; each result has NULL cells
NULL_CELLS = {
    "lag_across_partitions": LAG_ACROSS_PARTITIONS,
    "lead_without_default": f"SELECT a.id, LEAD(c.amount) OVER (ORDER BY a.id) AS p {JOIN}",
    "lead_of_a_float": f"SELECT a.id, LEAD(CAST(c.amount AS DOUBLE)) OVER (ORDER BY a.id) AS p "
                       f"{JOIN}",
    "lag_of_a_bool": f"SELECT a.id, LAG(c.amount > 5000) OVER (PARTITION BY a.region ORDER BY "
                     f"a.id) AS p {JOIN}",
    "lag_of_a_string": f"SELECT a.id, LAG(a.region) OVER (ORDER BY a.id) AS p {JOIN}",
    "lag_of_a_decimal": f"SELECT a.id, LAG(CAST(c.amount AS DECIMAL(10, 2))) OVER (ORDER BY a.id)"
                        f" AS p {JOIN}",
    "negated_comparison": f"SELECT a.id, NOT (c.amount + NULLIF(a.id, 3) > 5000) AS p {JOIN}",
    "comparison_with_null": f"SELECT a.id, (c.amount + NULL) > 5000 AS p {JOIN}",
    "plus_null": f"SELECT a.id, c.amount + NULL AS s {JOIN}",
    "float_plus_null": f"SELECT a.id, CAST(c.amount AS DOUBLE) + NULL AS s {JOIN}",
    "quotient_by_null": QUOTIENT_BY_NULL,
    "case_without_else": f"SELECT a.id, CASE WHEN c.level > 500 THEN c.amount END AS s {JOIN}",
    "string_case": f"SELECT a.id, CASE WHEN c.level > 500 THEN a.region END AS s {JOIN}",
    "extremes_of_empty_groups": f"SELECT c.g, MIN({EMPTY}) AS lo, MAX({EMPTY}) AS hi, "
                                f"SUM({EMPTY}) AS s, AVG({EMPTY}) AS av FROM claim c GROUP BY c.g",
}


class OpenedCells:
    """Spies on the decoding of opened results (in reveal only): per column, its opened
    words (one array per word of a cell) and its NULL mask."""

    def __init__(self, monkeypatch):
        self.columns: list[tuple[str, list[np.ndarray], np.ndarray]] = []
        spy = types.SimpleNamespace(
            decode=self._spy(encoding.decode, "value", lambda a: ([a[0]], a[1]),
                             lambda a: "bool" if a[2].kind == "bool" else "value"),
            decode_float_keys=self._spy(encoding.decode_float_keys, "float key",
                                        lambda a: ([a[0]], a[1])),
            decode_quotients=self._spy(encoding.decode_quotients, "quotient",
                                       lambda a: ([a[0], a[1]], a[3])),
            decode_strings=self._spy(encoding.decode_strings, "string",
                                     lambda a: (list(np.asarray(a[0]).T), a[1])),
        )
        monkeypatch.setattr(reveal_module, "encoding", spy)

    def _spy(self, real, kind, words_and_nulls, kind_of=None):
        def spied(*args):
            words, nulls = words_and_nulls(args)
            self.columns.append((kind_of(args) if kind_of else kind,
                                 [np.asarray(w, np.uint64).copy() for w in words],
                                 np.asarray(nulls, bool).copy()))
            return real(*args)
        return spied

    def words_under_null(self) -> list[tuple[str, int, list[int]]]:
        """(kind, row, words) of every NULL cell with a word that is not 0."""
        return [(kind, int(r), [int(w[r]) for w in words])
                for kind, words, nulls in self.columns for r in np.flatnonzero(nulls)
                if any(w[r] for w in words)]

    def wide_booleans(self) -> int:
        """Opened boolean words with more than bit 0 set (the rest of a word an
        operator computed the bit in)."""
        return sum(int((words[0] > 1).sum()) for kind, words, _ in self.columns
                   if kind == "bool")

    def null_cells(self) -> int:
        return sum(int(nulls.sum()) for _, _, nulls in self.columns)


@pytest.fixture(scope="module", params=[True, False], ids=["pushdown", "secure"])
def fed(request, attack_catalog):
    with Federation(attack_catalog, pushdown=request.param) as f:
        yield f


@pytest.mark.parametrize("name", sorted(NULL_CELLS))
def test_a_null_cell_opens_zero_words(fed, attack_oracle, monkeypatch, name):
    sql = NULL_CELLS[name]
    cells = OpenedCells(monkeypatch)
    got = fed.execute("alice", sql).table
    assert cells.null_cells() > 0, "the attack needs NULL cells"
    assert cells.words_under_null() == []
    assert cells.wide_booleans() == 0
    assert compare(arrow_result(got), duckdb_result(attack_oracle, sql), ordered=False) is None


def test_lag_shows_no_row_of_another_partition(fed, attack_oracle, monkeypatch):
    """The first row of a partition: its LAG is NULL, and the last row of the partition
    before it, whose value is no LAG in the result, must not come with it."""
    cells = OpenedCells(monkeypatch)
    fed.execute("alice", LAG_ACROSS_PARTITIONS)
    shown = {v for (v,) in attack_oracle.sql(f"SELECT p FROM ({LAG_ACROSS_PARTITIONS}) "
                                             "WHERE p IS NOT NULL").fetchall()}
    hidden = {v for (v,) in attack_oracle.sql(f"SELECT c.amount {JOIN}").fetchall()} - shown
    assert hidden, "some amount must be no LAG of the result"
    opened = {int(w) for _, words, _ in cells.columns for word in words for w in word}
    assert not opened & hidden


@pytest.fixture(scope="module")
def dave_fed(tmp_path_factory):
    catalog = write_federation(tmp_path_factory.mktemp("with_dave"), data_party="dave")
    with Federation(catalog, pushdown=False) as f:  # the quotient under MPC too
        yield f, plaintext_union(load_catalog(catalog))


@pytest.mark.parametrize("sql", [LAG_ACROSS_PARTITIONS, QUOTIENT_BY_NULL],
                         ids=["lag", "quotient"])
def test_a_data_party_gets_zero_words_in_null_cells(dave_fed, monkeypatch, sql):
    """A data party receives masked words from each computing party (mpc/outside.py):
    the sum it decodes has zeros in its NULL cells too."""
    fed, oracle = dave_fed
    cells = OpenedCells(monkeypatch)
    got = fed.execute("dave", sql).table
    assert cells.null_cells() > 0
    assert cells.words_under_null() == []
    assert compare(arrow_result(got), duckdb_result(oracle, sql), ordered=False) is None


def test_a_string_opens_its_bytes_only(fed, monkeypatch):
    """A string's keyed hash (for equality under MPC) is no part of the result: the
    asker gets no ring word for a string column (the hash of a NULL cell would tell
    which hidden strings are equal)."""
    ring_words = []
    real = reveal_module._decode

    def spied(names, types, layouts, a_words, *rest):
        ring_words.append(0 if a_words is None else len(a_words))
        return real(names, types, layouts, a_words, *rest)

    monkeypatch.setattr(reveal_module, "_decode", spied)
    got = fed.execute("alice", f"SELECT LAG(a.region) OVER (ORDER BY a.id) AS p {JOIN}").table
    assert got.num_rows > 0 and ring_words == [0]
