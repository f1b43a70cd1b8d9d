"""Open a secret relation to one party: two reveals (ring words, XOR words), decoded.

A float column with an exact form opens that form instead of its fixed-point value:
its IEEE-754 key (the double that went in), or for a quotient (AVG, ``/``) the quotient
divided again, to more bits (one batched division for the opened rows): what it shows
is the double nearest to that finer quotient.

Every other party learns nothing: it sends one share of each word to the receiver.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from scql_py.engine import encoding
from scql_py.engine.relation import FloatBits, Quotient, SecretColumn, SecretRelation
from scql_py.mpc import openings, rss
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_refined
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def open_relation(rt: Runtime, rel: SecretRelation, to: int,
                  with_valid: bool = False) -> pa.Table | None:
    """``rel`` as an Arrow table on party ``to`` (None elsewhere). With ``with_valid``,
    validity bits (if any) come as a last column ``_valid`` (for tests); otherwise the
    relation must have none (compact it first)."""
    party = rt.party
    refined = _refine_quotients(rt, rel.columns)
    arith: list[AShare] = []
    boolean: list[BShare] = []
    for col in rel.columns:
        if isinstance(col.exact, FloatBits):  # the key is the value the column opens to
            arith.append(col.key)
        elif isinstance(col.exact, Quotient):  # the quotient to more bits
            arith.extend(refined[id(col)][:2])
        else:
            (boolean if isinstance(col.value, BShare) else arith).append(col.value)
        boolean.extend(col.chars or [])
        boolean.append(col.null if col.null is not None else BShare.zeros(party, rel.n))
    if with_valid and rel.valid is not None:
        boolean.append(rel.valid)
    elif rel.valid is not None:
        raise ValueError("open_relation: compact the relation first")
    a_words = rss.reveal(rt, AShare.concat(arith), to=to, what=openings.RESULT) if arith else None
    b_words = rss.reveal(rt, BShare.concat(boolean), to=to, what=openings.RESULT) \
        if boolean else None
    if party != to:
        return None
    n = rel.n
    a_parts = iter([a_words[k * n:(k + 1) * n] for k in range(len(arith))])
    b_parts = iter([b_words[k * n:(k + 1) * n] for k in range(len(boolean))])
    arrays = [_decode_column(col, a_parts, b_parts, n, refined.get(id(col)))
              for col in rel.columns]
    names = list(rel.names)
    if with_valid and rel.valid is not None:
        arrays.append(pa.array((next(b_parts) & np.uint64(1)).astype(bool)))
        names.append("_valid")
    return pa.Table.from_arrays(arrays, names=names)


def _refine_quotients(rt: Runtime, columns: list[SecretColumn]
                      ) -> dict[int, tuple[AShare, AShare, int]]:
    """For every quotient column (by ``id``): its quotient correctly rounded to 2^-16 and
    further bits, ``(q, e, bits of e)`` (``divide_refined``), one batch for them all."""
    quotients = [c for c in columns if isinstance(c.exact, Quotient)]
    if not quotients:
        return {}
    q, frac, frac_bits = divide_refined(
        rt, AShare.concat([c.exact.dividend for c in quotients]),
        AShare.concat([c.exact.divisor for c in quotients]), FRAC_BITS,
        start=AShare.concat([c.value for c in quotients]))
    out, at = {}, 0
    for col in quotients:
        out[id(col)] = (q[at:at + len(col)], frac[at:at + len(col)], frac_bits)
        at += len(col)
    return out


def _decode_column(col: SecretColumn, a_parts, b_parts, n: int,
                   refined: tuple[AShare, AShare, int] | None) -> pa.Array:
    """One column from its opened words, taken in the order they were opened."""
    exact = col.exact
    value = next(b_parts) if isinstance(col.value, BShare) else next(a_parts)
    frac = next(a_parts) if isinstance(exact, Quotient) else None
    chars = [next(b_parts) for _ in col.chars or []]
    nulls = (next(b_parts) & np.uint64(1)).astype(bool)
    if isinstance(exact, FloatBits):
        return encoding.decode_float_keys(value, nulls)
    if isinstance(exact, Quotient):
        return encoding.decode_quotients(value, frac, refined[2], nulls)
    if col.type.kind == "string":
        words = np.stack(chars, axis=1) if chars else np.zeros((n, 0), np.uint64)
        return encoding.decode_strings(words, nulls)
    return encoding.decode(value, nulls, col.type)
