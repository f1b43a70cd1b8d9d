"""Out-of-range bits that stay with their rows, so that only a value the result keeps
makes the query's out-of-range error.

A value computed out of the range the engine computes in (a quotient of 2^46 or more,
a product of reals of 2^47, a SUM past int64, ...) has words that are no value. The
query fails then (the asker learns one bit, ORed over the query, with the result:
:data:`scql_py.mpc.openings.OUT_OF_RANGE`), but DuckDB fails only on what it computes
for its answer: a row that a later WHERE, join, LIMIT or HAVING leaves out is no
answer, in range or not.

So a projected value keeps its bit per row (:attr:`SecretColumn.out_of_range`), and
every step that only moves rows moves it with them (compaction, sorts, joins, LIMIT,
UNION ALL: with the shares, :meth:`SecretColumn.shares`); the result's reveal ANDs
the bits with its rows' validity and ORs them into the one bit it opens
(:func:`kept_bits`). A step that *uses* a value takes the value's bit as its own
range check, on the rows that are there then (``SecureEvaluator.visit_Column``): a
filter, group key or join key that depends on a value out of range cannot tell which
rows to keep, so that bit makes the error whatever later steps keep (the query's
bits in ``Engine.out_of_range``), as does an aggregate of such a value (its group's
values are then no answer either). An aggregate's own bits (a SUM past the range)
are its group's: they go on its output row's computed columns (:func:`on_groups`),
and a HAVING that leaves the group out leaves them out.

The bit opened is the same bit as before, over fewer rows: whether a row the result
keeps, or a decision about rows, holds a value out of range.
"""

from __future__ import annotations

from dataclasses import replace

from scql_py.catalog.types import BOOL
from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.mpc import convert
from scql_py.mpc.rss import BShare
from scql_py.mpc.runtime import Runtime


def any_of(rt: Runtime, bits: list[BShare]) -> BShare | None:
    """The OR of bit columns of one length (a tree, one round per level), None for
    none."""
    bits = list(bits)
    if not bits:
        return None
    n = len(bits[0])
    while len(bits) > 1:
        half = len(bits) // 2
        ored = convert.bit_or(rt, BShare.concat(bits[:half]), BShare.concat(bits[half:2 * half]))
        bits = [ored[k * n:(k + 1) * n] for k in range(half)] + bits[2 * half:]
    return bits[0]


def with_bits(rt: Runtime, col: SecretColumn, bits: list[BShare]) -> SecretColumn:
    """``col`` marked out of range where any of ``bits`` (per row) or its own bit is 1."""
    own = [col.out_of_range] if col.out_of_range is not None else []
    mark = any_of(rt, own + bits)
    return col if mark is col.out_of_range else replace(col, out_of_range=mark)


def used(rt: Runtime, rel: SecretRelation, names) -> list[BShare]:
    """The bits of the columns ``names`` on the rows that are there: their values
    decide something (a join's matches, an order), so they count wherever the rows
    go."""
    return _where_there(rt, rel, [rel.column(name) for name in dict.fromkeys(names)])


def kept_bits(rt: Runtime, rel: SecretRelation) -> list[BShare]:
    """The out-of-range bits of the rows of ``rel`` that are there: the result's."""
    return _where_there(rt, rel, rel.columns)


def _where_there(rt: Runtime, rel: SecretRelation, cols: list[SecretColumn]) -> list[BShare]:
    bits = [c.out_of_range for c in cols if c.out_of_range is not None and len(c)]
    if rel.valid is None or not bits:
        return bits
    there = convert.bit_and(rt, BShare.concat(bits), BShare.concat([rel.valid] * len(bits)))
    return [there[k * rel.n:(k + 1) * rel.n] for k in range(len(bits))]


def without_bits(rel: SecretRelation) -> SecretRelation:
    """``rel`` with no column marked (its bits taken elsewhere)."""
    cols = [c if c.out_of_range is None else replace(c, out_of_range=None)
            for c in rel.columns]
    return replace(rel, columns=cols)


def as_columns(rel: SecretRelation, tag: str) -> tuple[SecretRelation, list[int]]:
    """``rel`` with each column's bits as a bool column of its own after the others
    (named ``tag`` and the column's position), for a step that moves columns by its
    own means (a join's stack); and the positions of the marked columns."""
    marked = [j for j, c in enumerate(rel.columns) if c.out_of_range is not None]
    if not marked:
        return rel, []
    bare = without_bits(rel)
    extra = [SecretColumn(BOOL, rel.columns[j].out_of_range) for j in marked]
    return (SecretRelation(rel.n, rel.names + [f"{tag}{j}" for j in marked],
                           bare.columns + extra, rel.valid, own_rows=rel.own_rows), marked)


def from_columns(columns: list[SecretColumn], marked: list[int]) -> list[SecretColumn]:
    """The columns of :func:`as_columns` (moved) with their bits back on them."""
    if not marked:
        return columns
    width = len(columns) - len(marked)
    out = list(columns[:width])
    for j, bit in zip(marked, columns[width:]):
        out[j] = replace(out[j], out_of_range=bit.value)
    return out


def on_groups(rt: Runtime, out: SecretRelation, bits: list[BShare],
              computed: list[int]) -> tuple[SecretRelation, list[BShare]]:
    """An aggregate's own range bits (concatenations of bit columns over its output
    rows) as the bits of its output columns ``computed``; the bits that are no such
    concatenation are returned, to count for the query.

    The contract that makes the split by length right: an aggregate puts on
    ``ev.out_of_range`` only bits of its groups, each a column of one bit per output row
    in the output's order, or several such columns concatenated (a check run once for
    all its SUMs); bits of its input rows go to ``ev.row_range`` (the values it
    aggregates), which count for the query. A bit of another length is conservative:
    it counts for the query whatever HAVING keeps."""
    n = out.n
    per_row, rest = [], []
    for b in bits:
        if n and len(b) % n == 0 and len(b):
            per_row += [b[k * n:(k + 1) * n] for k in range(len(b) // n)]
        elif len(b):
            rest.append(b)
    if not per_row:
        return out, rest
    if not computed:  # no column takes them: the group's row counts as a whole
        return out, rest + per_row
    mark = any_of(rt, per_row)
    cols = list(out.columns)
    for j in computed:
        cols[j] = with_bits(rt, cols[j], [mark])
    return replace(out, columns=cols), rest
