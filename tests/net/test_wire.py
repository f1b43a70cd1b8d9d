"""Payload encoding for the network: exact round trips, and refusal of malformed input."""

from __future__ import annotations

import json

import hypothesis.extra.numpy as hnp
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.net.channel import payload_size
from scql_py.net.wire import META_KEY, WireFormatError, decode, encode

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
          np.uint64, np.float32, np.float64]

arrays = st.sampled_from(DTYPES).flatmap(
    lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7)))
chunk_sizes = st.sampled_from([1, 8, 24, 1000, 4 << 20])


def assert_same_array(got: np.ndarray, want: np.ndarray) -> None:
    assert isinstance(got, np.ndarray)
    assert got.dtype == want.dtype.newbyteorder("=")
    assert got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f")


@settings(max_examples=150, deadline=None)
@given(arr=arrays, chunk=chunk_sizes)
def test_array_round_trip_keeps_dtype_shape_values_and_size(arr, chunk):
    got = decode(*encode(arr, chunk))
    assert_same_array(got, arr)
    assert payload_size(got) == payload_size(arr)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(arrays, min_size=1, max_size=5), chunk=chunk_sizes,
       container=st.sampled_from([list, tuple]))
def test_array_lists_round_trip_with_their_container(parts, chunk, container):
    payload = container(parts)
    got = decode(*encode(payload, chunk))
    assert type(got) is container and len(got) == len(parts)
    for g, want in zip(got, parts, strict=True):
        assert_same_array(g, want)
    assert payload_size(got) == payload_size(payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20)


@settings(max_examples=100, deadline=None)
@given(value=json_values, chunk=chunk_sizes)
def test_json_objects_round_trip(value, chunk):
    got = decode(*encode(value, chunk))
    assert got == value
    assert payload_size(got) == payload_size(value)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=300), chunk=chunk_sizes)
def test_bytes_round_trip(data, chunk):
    assert decode(*encode(data, chunk)) == data
    assert decode(*encode(bytearray(data), chunk)) == data


def test_big_array_is_cut_into_bounded_batches():
    x = np.random.default_rng(1).integers(0, 2**64, 300_001, dtype=np.uint64, endpoint=False)
    schema, batches = encode(x, chunk_bytes=64 << 10)
    assert len(batches) == -(-x.nbytes // (64 << 10))
    assert max(b.nbytes for b in batches) <= (64 << 10) + 64
    assert_same_array(decode(schema, batches), x)


def test_one_chunk_decodes_without_copy_and_read_only():
    x = np.arange(1000, dtype=np.uint64)
    schema, batches = encode(x)
    got = decode(schema, batches)
    assert not got.flags.writeable  # a view of the received buffer, like in-process sends
    assert np.shares_memory(got, x)  # here the "received" buffer is the sent one


@pytest.mark.parametrize("payload", [
    np.array(["a", "b"]), np.array([object()], dtype=object), np.zeros(2, np.complex128),
    {1, 2}, object(), {"a": np.zeros(2)}, [np.zeros(2), 3], np.datetime64("2020-01-01"),
])
def test_payloads_that_cannot_travel_are_refused_at_the_sender(payload):
    with pytest.raises(TypeError):
        encode(payload)


def _with_meta(schema: pa.Schema, batches, **changes):
    meta = json.loads(schema.metadata[META_KEY])
    meta.update(changes)
    return schema.with_metadata({META_KEY: json.dumps(meta)}), batches


def _array_message():
    return encode(np.arange(10, dtype=np.uint64).reshape(2, 5))


@pytest.mark.parametrize("tamper", [
    lambda s, b: _with_meta(s, b, kind="pickle"),
    lambda s, b: _with_meta(s, b, v=99),
    lambda s, b: _with_meta(s, b, parts=[{"dtype": "|O", "shape": [10]}]),
    lambda s, b: _with_meta(s, b, parts=[{"dtype": "<u8", "shape": [11]}]),
    lambda s, b: _with_meta(s, b, parts=[{"dtype": "<u8", "shape": [10**6, 10**6]}]),
    lambda s, b: _with_meta(s, b, parts=[{"dtype": "<u8", "shape": [-2, -5]}]),
    lambda s, b: _with_meta(s, b, parts=[{"dtype": "<u8", "shape": "10"}]),
    lambda s, b: _with_meta(s, b, parts=[{"dtype": "<i4", "shape": [10]}]),
    lambda s, b: _with_meta(s, b, parts=[]),
    lambda s, b: _with_meta(s, b, parts=[["<u8", [10]]]),
    lambda s, b: (s.with_metadata({}), b),
    lambda s, b: (s.with_metadata({META_KEY: b"{not json"}), b),
    lambda s, b: (s.with_metadata({META_KEY: b"[1, 2]"}), b),
    lambda s, b: _with_meta(s, b, kind="bytes", size=80),
    lambda s, b: _with_meta(s, b, kind="json", size=80),
])
def test_tampered_array_messages_are_refused(tamper):
    schema, batches = tamper(*_array_message())
    with pytest.raises(WireFormatError):
        decode(schema, batches)


def test_nulls_and_foreign_schemas_are_refused():
    schema, _ = encode(np.arange(3, dtype=np.uint64))
    with_null = pa.record_batch(
        [pa.array([[1, 2, 3], None], pa.large_list(pa.uint64()))],
        schema=schema.remove_metadata())
    with pytest.raises(WireFormatError):
        decode(schema, [with_null])
    null_value = pa.record_batch(
        [pa.array([[1, None, 3]], pa.large_list(pa.uint64()))], schema=schema.remove_metadata())
    with pytest.raises(WireFormatError):
        decode(schema, [null_value])
    other = pa.record_batch([pa.array([1, 2, 3], pa.uint64())], names=["a0"])
    with pytest.raises(WireFormatError):
        decode(schema, [other])


def test_tampered_binary_messages_are_refused():
    schema, batches = encode(b"hello")
    with pytest.raises(WireFormatError):
        decode(*_with_meta(schema, batches, size=6))
    schema, batches = encode({"a": 1})
    bad_text = encode(b"\xff\xfe{")[1]
    with pytest.raises(WireFormatError):
        decode(*_with_meta(schema, bad_text, size=3))
    deep = encode(b"[" * 100_000 + b"]" * 100_000)[1]
    with pytest.raises(WireFormatError):
        decode(*_with_meta(schema, deep, size=200_000))
