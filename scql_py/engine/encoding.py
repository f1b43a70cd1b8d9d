"""Arrow columns to ring words and back, per SQL type.

=============  ============================================================
int64          the integer (two's complement)
float64        fixed point: ``round(x * 2**FRAC_BITS)`` (for arithmetic), and the
               exact IEEE-754 key of :mod:`scql_py.mpc.float_keys` (to move,
               compare and reveal: :func:`encode_float_keys`)
decimal(p,s)   the exact unscaled integer ``x * 10**s``
bool           0 or 1 (shared as a boolean bit)
date           days since 1970-01-01
timestamp      microseconds since 1970-01-01 00:00:00
interval       its microseconds (a difference of timestamps: no months)
string         a keyed 64-bit hash (equality, grouping) plus the UTF-8 bytes
               packed 8 per word (only to reveal)
=============  ============================================================
"""

from __future__ import annotations

import decimal
import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scql_py.catalog.types import SqlType
from scql_py.errors import DataError, NotSupportedError
from scql_py.mpc import fixedpoint, float_keys

U64 = np.uint64
US_PER_DAY = 86_400_000_000


def null_mask(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.is_null(arr).to_numpy(zero_copy_only=False), dtype=bool)


def _filled(arr, fill) -> pa.Array:
    arr = pc.fill_null(arr, fill) if arr.null_count else arr
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


def string_hash(values, key: bytes) -> np.ndarray:
    """Keyed 64-bit BLAKE2b of each string (the key is agreed per query)."""
    out = np.empty(len(values), dtype=U64)
    for i, v in enumerate(values):
        h = hashlib.blake2b(v.encode() if v is not None else b"", digest_size=8, key=key)
        out[i] = int.from_bytes(h.digest(), "little")
    return out


def pack_strings(values: list, width_words: int) -> np.ndarray:
    """UTF-8 bytes of each string, zero padded to ``width_words`` words: shape (n, w)."""
    n = len(values)
    if width_words == 0 or n == 0:
        return np.zeros((n, width_words), dtype=U64)
    raw = np.array([(v or "").encode() for v in values], dtype=f"S{width_words * 8}")
    return raw.view(U64).reshape(n, width_words)


def unpack_strings(words: np.ndarray) -> list[str]:
    n, w = words.shape
    if w == 0:
        return [""] * n
    raw = np.ascontiguousarray(words).view(f"S{w * 8}").reshape(n)
    return [b.decode("utf-8", errors="replace") for b in raw]


def refuse_nul_characters(arr, where: str) -> None:
    """DataError for a string column holding U+0000: packed strings are zero padded, so a
    trailing NUL would come back cut off (PostgreSQL refuses the character too)."""
    if len(arr) and pc.any(pc.match_substring(arr, "\x00")).as_py():
        raise DataError(f"{where}: a string holds the NUL character (U+0000), "
                        "which strings shared between parties cannot hold")


def refuse_reals_without_fixed_point(arr, where: str) -> None:
    """NotSupportedError for a float column holding NaN, an infinity or a magnitude of
    2^47 or more: shares carry each real in fixed point too (for arithmetic), which has
    no such value, and DuckDB's answers with them (NaN the greatest, equal to itself;
    inf + -inf a NaN) are not what MPC computes. The owner refuses before it shares."""
    if len(arr) == 0:
        return
    floats = arr.cast(pa.float64())
    fits = pc.less(pc.abs(floats), fixedpoint.max_abs())  # false for NaN too
    if not pc.all(pc.fill_null(fits, True)).as_py():
        raise NotSupportedError(
            f"{where}: a real that is NaN, infinite or of magnitude 2^47 or more cannot "
            "be secret-shared (values of several parties are computed in fixed point)")


