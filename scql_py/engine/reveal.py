"""Open a secret relation to one party: its ring words and XOR words in one round, decoded.

A NULL cell opens zero words: before the opening, every word of a nullable column is
multiplied by its NOT NULL bit (:func:`_zeroed_under_null`), whatever the operators
left under the bit.

A float column with an exact form opens that form instead of its fixed-point value:
its IEEE-754 key (the double that went in), or for a quotient (AVG, ``/``) the quotient
divided again, to more bits (one batched division for the opened rows): what it shows
is the double nearest to that finer quotient.

Every other party learns nothing: it sends one share of each word to the receiver (a
data party receives one masked share from each computing party).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.relation import FloatBits, Quotient, SecretColumn, SecretRelation
from scql_py.errors import InternalError
from scql_py.mpc import convert, mux, openings, outside, rss
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_refined
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def open_relation(rt: Runtime, rel: SecretRelation | None, to: int,
                  with_valid: bool = False, types: list[SqlType] | None = None,
                  names: list[str] | None = None) -> pa.Table | None:
    """``rel`` as an Arrow table on party ``to`` (an index of ``rt.world``; None
    elsewhere). With ``with_valid``, validity bits (if any) come as a last column
    ``_valid`` (for tests); otherwise the relation must have none (compact it first).

    A data party ``to`` holds no shares: it passes ``rel=None`` with the result's
    ``types`` and ``names`` (the plan's), and the computing parties send it each
    column's layout (:func:`_layout`, public: how the column is encoded) beside the
    masked words (:func:`scql_py.mpc.outside.open_to`)."""
    return open_result(rt, rel, to, types, names, with_valid=with_valid)[0]


def open_result(rt: Runtime, rel: SecretRelation | None, to: int,
                types: list[SqlType] | None, names: list[str] | None,
                flag: BShare | None = None, flag_what: str | None = None,
                with_valid: bool = False) -> tuple[pa.Table | None, bool | None]:
    """:func:`open_relation`, and with ``flag_what`` (public: from the plan) the secret
    bit ``flag`` (one element; None on a data party) opened to ``to`` as that kind of
    opening, in the same round. Returns the table and the bit's value on ``to``, Nones
    elsewhere."""
    inside = rt.computing_index(to)
    flagged = flag_what is not None
    tail = (1, flag_what) if flagged else None
    if not rt.computes:
        if rt.world.party != to:
            return None, None
        header, a_words, b_words = outside.open_to(rt, to, None, None, None, openings.RESULT,
                                                   tail)
        if len(header) != 2 + 4 * len(types):
            raise InternalError("the computing parties opened another result")
        n, has_valid = int(header[0]), bool(header[1])
        layouts = [tuple(int(v) for v in header[2 + 4 * j:6 + 4 * j])
                   for j in range(len(types))]
        flag_value = _flag_value(b_words[-1:]) if flagged else None
        return _decode(list(names), types, layouts, a_words, b_words[:len(b_words) - flagged],
                       n, has_valid), flag_value
    party = rt.party
    refined = _refine_quotients(rt, rel.columns)
    arith: list[AShare] = []
    boolean: list[BShare] = []
    for a_words, b_words, null in _zeroed_under_null(rt, rel.columns, refined):
        arith.extend(a_words)
        boolean.extend(b_words)
        boolean.append(null)
    has_valid = with_valid and rel.valid is not None
    if has_valid:
        boolean.append(convert.clean_bit(rel.valid))
    elif rel.valid is not None:
        raise ValueError("open_relation: compact the relation first")
    layouts = [_layout(col, refined.get(id(col))) for col in rel.columns]
    if inside is None:
        header = np.array([rel.n, int(has_valid), *[v for lay in layouts for v in lay]],
                          np.int64)
        outside.open_to(rt, to, header, AShare.concat(arith) if arith else None,
                        BShare.concat(boolean + ([flag] if flagged else [])) if boolean
                        or flagged else None, openings.RESULT, tail)
        return None, None
    items = [(AShare.concat(arith), openings.RESULT)] if arith else []
    items += [(BShare.concat(boolean), openings.RESULT)] if boolean else []
    items += [(flag, flag_what)] if flagged else []
    words = rss.reveal_many(rt, items, to=inside) if items else None
    if party != inside:
        return None, None
    a_words = words.pop(0) if arith else None
    b_words = words.pop(0) if boolean else None
    return (_decode(list(rel.names), [c.type for c in rel.columns], layouts, a_words,
                    b_words, rel.n, has_valid), _flag_value(words[0]) if flagged else None)


def _opened_words(col: SecretColumn, refined: tuple[AShare, AShare, int] | None
                  ) -> tuple[list[AShare], list[BShare]]:
    """The ring words and XOR words a column opens to, in the order :func:`_decode`
    reads them (its NULL bit apart): a float's exact form instead of its fixed point,
    a string's bytes (its keyed hash is for equality under MPC only, never opened)."""
    if isinstance(col.exact, FloatBits):  # the key is the value the column opens to
        return [col.key], []
    if isinstance(col.exact, Quotient):  # the quotient to more bits
        return list(refined[:2]), []
    if col.type.kind == "string":
        return [], list(col.chars or [])
    if isinstance(col.value, BShare):
        return [], [convert.clean_bit(col.value)]
    return [col.value], []


def _zeroed_under_null(rt: Runtime, columns: list[SecretColumn],
                       refined: dict[int, tuple[AShare, AShare, int]]
                       ) -> list[tuple[list[AShare], list[BShare], BShare]]:
    """Per column, its opened words with every word of a NULL cell set to 0, and its
    NULL bit (reduced to bit 0; zeros when no row is NULL).

    An operator may leave any word under a NULL bit (LAG's neighbour, ``x + NULL``'s
    ``x``, an empty group's sentinel): opening it would show the asker a value that is
    no result. Zeroing here, at the one place results are opened, covers every operator
    and every receiver. Cost, for results with a nullable column only: the NOT NULL bits
    as ring words (1 round, when such a column opens ring words), then every word times
    its bit (1 round: ring products and word ANDs in one message)."""
    party = rt.party
    out, nullable = [], []
    for col in columns:
        a_words, b_words = _opened_words(col, refined.get(id(col)))
        if col.null is None:
            null = BShare.zeros(party, len(col))
        else:
            null = convert.clean_bit(col.null)
            nullable.append(len(out))
        out.append((a_words, b_words, null))
    if not nullable:
        return out
    with_ring = [k for k in nullable if out[k][0]]
    present = {}
    if with_ring:
        bits = convert.b2a_bit(rt, ~BShare.concat([out[k][2] for k in with_ring]))
        for i, k in enumerate(with_ring):
            present[k] = bits[i * len(out[k][2]):(i + 1) * len(out[k][2])]
    mul_pairs = [(present[k], w) for k in with_ring for w in out[k][0]]
    and_pairs = [(mux.broadcast_bit(~out[k][2]), w) for k in nullable for w in out[k][1]]
    products, ands = rss.mul_and_many(rt, mul_pairs, and_pairs) if mul_pairs or and_pairs \
        else ([], [])
    products, ands = iter(products), iter(ands)
    for k in nullable:
        a_words, b_words, null = out[k]
        out[k] = ([next(products) for _ in a_words] if k in present else a_words,
                  [next(ands) for _ in b_words], null)
    return out


def _flag_value(words: np.ndarray) -> bool:
    return bool(words[0] & np.uint64(1))


def _layout(col: SecretColumn, refined: tuple[AShare, AShare, int] | None
            ) -> tuple[int, int, int, int]:
    """How a column's opened words decode (public): whether its value is an XOR word,
    its exact form (0 none, 1 a float key, 2 a quotient), its string words, the
    quotient's further bits."""
    exact = 1 if isinstance(col.exact, FloatBits) else 2 if isinstance(col.exact, Quotient) \
        else 0
    return (int(isinstance(col.value, BShare)), exact, len(col.chars or []),
            refined[2] if refined is not None else 0)


def _decode(names: list[str], types: list[SqlType], layouts: list[tuple[int, int, int, int]],
            a_words: np.ndarray | None, b_words: np.ndarray | None, n: int,
            has_valid: bool) -> pa.Table:
    a_count = sum((2 if lay[1] == 2 else 0 if lay[0] or t.kind == "string" else 1)
                  for t, lay in zip(types, layouts))
    b_count = sum(lay[0] * (lay[1] == 0) + lay[2] + 1 for lay in layouts) + has_valid
    if len(a_words if a_words is not None else ()) != n * a_count or \
            len(b_words if b_words is not None else ()) != n * b_count:
        raise InternalError("the opened result does not match its layout")
    a_parts = iter([a_words[k * n:(k + 1) * n] for k in range(a_count)])
    b_parts = iter([b_words[k * n:(k + 1) * n] for k in range(b_count)])
    arrays = [_decode_column(t, lay, a_parts, b_parts, n) for t, lay in zip(types, layouts)]
    if has_valid:
        arrays.append(pa.array((next(b_parts) & np.uint64(1)).astype(bool)))
        names = names + ["_valid"]
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


def _decode_column(t: SqlType, layout: tuple[int, int, int, int], a_parts, b_parts,
                   n: int) -> pa.Array:
    """One column from its opened words, taken in the order they were opened."""
    is_bool, exact, n_chars, frac_bits = layout
    value = None if t.kind == "string" else next(b_parts) if is_bool else next(a_parts)
    frac = next(a_parts) if exact == 2 else None
    chars = [next(b_parts) for _ in range(n_chars)]
    nulls = (next(b_parts) & np.uint64(1)).astype(bool)
    if exact == 1:
        return encoding.decode_float_keys(value, nulls)
    if exact == 2:
        return encoding.decode_quotients(value, frac, frac_bits, nulls)
    if t.kind == "string":
        words = np.stack(chars, axis=1) if chars else np.zeros((n, 0), np.uint64)
        return encoding.decode_strings(words, nulls)
    return encoding.decode(value, nulls, t)
