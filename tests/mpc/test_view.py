"""What a party sees: during a comparison (and the other protocols that open nothing),
every received byte should look uniformly random whatever the inputs, and two runs on
the same inputs should show different bytes."""

from __future__ import annotations

import numpy as np
import pytest

from scql_py.mpc import compare, convert, equality, rss
from scql_py.mpc.exact_shift import floor_shift
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


def _mul(rt, xs, ys):
    return rss.mul(rt, xs, ys)


def _dot(rt, xs, ys):
    # rows of xs as a 100-column matrix, each column of which is dotted with 100 vectors
    # taken from ys: 10,000 reshared words
    k, rows = 100, len(xs) // 100
    vectors = [ys[j * rows:(j + 1) * rows] for j in range(100)]
    return rss.dot_columns(rt, xs[: rows * k], k, vectors)


def _floor_shift(rt, xs, ys):  # the range checks' exact split (sum_range)
    return floor_shift(rt, xs - ys, 32)


PROTOCOLS = [_bit_of_lt, _eq, _b2a_of_lt, _a2b, _mul, _dot, _floor_shift]
# inputs chosen to be as structured as possible: zeros, equal values, tiny values
INPUTS = {
    "zeros": (np.zeros(N, np.int64), np.zeros(N, np.int64)),
    "equal": (np.arange(N, dtype=np.int64), np.arange(N, dtype=np.int64)),
    "small": (np.arange(N, dtype=np.int64) % 3, np.ones(N, np.int64)),
}


def _assert_uniform_bytes(arr: np.ndarray, where: str) -> None:
    counts = np.bincount(arr, minlength=256).astype(float)
    expected = len(arr) / 256
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    # chi-square with 255 degrees of freedom: mean 255, sd ~22.6; 8 sd is p < 1e-9
    assert chi2 < 255 + 8 * 22.6, f"{where}: byte frequencies far from uniform (chi2={chi2:.0f})"
    bits = np.unpackbits(arr).reshape(-1, 8).mean(axis=0)
    sd = 0.5 / np.sqrt(len(arr))
    assert np.all(np.abs(bits - 0.5) < 8 * sd), f"{where}: bit frequencies {bits}"


def _assert_uniform(data: bytes) -> None:
    """Uniform bytes, pooled and at each byte position of the 64-bit words: a bias in
    one position (the low byte of a product without its zero share) hides when pooled."""
    arr = np.frombuffer(data, dtype=np.uint8)
    assert len(arr) > 50000
    _assert_uniform_bytes(arr, "all bytes")
    if len(arr) % 8 == 0:
        words = arr.reshape(-1, 8)
        for j in range(8):
            _assert_uniform_bytes(np.ascontiguousarray(words[:, j]), f"byte {j} of each word")


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


def test_only_the_asker_receives_during_the_final_reveal():
    net = InProcessNetwork(["p0", "p1", "p2"], timeout=60, record=True)
    x = np.arange(1000, dtype=np.int64)

    def body(i: int) -> int:
        rt = Runtime(net.communicator(i))
        xs = rss.share_input(rt, 0, x if i == 0 else None, len(x))
        before = len(rt.comm.received)
        rss.reveal(rt, xs, to=2, what="the result")
        return len(rt.comm.received) - before

    assert net.run(body) == [0, 0, 1]


def _modular_inverse(y: np.ndarray) -> np.ndarray:
    """Inverses modulo 2^64 of odd words (Newton: each step doubles the correct bits)."""
    inv = y.copy()
    for _ in range(6):
        inv = inv * (np.uint64(2) - y * inv)
    return inv


@pytest.mark.parametrize("protocol", ["mul", "dot_columns"])
def test_the_zero_share_hides_the_cross_terms(protocol):
    """Party 0 attacks what it receives: with y = 0 it knows y_2 = -(y_0 + y_1), so the
    word z_1 from party 1 gives x_2 * y_1 unless the zero share masks it, and then x.
    The attack must fail on (almost) every row."""
    n = 4000
    x = np.random.default_rng(1).integers(0, 2**62, n, dtype=np.int64)
    net = InProcessNetwork(["p0", "p1", "p2"], timeout=60, record=True)

    def body(i: int):
        rt = Runtime(net.communicator(i))
        if protocol == "mul":
            xs = rss.share_input(rt, 0, x if i == 0 else None, n)
            ys = rss.share_input(rt, 1, np.zeros(n, np.int64) if i == 1 else None, n)
        else:  # one row: a 1 x n matrix (x) times 16 one-row vectors (0)
            xs = rss.share_input(rt, 0, x if i == 0 else None, n)
            ys = rss.share_input(rt, 1, np.zeros(16, np.int64) if i == 1 else None, 16)
        before = len(rt.comm.received)
        if protocol == "mul":
            rss.mul(rt, xs, ys)
        else:
            rss.dot_columns(rt, xs, n, [ys[j:j + 1] for j in range(16)])
        if i != 0:
            return None
        (z1,) = [p for frm, p in rt.comm.received[before:] if frm == 1]
        return xs.a, xs.b, ys.a, ys.b, np.asarray(z1, dtype=np.uint64)

    x0, x1, y0, y1, z1 = net.run(body)[0]
    y2 = -(y0 + y1)
    if protocol == "mul":
        d = z1 - x1 * y1 - x1 * y2
        y_1 = y1
    else:  # the first vector whose y_1 is odd (all 16 even: probability 2^-16)
        j = int(np.argmax((y1 & np.uint64(1)) == 1))
        d = z1[j * n:(j + 1) * n] - x1 * y1[j] - x1 * y2[j]
        y_1 = np.full(n, y1[j], np.uint64)
    odd = (y_1 & np.uint64(1)) == 1
    if not odd.any():
        pytest.skip("y_1 even on every row (probability 2^-n for mul)")
    x2 = d[odd] * _modular_inverse(y_1[odd])
    recovered = (x0[odd] + x1[odd] + x2).view(np.int64)
    assert np.mean(recovered == x[odd]) < 0.01
