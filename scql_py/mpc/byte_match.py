"""LIKE patterns with constant text on secret strings: prefix, suffix, contains, equal.

A secret string is its UTF-8 bytes packed little-endian into XOR-shared 64-bit words,
zero padded to a public width (engine/encoding.py); it holds no NUL byte, so its
length is the position of its first zero byte. Moving bytes to other positions is
local (shifts and masks are linear over XOR), so every test below is a zero test of
public-offset windows XORed with the pattern's bytes, batched:

- ``starts_with``: the first ``k`` bytes equal the literal;
- ``equals``: the first ``k + 1`` bytes equal the literal and a zero byte;
- ``ends_with``: for each end ``L`` the ``k`` bytes before ``L`` equal the literal and
  byte ``L`` is zero (or ``L`` is the width). Only ``L`` = the string's length can
  pass both (the literal has no zero byte), so the XOR of the tests is their OR;
- ``contains``: the OR, by an AND tree, of the windows at every offset.

Zero tests OR the words together (one AND round per halving), then the bits (6
rounds). Nothing is opened; the cost is public (the width and the literal's length).
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import convert, rss
from scql_py.mpc.rss import BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_BYTE = U64(0xFF)


def _byte(words: list[BShare], i: int) -> BShare:
    """Byte ``i`` of the packed string, in the low byte of a word (local)."""
    return (words[i // 8] >> (8 * (i % 8))).and_public(_BYTE)


def _window(words: list[BShare], start: int, pattern: bytes, n: int, party: int
            ) -> list[BShare]:
    """The bytes ``start .. start + len(pattern) - 1`` XOR ``pattern``, packed (local);
    all zero iff they equal the pattern."""
    out = []
    for first in range(0, len(pattern), 8):
        chunk = pattern[first:first + 8]
        word = BShare.zeros(party, n)
        for j in range(len(chunk)):
            word = word ^ (_byte(words, start + first + j) << (8 * j))
        literal = int.from_bytes(chunk, "little")
        out.append(word.xor_public(U64(literal)))
    return out


def _or(rt: Runtime, x: BShare, y: BShare) -> BShare:
    return x ^ y ^ rss.and_(rt, x, y)


def zero_tests(rt: Runtime, tests: list[list[BShare]]) -> list[BShare]:
    """For each test (a list of words of ``n`` rows), the bit "every word is 0"."""
    n = len(tests[0][0])
    width = max(len(t) for t in tests)
    zero = BShare.zeros(rt.party, n)
    columns = [BShare.concat([t[i] if i < len(t) else zero for t in tests])
               for i in range(width)]
    while len(columns) > 1:  # OR the words of every test pairwise, all tests at once
        pairs = len(columns) // 2
        left = BShare.concat(columns[:pairs])
        right = BShare.concat(columns[pairs:2 * pairs])
        merged = _or(rt, left, right)
        size = len(columns[0])
        columns = [merged[i * size:(i + 1) * size] for i in range(pairs)] + columns[2 * pairs:]
    word = columns[0]
    for s in (32, 16, 8, 4, 2, 1):  # OR of the 64 bits into bit 0
        word = _or(rt, word, word >> s)
    nonzero = word.and_public(U64(1))
    bits = convert.bit_not(nonzero)
    return [bits[i * n:(i + 1) * n] for i in range(len(tests))]


def _never(rt: Runtime, n: int) -> BShare:
    return BShare.zeros(rt.party, n)


def starts_with(rt: Runtime, words: list[BShare], prefix: bytes, n: int) -> BShare:
    if not prefix:
        return convert.bit_not(_never(rt, n))
    if len(prefix) > 8 * len(words):
        return _never(rt, n)
    return zero_tests(rt, [_window(words, 0, prefix, n, rt.party)])[0]


def equals(rt: Runtime, words: list[BShare], text: bytes, n: int) -> BShare:
    if len(text) > 8 * len(words):
        return _never(rt, n)
    if len(text) == 8 * len(words):
        return starts_with(rt, words, text, n) if text else convert.bit_not(_never(rt, n))
    return zero_tests(rt, [_window(words, 0, text + b"\0", n, rt.party)])[0]


def ends_with(rt: Runtime, words: list[BShare], suffix: bytes, n: int,
              min_length: int = 0) -> BShare:
    """The string ends with ``suffix`` and is at least ``min_length`` bytes long."""
    size = 8 * len(words)
    ends = range(max(len(suffix), min_length), size + 1)
    if not suffix:
        raise ValueError("an empty suffix is a prefix test")
    if not ends:
        return _never(rt, n)
    tests = []
    for end in ends:
        test = _window(words, end - len(suffix), suffix, n, rt.party)
        if end < size:
            test.append(_byte(words, end))
        tests.append(test)
    result = _never(rt, n)
    for bit in zero_tests(rt, tests):
        result = result ^ bit
    return result


def contains(rt: Runtime, words: list[BShare], text: bytes, n: int) -> BShare:
    size = 8 * len(words)
    if not text:
        return convert.bit_not(_never(rt, n))
    if len(text) > size:
        return _never(rt, n)
    found = zero_tests(rt, [_window(words, start, text, n, rt.party)
                            for start in range(size - len(text) + 1)])
    missing = [convert.bit_not(b) for b in found]
    while len(missing) > 1:  # AND of "not found here" over every offset
        pairs = len(missing) // 2
        both = convert.bit_and(rt, BShare.concat(missing[:pairs]),
                               BShare.concat(missing[pairs:2 * pairs]))
        missing = [both[i * n:(i + 1) * n] for i in range(pairs)] + missing[2 * pairs:]
    return convert.bit_not(missing[0])


__all__ = ["contains", "ends_with", "equals", "starts_with", "zero_tests"]
