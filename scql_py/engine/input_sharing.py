"""An owner's plaintext table turned into a secret relation (the ``share`` step).

Per column, in an order every party knows: its value (ring words, or an XOR bit for
bool; strings as a keyed hash), for float64 its exact key, the packed string bytes (XOR
words), then its NULL bit.
The owner reveals the row count and, per string column, the length of its longest
string in words, to the computing parties; nothing else. A data party shares its
table in the same words, sent as replicated pairs (:mod:`scql_py.mpc.outside`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.relation import FloatBits, SecretColumn, SecretRelation
from scql_py.errors import InternalError
from scql_py.mpc import openings, outside, rss
from scql_py.mpc.runtime import Runtime

U64 = np.uint64


def share_table(rt: Runtime, owner: int, table: pa.Table | None,
                types: Sequence[SqlType | str], string_key: bytes,
                names: Sequence[str]) -> SecretRelation | None:
    """Secret-share ``table`` (given on ``owner`` only, columns in ``types`` order).

    The same encoding as the engine's share step: ring words per column (bool: an XOR
    bit; float64: fixed point and the exact key), strings as a keyed hash plus packed
    bytes, a NULL bit per column. The owner (an index of ``rt.world``: a computing
    party, or a data party that shares in, :mod:`scql_py.mpc.outside`) reveals the row
    count and the longest string of each string column (in words) to the computing
    parties. Returns the shares on the computing parties, None on a data party.
    """
    types = [t if isinstance(t, SqlType) else SqlType.parse(t) for t in types]
    inside = rt.computing_index(owner)
    me = rt.world.party
    if inside is None:
        return _share_from_outside(rt, owner, table, types, string_key, names)
    if not rt.computes:
        return None
    comm = rt.comm
    if me == owner:
        if table is None:
            raise ValueError("the owner must pass its table")
        cols, widths = _columns(table, types, names)
        meta = {"rows": table.num_rows, "widths": widths}
        comm.exchange({p: meta for p in range(3) if p != inside}, [])
    else:
        (meta,) = comm.exchange({}, [inside])
        cols = None
    n, widths = int(meta["rows"]), [int(w) for w in meta["widths"]]
    rt.record_opening(openings.ROW_COUNT, None, 1)
    if len(widths) != len(types):
        raise InternalError("the table owner sent metadata for other columns")
    arith, boolean = _words(cols, types, widths, string_key) if cols is not None else ([], [])
    n_arith, n_bool = _word_counts(types, widths)
    a_all = (rss.share_input(rt, inside, np.concatenate(arith) if arith else None, n * n_arith)
             if n_arith else None)
    b_all = rss.share_input_bool(rt, inside, np.concatenate(boolean) if boolean else None,
                                 n * n_bool)
    return _relation(n, types, widths, a_all, b_all, names)


def _share_from_outside(rt: Runtime, owner: int, table: pa.Table | None,
                        types: list[SqlType], string_key: bytes,
                        names: Sequence[str]) -> SecretRelation | None:
    """A data party's table shared in: one message to each computing party, with the
    row count and string widths as its header."""
    if rt.world.party == owner:
        if table is None:
            raise ValueError("the owner must pass its table")
        cols, widths = _columns(table, types, names)
        arith, boolean = _words(cols, types, widths, string_key)
        header = np.array([table.num_rows, *widths], np.int64)
        empty = np.zeros(0, U64)
        rt.record_opening(openings.ROW_COUNT, None, 1)
        outside.share_in(rt, owner, header, np.concatenate(arith) if arith else empty,
                         np.concatenate(boolean) if boolean else empty)
        return None
    if not rt.computes:
        return None
    header, a_all, b_all = outside.share_in(rt, owner, None, None, None)
    rt.record_opening(openings.ROW_COUNT, None, 1)
    if len(header) != len(types) + 1 or header.min(initial=0) < 0:
        raise InternalError("the table owner sent metadata for other columns")
    n, widths = int(header[0]), [int(w) for w in header[1:]]
    n_arith, n_bool = _word_counts(types, widths)
    if len(a_all) != n * n_arith or len(b_all) != n * n_bool:
        raise InternalError(f"data party '{rt.world.name_of(owner)}' sent malformed shares")
    return _relation(n, types, widths, a_all if n_arith else None, b_all, names)


def _columns(table: pa.Table, types: list[SqlType], names: Sequence[str]
             ) -> tuple[list, list[int]]:
    cols = [as_type(table.column(i), t) for i, t in enumerate(types)]
    for col, t, name in zip(cols, types, names):
        if t.kind == "string":
            encoding.refuse_nul_characters(col, f"column '{name}'")
        elif t.kind == "float64":
            # (a name of the plan's own, like __agg0, is a value the owner computed)
            encoding.refuse_reals_without_fixed_point(
                col, f"column '{name}'" if not name.startswith("__")
                else "a value computed at its owner")
    widths = [encoding.string_width(c) if t.kind == "string" else 0
              for c, t in zip(cols, types)]
    return cols, widths


def _word_counts(types: list[SqlType], widths: list[int]) -> tuple[int, int]:
    n_arith = sum((t.kind != "bool") + (t.kind == "float64") for t in types)
    n_bool = len(types) + sum(t.kind == "bool" for t in types) + sum(widths)
    return n_arith, n_bool


def _words(cols: list, types: list[SqlType], widths: list[int], string_key: bytes
           ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The owner's words in an order every party knows: per column its value (ring
    words, or an XOR bit for bool), a float's key, the packed string bytes, then its
    NULL bit."""
    arith: list[np.ndarray] = []
    boolean: list[np.ndarray] = []
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
    return arith, boolean


def _relation(n: int, types: list[SqlType], widths: list[int], a_all, b_all,
              names: Sequence[str]) -> SecretRelation:
    n_arith, n_bool = _word_counts(types, widths)
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


