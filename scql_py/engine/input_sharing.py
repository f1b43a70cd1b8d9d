"""An owner's plaintext table turned into a secret relation (the ``share`` step).

Per column, in an order every party knows: its value (ring words, or an XOR bit for
bool; strings as a keyed hash), for float64 its exact key, the packed string bytes (XOR
words), then its NULL bit.
The owner reveals the row count and, per string column, the length of its longest
string in words; nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.relation import FloatBits, SecretColumn, SecretRelation
from scql_py.errors import InternalError
from scql_py.mpc import openings, rss
from scql_py.mpc.runtime import Runtime

U64 = np.uint64


def share_table(rt: Runtime, owner: int, table: pa.Table | None,
                types: Sequence[SqlType | str], string_key: bytes,
                names: Sequence[str]) -> SecretRelation:
    """Secret-share ``table`` (given on ``owner`` only, columns in ``types`` order).

    The same encoding as the engine's share step: ring words per column (bool: an XOR
    bit; float64: fixed point and the exact key), strings as a keyed hash plus packed
    bytes, a NULL bit per column. The owner
    reveals the row count and the longest string of each string column (in words).
    """
    types = [t if isinstance(t, SqlType) else SqlType.parse(t) for t in types]
    comm = rt.comm
    if rt.party == owner:
        if table is None:
            raise ValueError("the owner must pass its table")
        cols = [as_type(table.column(i), t) for i, t in enumerate(types)]
        for col, t, name in zip(cols, types, names):
            if t.kind == "string":
                encoding.refuse_nul_characters(col, f"column '{name}'")
        widths = [encoding.string_width(c) if t.kind == "string" else 0
                  for c, t in zip(cols, types)]
        meta = {"rows": table.num_rows, "widths": widths}
        comm.exchange({p: meta for p in range(3) if p != owner}, [])
    else:
        (meta,) = comm.exchange({}, [owner])
        cols = None
    n, widths = int(meta["rows"]), [int(w) for w in meta["widths"]]
    rt.record_opening(openings.ROW_COUNT, None, 1)
    if len(widths) != len(types):
        raise InternalError("the table owner sent metadata for other columns")

    # words in an order every party knows: per column its value (ring words, or an XOR
    # bit for bool), a float's key, the packed string bytes, then its NULL bit
    arith: list[np.ndarray] = []
    boolean: list[np.ndarray] = []
    if cols is not None:
        for col, t, width in zip(cols, types, widths):
            if t.kind == "string":
                values = col.to_pylist()
                arith.append(encoding.string_hash(values, string_key))
                packed = encoding.pack_strings(values, width)
                boolean.extend(packed[:, j].copy() for j in range(width))
            elif t.kind == "bool":
                boolean.append(encoding.encode(col, t))
            else:
                arith.append(encoding.encode(col, t))
                if t.kind == "float64":
                    arith.append(encoding.encode_float_keys(col))
            boolean.append(encoding.null_mask(col).astype(U64))
    n_arith = sum((t.kind != "bool") + (t.kind == "float64") for t in types)
    n_bool = len(types) + sum(t.kind == "bool" for t in types) + sum(widths)
    a_all = (rss.share_input(rt, owner, np.concatenate(arith) if arith else None, n * n_arith)
             if n_arith else None)
    b_all = rss.share_input_bool(rt, owner, np.concatenate(boolean) if boolean else None,
                                 n * n_bool)
    a_parts = [a_all[k * n:(k + 1) * n] for k in range(n_arith)] if a_all is not None else []
    b_parts = [b_all[k * n:(k + 1) * n] for k in range(n_bool)]
    columns = []
    for t, width in zip(types, widths):
        value = b_parts.pop(0) if t.kind == "bool" else a_parts.pop(0)
        exact = FloatBits(a_parts.pop(0)) if t.kind == "float64" else None
        chars = [b_parts.pop(0) for _ in range(width)] if t.kind == "string" else None
        columns.append(SecretColumn(t, value, b_parts.pop(0), chars, exact))
    return SecretRelation(n, list(names), columns)


def as_type(col: pa.ChunkedArray, t: SqlType) -> pa.ChunkedArray:
    target = t.to_arrow()
    return col if col.type == target else col.cast(target)


