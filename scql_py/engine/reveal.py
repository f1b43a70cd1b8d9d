"""Open a secret relation to one party: two reveals (ring words, XOR words), decoded.

A float column with an exact form opens that form (its IEEE-754 key, or a finer
quotient) instead of its fixed-point value: what it shows is then the double that went
in, or the nearest double of the quotient.

Every other party learns nothing: it sends one share of each word to the receiver.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from scql_py.engine import encoding
from scql_py.engine.relation import FineQuotient, FloatBits, SecretColumn, SecretRelation
from scql_py.mpc import rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def open_relation(rt: Runtime, rel: SecretRelation, to: int,
                  with_valid: bool = False) -> pa.Table | None:
    """``rel`` as an Arrow table on party ``to`` (None elsewhere). With ``with_valid``,
    validity bits (if any) come as a last column ``_valid`` (for tests); otherwise the
    relation must have none (compact it first)."""
    party = rt.party
    arith: list[AShare] = []
    boolean: list[BShare] = []
    for col in rel.columns:
        if isinstance(col.exact, FloatBits):  # the key is the value the column opens to
            arith.append(col.key)
        elif isinstance(col.exact, FineQuotient):  # and the quotient's further bits
            arith.extend([col.value, col.exact.frac])
        else:
            (boolean if isinstance(col.value, BShare) else arith).append(col.value)
        boolean.extend(col.chars or [])
        boolean.append(col.null if col.null is not None else BShare.zeros(party, rel.n))
    if with_valid and rel.valid is not None:
        boolean.append(rel.valid)
    elif rel.valid is not None:
        raise ValueError("open_relation: compact the relation first")
    a_words = rss.reveal(rt, AShare.concat(arith), to=to) if arith else None
    b_words = rss.reveal(rt, BShare.concat(boolean), to=to) if boolean else None
    if party != to:
        return None
    n = rel.n
    a_parts = iter([a_words[k * n:(k + 1) * n] for k in range(len(arith))])
    b_parts = iter([b_words[k * n:(k + 1) * n] for k in range(len(boolean))])
    arrays = [_decode_column(col, a_parts, b_parts, n) for col in rel.columns]
    names = list(rel.names)
    if with_valid and rel.valid is not None:
        arrays.append(pa.array((next(b_parts) & np.uint64(1)).astype(bool)))
        names.append("_valid")
    return pa.Table.from_arrays(arrays, names=names)


def _decode_column(col: SecretColumn, a_parts, b_parts, n: int) -> pa.Array:
    """One column from its opened words, taken in the order they were opened."""
    exact = col.exact
    value = next(b_parts) if isinstance(col.value, BShare) else next(a_parts)
    frac = next(a_parts) if isinstance(exact, FineQuotient) else None
    chars = [next(b_parts) for _ in col.chars or []]
    nulls = (next(b_parts) & np.uint64(1)).astype(bool)
    if isinstance(exact, FloatBits):
        return encoding.decode_float_keys(value, nulls)
    if isinstance(exact, FineQuotient):
        return encoding.decode_quotients(value, frac, exact.frac_bits, nulls)
    if col.type.kind == "string":
        words = np.stack(chars, axis=1) if chars else np.zeros((n, 0), np.uint64)
        return encoding.decode_strings(words, nulls)
    return encoding.decode(value, nulls, col.type)
