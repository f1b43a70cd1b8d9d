"""Sort keys for secret columns, and sorting a whole secret relation.

Each SQL sort key becomes one or more keys of :func:`scql_py.mpc.sort.sort`: a one-bit
NULL key (NULLS FIRST/LAST), then the value: ring words for numbers, dates and
timestamps (scaled decimals keep their order; floats sort by their exact key while they
have one, else by fixed point), the bit for booleans,
and for strings the packed bytes, byte-swapped so that word order is byte order
(binary collation, as DuckDB's default).
"""

from __future__ import annotations

import numpy as np

from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.mpc.rss import BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.sort import null_order_key, sort

SIGN_BIT = np.uint64(1 << 63)


def _byteswap(word: BShare) -> BShare:
    return BShare(word.party, word.a.byteswap(), word.b.byteswap())


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
    keys = []
    for name, descending, nulls_first in order:
        keys.extend(sort_keys(rel.column(name), descending, nulls_first))
    if rel.n <= 1 or not keys:
        return rel  # no key has words (a constant '' is no bytes): every row ties
    _, moved = sort(rt, keys, flatten(rel))
    return SecretRelation(rel.n, list(rel.names), unflatten(rel, moved, rel.n))
