"""What a party sees: during a comparison (and the other protocols that open nothing),
every received byte should look uniformly random whatever the inputs, and two runs on
the same inputs should show different bytes."""

from __future__ import annotations

import numpy as np
import pytest

from scql_py.mpc import compare, convert, equality, rss
from scql_py.mpc.runtime import Runtime
from scql_py.net.inprocess import InProcessNetwork

N = 20000


def _received_bytes(protocol, x: np.ndarray, y: np.ndarray) -> list[bytes]:
    """Run ``protocol(rt, X, Y)`` on three threads; return, per party, the bytes it
    received during the protocol (input sharing excluded)."""
    net = InProcessNetwork(["p0", "p1", "p2"], timeout=60, record=True)

    def body(i: int) -> int:
        rt = Runtime(net.communicator(i))
        xs = rss.share_input(rt, 0, x if i == 0 else None, len(x))
        ys = rss.share_input(rt, 1, y if i == 1 else None, len(y))
        shared = len(rt.comm.received)
        protocol(rt, xs, ys)
        return shared

    skip = net.run(body)
    return [b"".join(np.ascontiguousarray(p).tobytes()
                     for _, p in net.communicator(i).received[skip[i]:]) for i in range(3)]


def _bit_of_lt(rt, xs, ys):
    return compare.less_than(rt, xs, ys)


def _eq(rt, xs, ys):
    return equality.equal(rt, xs, ys)


def _b2a_of_lt(rt, xs, ys):
    return convert.b2a_bit(rt, compare.less_than(rt, xs, ys))


def _a2b(rt, xs, ys):
    return convert.a2b(rt, xs - ys)


PROTOCOLS = [_bit_of_lt, _eq, _b2a_of_lt, _a2b]
# inputs chosen to be as structured as possible: zeros, equal values, tiny values
INPUTS = {
    "zeros": (np.zeros(N, np.int64), np.zeros(N, np.int64)),
    "equal": (np.arange(N, dtype=np.int64), np.arange(N, dtype=np.int64)),
    "small": (np.arange(N, dtype=np.int64) % 3, np.ones(N, np.int64)),
}


def _assert_uniform(data: bytes) -> None:
    arr = np.frombuffer(data, dtype=np.uint8)
    assert len(arr) > 50000
    counts = np.bincount(arr, minlength=256).astype(float)
    expected = len(arr) / 256
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    # chi-square with 255 degrees of freedom: mean 255, sd ~22.6; 8 sd is p < 1e-9
    assert chi2 < 255 + 8 * 22.6, f"byte frequencies far from uniform (chi2={chi2:.0f})"
    bits = np.unpackbits(arr).reshape(-1, 8).mean(axis=0)
    sd = 0.5 / np.sqrt(len(arr))
    assert np.all(np.abs(bits - 0.5) < 8 * sd), f"bit frequencies {bits}"


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("inputs", list(INPUTS), ids=str)
def test_received_bytes_look_uniform(protocol, inputs):
    x, y = INPUTS[inputs]
    for party_view in _received_bytes(protocol, x, y):
        _assert_uniform(party_view)


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda f: f.__name__.strip("_"))
def test_two_runs_on_the_same_data_look_different(protocol):
    x, y = INPUTS["equal"]
    first = _received_bytes(protocol, x, y)
    second = _received_bytes(protocol, x, y)
    for a, b in zip(first, second):
        assert len(a) == len(b)
        same = np.mean(np.frombuffer(a, np.uint8) == np.frombuffer(b, np.uint8))
        assert same < 0.01  # about 1/256 by chance
