"""Payloads as Arrow record batches, safe to decode from an untrusted peer.

No pickle: a payload is one of four kinds, named in the schema metadata (key ``scql``):

* ``array`` -- one numpy array; ``arrays`` -- a list or tuple of numpy arrays. Array *i*
  travels in column ``a<i>`` of type ``large_list<T>``: each record batch is one row
  holding the next slice of each array, so a big array is cut into batches of at most
  ``chunk_bytes`` (gRPC handles many small messages better than one huge one). The
  dtype (numbers and bool only) and the shape are in the metadata.
* ``bytes`` -- ``bytes``/``bytearray``/``memoryview``; ``json`` -- a JSON-able object,
  as UTF-8 text. Both travel as ``large_binary`` rows of at most ``chunk_bytes``.

:func:`decode` trusts nothing: it checks the metadata, the column types, null counts,
the Arrow buffers themselves (full validation) and that the data received matches the
declared shapes before building arrays, and raises :class:`WireFormatError` otherwise.
A decoded payload has the same :func:`~scql_py.net.channel.payload_size` as the one
encoded, so both ends count the same bytes.

>>> import numpy as np
>>> schema, batches = encode(np.arange(6, dtype=np.uint64).reshape(2, 3))
>>> decode(schema, batches).tolist()
[[0, 1, 2], [3, 4, 5]]
>>> decode(*encode({"rows": 3, "cols": ["a", "b"]}))
{'rows': 3, 'cols': ['a', 'b']}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from scql_py.net.channel import Payload

META_KEY = b"scql"
WIRE_VERSION = 1
DEFAULT_CHUNK_BYTES = 4 << 20
MAX_ARRAYS = 4096  # per payload; bounds the schema a peer can make us build
_MAX_META_BYTES = 1 << 20

# dtype.str -> (numpy dtype, Arrow value type on the wire); bool travels as uint8 bytes
_DTYPES: dict[str, tuple[np.dtype, pa.DataType]] = {
    np.dtype(t).str: (np.dtype(t), pa.uint8() if t is np.bool_ else pa.from_numpy_dtype(t))
    for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
              np.uint32, np.uint64, np.float32, np.float64)
}
_WIRE_NUMPY = {np.dtype(t).str: np.dtype(np.uint8 if t is np.bool_ else t) for t in
               (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                np.uint32, np.uint64, np.float32, np.float64)}
_OFFSETS_TYPE = pa.int64()


class WireFormatError(ValueError):
    """A received message is not a well-formed payload."""


# -- encoding -------------------------------------------------------------------------------

def encode(payload: Payload, chunk_bytes: int = DEFAULT_CHUNK_BYTES
           ) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    """The schema and record batches carrying ``payload``; ``TypeError`` if it cannot travel."""
    if isinstance(payload, np.ndarray):
        return _encode_arrays([payload], "array", chunk_bytes)
    if isinstance(payload, (list, tuple)) and payload and all(
        isinstance(p, np.ndarray) for p in payload
    ):
        return _encode_arrays(list(payload), type(payload).__name__, chunk_bytes)
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return _encode_binary(bytes(payload), "bytes", chunk_bytes)
    try:
        text = json.dumps(payload, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"payload cannot be sent to another party: {exc}") from None
    return _encode_binary(text.encode(), "json", chunk_bytes)


def _wire_array(arr: np.ndarray) -> tuple[str, np.ndarray]:
    """The dtype name and the flat, native-order array that goes on the wire."""
    dtype = arr.dtype
    if dtype.byteorder not in "=|":
        dtype = dtype.newbyteorder("=")
        arr = arr.astype(dtype)
    if dtype.str not in _DTYPES:
        raise TypeError(f"arrays of dtype {arr.dtype} cannot be sent to another party")
    flat = np.ascontiguousarray(arr).reshape(-1)
    if dtype == np.bool_:
        flat = flat.view(np.uint8)
    return dtype.str, flat


def _encode_arrays(arrays: list[np.ndarray], kind: str, chunk_bytes: int
                   ) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    if len(arrays) > MAX_ARRAYS:
        raise TypeError(f"a payload holds at most {MAX_ARRAYS} arrays")
    parts, flats = [], []
    for arr in arrays:
        dtype, flat = _wire_array(arr)
        parts.append({"dtype": dtype, "shape": list(arr.shape)})
        flats.append(flat)
    meta = {"v": WIRE_VERSION, "kind": kind, "parts": parts}
    schema = pa.schema(
        [pa.field(f"a{i}", pa.large_list(_DTYPES[p["dtype"]][1]), nullable=False)
         for i, p in enumerate(parts)],
        metadata={META_KEY: json.dumps(meta)},
    )
    batches = [pa.record_batch(cols, schema=schema)
               for cols in _array_rows(flats, max(chunk_bytes, 8))]
    return schema, batches


def _array_rows(flats: list[np.ndarray], chunk_bytes: int) -> Iterator[list[pa.Array]]:
    """One row per record batch: the next slices of every array, at most ``chunk_bytes``
    in all (arrays are drained in order, so most rows hold one non-empty slice)."""
    pos = [0] * len(flats)
    i = 0
    while True:
        budget = chunk_bytes
        slices = [flat[:0] for flat in flats]
        while i < len(flats) and budget >= flats[i].itemsize:
            take = min(len(flats[i]) - pos[i], budget // flats[i].itemsize)
            slices[i] = flats[i][pos[i]:pos[i] + take]
            pos[i] += take
            budget -= take * flats[i].itemsize
            if pos[i] == len(flats[i]):
                i += 1
        yield [_list_row(s) for s in slices]
        if i == len(flats):
            return


def _list_row(values: np.ndarray) -> pa.Array:
    """A one-row ``large_list`` over ``values``, without copying them (``pa.array`` would
    also pull in pandas on first use)."""
    arrow_values = pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values),
                                         [None, pa.py_buffer(values)])
    offsets = pa.Array.from_buffers(
        _OFFSETS_TYPE, 2, [None, pa.py_buffer(np.array([0, len(values)], np.int64))])
    return pa.LargeListArray.from_arrays(offsets, arrow_values)


def _encode_binary(data: bytes, kind: str, chunk_bytes: int
                   ) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    meta = {"v": WIRE_VERSION, "kind": kind, "size": len(data)}
    schema = pa.schema([pa.field("data", pa.large_binary(), nullable=False)],
                       metadata={META_KEY: json.dumps(meta)})
    step = max(chunk_bytes, 1)
    buf = pa.py_buffer(data)
    batches = []
    for start in range(0, max(len(data), 1), step):
        piece = buf.slice(start, min(step, len(data) - start))
        offsets = pa.py_buffer(np.array([0, piece.size], np.int64))
        column = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, piece])
        batches.append(pa.record_batch([column], schema=schema))
    return schema, batches


# -- decoding -------------------------------------------------------------------------------

def decode(schema: pa.Schema, batches: Sequence[pa.RecordBatch]) -> Payload:
    """The payload carried by ``batches``; :class:`WireFormatError` if they are malformed."""
    meta = _metadata(schema)
    kind = meta.get("kind")
    for batch in batches:
        if not batch.schema.equals(schema, check_metadata=False):
            raise WireFormatError("record batch schema differs from the stream's schema")
        try:
            batch.validate(full=True)
        except pa.ArrowInvalid as exc:
            raise WireFormatError(f"invalid record batch: {exc}") from None
    if kind in ("array", "list", "tuple"):
        arrays = _decode_arrays(meta, schema, batches)
        if kind == "array":
            if len(arrays) != 1:
                raise WireFormatError("an 'array' payload holds exactly one array")
            return arrays[0]
        if not arrays:
            raise WireFormatError("an array list payload cannot be empty")
        return arrays if kind == "list" else tuple(arrays)
    if kind in ("bytes", "json"):
        data = _decode_binary(meta, schema, batches)
        if kind == "bytes":
            return data
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise WireFormatError(f"malformed JSON payload: {exc}") from None
    raise WireFormatError(f"unknown payload kind {kind!r}")


def _metadata(schema: pa.Schema) -> dict[str, Any]:
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None or len(raw) > _MAX_META_BYTES:
        raise WireFormatError("missing or oversized payload metadata")
    try:
        meta = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireFormatError("payload metadata is not JSON") from None
    if not isinstance(meta, dict) or meta.get("v") != WIRE_VERSION:
        raise WireFormatError("unsupported payload metadata version")
    return meta


def _is_count(x: object) -> bool:
    return type(x) is int and x >= 0


def _decode_arrays(meta: dict[str, Any], schema: pa.Schema,
                   batches: Sequence[pa.RecordBatch]) -> list[np.ndarray]:
    parts = meta.get("parts")
    if not isinstance(parts, list) or len(parts) > MAX_ARRAYS or len(parts) != len(schema):
        raise WireFormatError("array metadata does not match the columns")
    out = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict):
            raise WireFormatError("array metadata must be objects")
        dtype_name, shape = part.get("dtype"), part.get("shape")
        if dtype_name not in _DTYPES:
            raise WireFormatError(f"array dtype {dtype_name!r} is not allowed")
        if not isinstance(shape, list) or len(shape) > 32 or not all(map(_is_count, shape)):
            raise WireFormatError("array shape must be a list of non-negative integers")
        dtype, wire_type = _DTYPES[dtype_name]
        if schema.field(i).type != pa.large_list(wire_type):
            raise WireFormatError(f"column {i} has type {schema.field(i).type}, "
                                  f"expected large_list<{wire_type}>")
        chunks = []
        for batch in batches:
            col = batch.column(i)
            if col.null_count:
                raise WireFormatError("payload arrays cannot hold nulls")
            values = col.flatten()
            if values.null_count:
                raise WireFormatError("payload arrays cannot hold nulls")
            if len(values):
                chunks.append(values)
        n = math.prod(shape)
        if sum(len(c) for c in chunks) != n:
            raise WireFormatError(f"array {i} holds a different number of values than its "
                                  f"shape {shape} says")
        out.append(_join(chunks, dtype, _WIRE_NUMPY[dtype_name]).reshape(shape))
    return out


def _view(values: pa.Array, wire_dtype: np.dtype) -> np.ndarray:
    """A read-only numpy view of a validated primitive Arrow array."""
    return np.frombuffer(values.buffers()[1], dtype=wire_dtype, count=len(values),
                         offset=values.offset * wire_dtype.itemsize)


def _join(chunks: list[pa.Array], dtype: np.dtype, wire_dtype: np.dtype) -> np.ndarray:
    """One read-only numpy array from the received slices (no copy for one slice)."""
    if not chunks:
        flat = np.empty(0, dtype=wire_dtype)
    elif len(chunks) == 1:
        flat = _view(chunks[0], wire_dtype)
    else:
        flat = np.empty(sum(len(c) for c in chunks), dtype=wire_dtype)
        start = 0
        for c in chunks:
            flat[start:start + len(c)] = _view(c, wire_dtype)
            start += len(c)
    if dtype == np.bool_:
        flat = flat.astype(np.bool_)
    flat.flags.writeable = False  # as in-process: a received array is read-only
    return flat


def _decode_binary(meta: dict[str, Any], schema: pa.Schema,
                   batches: Sequence[pa.RecordBatch]) -> bytes:
    if len(schema) != 1 or schema.field(0).type != pa.large_binary():
        raise WireFormatError("binary payloads travel in one large_binary column")
    pieces = []
    for batch in batches:
        col = batch.column(0)
        if col.null_count:
            raise WireFormatError("binary payloads cannot hold nulls")
        _, offsets_buf, data_buf = col.buffers()
        if len(col) == 0 or data_buf is None:
            continue
        offsets = np.frombuffer(offsets_buf, np.int64, count=len(col) + 1, offset=col.offset * 8)
        pieces.append(memoryview(data_buf)[offsets[0]:offsets[-1]])
    data = b"".join(pieces)
    if len(data) != meta.get("size"):
        raise WireFormatError("binary payload size differs from its metadata")
    return data