def string_width(arr) -> int:
    """Words needed for the longest string of a column."""
    if len(arr) == 0 or arr.null_count == len(arr):
        return 0
    longest = pc.max(pc.binary_length(arr)).as_py() or 0
    return -(-longest // 8)


def encode(arr: pa.ChunkedArray | pa.Array, t: SqlType) -> np.ndarray:
    """Ring words (uint64) of a non-string column; NULLs become 0."""
    kind = t.kind
    try:
        if kind == "int64":
            ints = _filled(arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
            return ints.astype(np.int64).view(U64)
        if kind == "bool":
            return _filled(arr.cast(pa.bool_()), False).to_numpy(zero_copy_only=False).astype(U64)
        if kind == "float64":
            floats = _filled(arr.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
            return fixedpoint.encode(floats).view(U64)
        if kind == "decimal":
            return _encode_decimal(arr, t.scale).view(U64)
        if kind == "date":
            days = _filled(arr.cast(pa.date32()), 0).cast(pa.int32())
            return days.to_numpy(zero_copy_only=False).astype(np.int64).view(U64)
        if kind == "timestamp":
            us = _filled(arr.cast(pa.timestamp("us")), 0).cast(pa.int64())
            return us.to_numpy(zero_copy_only=False).astype(np.int64).view(U64)
        if kind == "interval":
            return _interval_micros(arr).view(U64)
    except pa.ArrowInvalid as err:
        raise DataError(f"cannot encode a {arr.type} column as {t}: {err}") from None
    raise TypeError(f"no ring encoding for {t}")


def without_wordless(arr: pa.ChunkedArray | pa.Array, t: SqlType) -> tuple[pa.Array, bool]:
    """``arr`` with NULL where a value has no ring word (a decimal whose unscaled value
    is past int64, a real not below 2^47 in magnitude or not finite), and whether there
    was one: an owner's SUM past the range the engine computes in."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if t.kind == "decimal" and t.precision > 18:  # (18 digits always fit)
        limit = pa.scalar(decimal.Decimal(2**63 - 1).scaleb(-t.scale), arr.type)
        past = pc.greater(pc.abs(arr), limit)
    elif t.kind == "float64":
        past = pc.invert(pc.less(pc.abs(arr), fixedpoint.max_abs()))
    else:
        return arr, False
    past = pc.fill_null(past, False)
    if not pc.any(past).as_py():
        return arr, False
    return pc.if_else(past, pa.scalar(None, arr.type), arr), True


def encode_float_keys(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The exact, ordered keys (uint64 words) of a float64 column; NULLs become 0."""
    floats = _filled(arr.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
    return float_keys.encode(floats).view(U64)


# DuckDB's NaN equals every NaN and is above every number: a positive quiet NaN's bits
# read as a key are above the infinities' (:mod:`scql_py.mpc.float_keys`)
NAN_KEY = np.int64(0x7FF8_0000_0000_0000)


def float_join_keys(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """:func:`encode_float_keys` (as int64) with one key for every NaN: the keys a PSI
    join matches, where an owner's keys never enter shares."""
    floats = _filled(arr.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
    nan = np.isnan(floats)
    keys = float_keys.encode(np.where(nan, 0.0, floats))
    return np.where(nan, NAN_KEY, keys)


def decode_float_keys(words: np.ndarray, nulls: np.ndarray | None) -> pa.Array:
    mask = None if nulls is None or not nulls.any() else np.asarray(nulls, dtype=bool)
    return pa.array(float_keys.decode(words), type=pa.float64(), mask=mask)


def decode_quotients(value: np.ndarray, frac: np.ndarray, frac_bits: int,
                     nulls: np.ndarray | None) -> pa.Array:
    """The nearest doubles of ``(value + frac / 2^frac_bits) / 2^FRAC_BITS`` (int64
    words: an opened quotient, see ``reveal``): Python's int division rounds correctly."""
    den = 1 << (fixedpoint.FRAC_BITS + frac_bits)
    values = [((int(v) << frac_bits) + int(f)) / den
              for v, f in zip(np.asarray(value).view(np.int64), np.asarray(frac).view(np.int64))]
    mask = None if nulls is None or not nulls.any() else np.asarray(nulls, dtype=bool)
    return pa.array(values, type=pa.float64(), mask=mask)


# Arrow's month_day_nano_interval: per value int32 months, int32 days, int64 nanoseconds
_MONTH_DAY_NANO = np.dtype([("months", "<i4"), ("days", "<i4"), ("nanos", "<i8")])


def _interval_micros(arr) -> np.ndarray:
    """Microseconds of each interval (NULL: 0); one with months has no fixed length."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    fields = np.frombuffer(arr.buffers()[1], dtype=_MONTH_DAY_NANO,
                           count=arr.offset + len(arr))[arr.offset:]
    present = ~null_mask(arr)
    if (fields["months"][present] != 0).any():
        raise DataError("an interval of months has no fixed length in microseconds")
    micros = fields["days"].astype(np.int64) * US_PER_DAY + fields["nanos"] // 1000
    return np.where(present, micros, 0)


def _decode_intervals(micros: np.ndarray, mask: np.ndarray | None) -> pa.Array:
    """DuckDB's intervals of ``micros``: whole days and the rest, both of the sign of the
    total (``-27 h`` is ``-1 day -03:00:00``), no months."""
    days = np.sign(micros) * (np.abs(micros) // US_PER_DAY)
    fields = np.zeros(len(micros), dtype=_MONTH_DAY_NANO)
    fields["days"] = days
    fields["nanos"] = (micros - days * US_PER_DAY) * 1000
    values = pa.Array.from_buffers(pa.month_day_nano_interval(), len(micros),
                                   [None, pa.py_buffer(fields.tobytes())])
    if mask is None or not mask.any():
        return values
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)),
                      pa.nulls(len(micros), pa.month_day_nano_interval()), values)


def _encode_decimal(arr, scale: int) -> np.ndarray:
    if pa.types.is_decimal(arr.type):
        wide = _filled(arr.cast(pa.decimal128(38, scale)), pa.scalar(0, pa.decimal128(38, scale)))
        # decimal128 stores little-endian 128-bit unscaled integers: keep the low word
        buf = np.frombuffer(wide.buffers()[1], dtype=np.int64)
        lo = buf[2 * wide.offset : 2 * (wide.offset + len(wide)) : 2].copy()
        hi = buf[2 * wide.offset + 1 : 2 * (wide.offset + len(wide)) : 2]
        if not np.array_equal(hi, lo >> 63):
            raise DataError("a decimal value does not fit in 64 bits")
        return lo
    if pa.types.is_integer(arr.type):
        return _filled(arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False) * (10**scale)
    floats = _filled(arr.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
    return np.round(floats * 10**scale).astype(np.int64)


# days and microseconds since 1970-01-01 of 0001-01-01 and 9999-12-31 (its last instant)
_DATE_RANGE = {"date": (-719162, 2932896),
               "timestamp": (-62135596800_000000, 253402300799_999999)}


def decode(words: np.ndarray, nulls: np.ndarray | None, t: SqlType) -> pa.Array:
    """Arrow array of type ``t.to_arrow()`` from ring words and a NULL mask."""
    ints = np.asarray(words, dtype=U64).view(np.int64)
    mask = None if nulls is None or not nulls.any() else np.asarray(nulls, dtype=bool)
    kind = t.kind
    if kind == "int64":
        return pa.array(ints, type=pa.int64(), mask=mask)
    if kind == "bool":
        return pa.array((ints & 1).astype(bool), type=pa.bool_(), mask=mask)
    if kind == "float64":
        return pa.array(fixedpoint.decode(ints), type=pa.float64(), mask=mask)
    if kind in _DATE_RANGE:
        # a computed date beyond years 1 to 9999 (DATE_ADD of a large interval) is NULL,
        # as at an owner: no party could decode it (total semantics)
        low, high = _DATE_RANGE[kind]
        unfit = (ints < low) | (ints > high)
        if unfit.any():
            mask = unfit if mask is None else (mask | unfit)
            ints = np.where(unfit, 0, ints)
        if kind == "date":
            return pa.array(ints.astype(np.int32), type=pa.int32(), mask=mask).cast(pa.date32())
        return pa.array(ints, type=pa.int64(), mask=mask).cast(pa.timestamp("us"))
    if kind == "interval":
        return _decode_intervals(ints, mask)
    if kind == "decimal":
        pairs = np.empty(2 * len(ints), dtype=np.int64)
        pairs[0::2] = ints
        pairs[1::2] = ints >> 63
        validity = None
        if mask is not None:
            validity = pa.array(~mask).buffers()[1]
        return pa.Array.from_buffers(
            pa.decimal128(t.precision, t.scale), len(ints),
            [validity, pa.py_buffer(pairs.tobytes())], null_count=-1,
        )
    raise TypeError(f"no decoding for {t}")


def decode_strings(chars: np.ndarray, nulls: np.ndarray | None) -> pa.Array:
    values = unpack_strings(chars)
    mask = None if nulls is None or not nulls.any() else np.asarray(nulls, dtype=bool)
    return pa.array(values, type=pa.string(), mask=mask)
