"""Sort keys for secret columns, and sorting a whole secret relation.

Each SQL sort key becomes one or more keys of :func:`scql_py.mpc.sort.sort`: a one-bit
NULL key (NULLS FIRST/LAST), then the value: ring words for numbers, dates and
timestamps (scaled decimals keep their order; floats sort by their exact key while they
have one, else by fixed point), the bit for booleans,
and for strings the packed bytes, byte-swapped so that word order is byte order
(binary collation, as DuckDB's default).

A NULL row's value words are not 0 in general (LAG/LEAD move another row's value under
their NULL bit, ``x + NULL`` keeps ``x``'s), so the key columns' values are set to 0
under NULL first: NULLs then tie, and the following keys order them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.mpc import mux
from scql_py.mpc.convert import bit_not
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.sort import null_order_key, sort

SIGN_BIT = np.uint64(1 << 63)


def _byteswap(word: BShare) -> BShare:
    return BShare(word.party, word.a.byteswap(), word.b.byteswap())


def zero_where(rt: Runtime, bit: BShare, col: SecretColumn) -> SecretColumn:
    """The column with its value (and string bytes, exact words) set to 0 where ``bit``
    is 1 (0 is also the key of 0.0)."""
    keep = bit_not(bit)
    exact = None
    if isinstance(col.value, BShare):
        value = and_(rt, keep, col.value)
    elif col.exact is not None:
        words = [col.value, *col.exact.words()]
        n = len(col)
        zeroed = mux.mul_bit(rt, BShare.concat([keep] * len(words)), AShare.concat(words))
        value = zeroed[:n]
        exact = col.exact.with_words([zeroed[k * n:(k + 1) * n] for k in range(1, len(words))])
    else:
        value = mux.mul_bit(rt, keep, col.value)
    chars = None
    if col.chars is not None:
        mask = mux.broadcast_bit(keep)
        chars = [and_(rt, mask, w) for w in col.chars]
    return SecretColumn(col.type, value, col.null, chars, exact, col.out_of_range)


def with_null_keys_zeroed(rt: Runtime, rel: SecretRelation, names) -> SecretRelation:
    """``rel`` with the columns ``names`` that may be NULL holding 0 on their NULL rows,
    so that their NULLs compare equal (to sort by them, or to find runs of equal keys)."""
    columns = list(rel.columns)
    for name in dict.fromkeys(names):
        j = rel.names.index(name)
        if columns[j].null is not None:
            columns[j] = zero_where(rt, columns[j].null, columns[j])
    return replace(rel, columns=columns)


def sort_keys(col: SecretColumn, descending: bool, nulls_first: bool) -> list:
    keys = []
    if col.null is not None:
        keys.append(null_order_key(col.null, nulls_first))
    kind = col.type.kind
    if kind == "string":
        # signed-int64 keys get their sign bit flipped by the sort; pre-flip so that the
        # big-endian bytes compare as unsigned
        keys.extend((_byteswap(w).xor_public(SIGN_BIT), descending) for w in col.chars or [])
    elif kind == "bool":
        keys.append((col.value, descending, 1))
    elif col.key is not None:  # exact order: fixed point would tie close floats
        keys.append((col.key, descending))
    else:
        keys.append((col.value, descending))
    return keys


def flatten(rel: SecretRelation) -> list:
    """Every share of a relation, in a fixed order (see :func:`unflatten`)."""
    return [s for col in rel.columns for s in col.shares()]


def unflatten(rel: SecretRelation, flat: list, n: int) -> list[SecretColumn]:
    """The columns of ``rel`` from :func:`flatten`'s shares after they were moved."""
    it = iter(flat)
    return [col.rebuilt(it) for col in rel.columns]


def sort_relation(rt: Runtime, rel: SecretRelation, order: list[tuple[str, bool, bool]]
                  ) -> SecretRelation:
    """Rows of ``rel`` (no validity bits) ordered by ``(column, descending, nulls_first)``."""
    assert rel.valid is None, "compact before sorting"
    if rel.n <= 1:
        return rel
    rel = with_null_keys_zeroed(rt, rel, [name for name, _, _ in order])
    keys = []
    for name, descending, nulls_first in order:
        keys.extend(sort_keys(rel.column(name), descending, nulls_first))
    if not keys:
        return rel  # no key has words (a constant '' is no bytes): every row ties
    _, moved = sort(rt, keys, flatten(rel))
    return SecretRelation(rel.n, list(rel.names), unflatten(rel, moved, rel.n))
