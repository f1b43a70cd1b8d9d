"""Open a secret relation to one party: two reveals (ring words, XOR words), decoded.

Every other party learns nothing: it sends one share of each word to the receiver.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from scql_py.engine import encoding
from scql_py.engine.relation import SecretRelation
from scql_py.mpc import openings, rss
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
    a_parts = [a_words[k * n:(k + 1) * n] for k in range(len(arith))]
    b_parts = [b_words[k * n:(k + 1) * n] for k in range(len(boolean))]
    arrays = []
    for col in rel.columns:
        value = b_parts.pop(0) if isinstance(col.value, BShare) else a_parts.pop(0)
        chars = [b_parts.pop(0) for _ in col.chars or []]
        nulls = (b_parts.pop(0) & np.uint64(1)).astype(bool)
        if col.type.kind == "string":
            words = np.stack(chars, axis=1) if chars else np.zeros((n, 0), np.uint64)
            arrays.append(encoding.decode_strings(words, nulls))
        else:
            arrays.append(encoding.decode(value, nulls, col.type))
    names = list(rel.names)
    if with_valid and rel.valid is not None:
        arrays.append(pa.array((b_parts.pop(0) & np.uint64(1)).astype(bool)))
        names.append("_valid")
    return pa.Table.from_arrays(arrays, names=names)
