"""Any LIKE-style pattern on secret UTF-8 strings, by running its automaton on the bytes.

A secret string is its UTF-8 bytes packed little-endian into XOR-shared 64-bit words,
zero padded to a public width (engine/encoding.py; no NUL byte inside). A pattern is a
list of tokens:

- ``ANY_CHARS`` (``%``): any sequence of characters;
- ``ONE_CHAR`` (``_``): exactly one character, i.e. one UTF-8 lead byte and the
  continuation bytes (``10xxxxxx``) after it;
- a tuple of byte strings: one character written in any of these encodings (a
  literal, or its case variants for ILIKE).

The pattern becomes a nondeterministic automaton over bytes whose states are the bits of
one secret word per row (at most 64 states). Every transition goes from a state to one
at or after it: a step over byte ``i`` is ``S' = XOR_d ((S << d) AND M_d[i])``, where
``M_d[i]`` has bit ``t`` set when the edge ``t - d -> t`` accepts byte ``i``. The
edges into a state accept disjoint sets of bytes (checked when the automaton is built),
so the XOR of the terms is their OR. ``%`` states are also entered without a byte (an
OR with the state before, one more AND). The byte tests are zero tests of
``(byte & mask) ^ value`` for every byte at once (3 rounds for all). No transition
other than into the ``END`` state takes a NUL byte, so after the string every state but
``END`` is empty: the match is bit ``final`` XOR bit ``END`` after the last byte, with
no further round.

Rounds: 3 + (1 or 2) per byte of the public width; nothing is opened; the cost depends
only on the width and the pattern.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scql_py.mpc import rss
from scql_py.mpc.rss import BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
ANY_CHARS = "%"
ONE_CHAR = "_"
MAX_STATES = 64
Token = str | tuple[bytes, ...]


class PatternTooLong(ValueError):
    """The pattern's automaton needs more than :data:`MAX_STATES` states."""


@dataclass(frozen=True)
class _Test:
    """Byte ``b`` passes when ``(b & mask) == value`` (or fails it, ``negated``)."""

    mask: int
    value: int
    negated: bool = False

    def accepts(self) -> frozenset[int]:
        return frozenset(b for b in range(256) if ((b & self.mask) == self.value) != self.negated)


_ZERO = _Test(0xFF, 0x00)
_NONZERO = _Test(0xFF, 0x00, negated=True)
_CONTINUATION = _Test(0xC0, 0x80)
# a character's first byte: not NUL and not a continuation byte; as the continuation
# bytes are non-zero, its bit is "non-zero" XOR "continuation" (no AND)
_LEAD = "lead"


def _accepts(test: _Test | str) -> frozenset[int]:
    if test == _LEAD:
        return _NONZERO.accepts() - _CONTINUATION.accepts()
    return test.accepts()


@dataclass
class Automaton:
    """States 0 (start) .. ``final``, then ``end`` (the string is over); ``edges``:
    ``(source, target, test)``, a byte moves along an edge when it passes its test;
    ``spontaneous``: the ``%`` states, also entered from the state before them without a
    byte."""

    edges: list[tuple[int, int, _Test | str]] = field(default_factory=list)
    spontaneous: list[int] = field(default_factory=list)
    final: int = 0

    @property
    def end(self) -> int:
        return self.final + 1

    def start(self) -> int:
        """The states active before any byte: the start, and a ``%`` right after it."""
        return 0b11 if 1 in self.spontaneous else 0b1


def build(tokens: list[Token]) -> Automaton:
    """The automaton of ``tokens`` (module doc)."""
    auto = Automaton()
    edges = auto.edges
    state = 0
    previous: Token | None = None
    for token in tokens:
        if token == ANY_CHARS:
            if previous != ANY_CHARS:  # '%%' is '%'
                state += 1
                auto.spontaneous.append(state)
                edges.append((state, state, _NONZERO))
        elif token == ONE_CHAR:
            state += 1
            edges += [(state - 1, state, _LEAD), (state, state, _CONTINUATION)]
        else:
            state = _add_character(edges, state, token)
        previous = token
    auto.final = state
    # the string's first NUL (its end), then the padding; no other edge takes a NUL
    edges += [(state, auto.end, _ZERO), (auto.end, auto.end, _ZERO)]
    if auto.end >= MAX_STATES:
        raise PatternTooLong(f"{auto.end + 1} states")
    _check_disjoint(auto)
    return auto


def _add_character(edges: list, source: int, encodings: tuple[bytes, ...]) -> int:
    """The edges of one character in any of ``encodings`` (at most one of several
    bytes: its bytes go through states of their own); returns the state after it."""
    longer = [e for e in encodings if len(e) > 1]
    if len(longer) > 1:
        raise ValueError("a character with two encodings of several bytes")
    target = source + max(len(e) for e in encodings)
    singles = sorted({e[0] for e in encodings if len(e) == 1})
    while singles:
        b = singles.pop(0)
        if b ^ 0x20 in singles:  # a letter and its other case: one test
            singles.remove(b ^ 0x20)
            edges.append((source, target, _Test(0xDF, b & 0xDF)))
        else:
            edges.append((source, target, _Test(0xFF, b)))
    for encoding in longer:
        for k, byte in enumerate(encoding):
            edges.append((source + k, source + k + 1, _Test(0xFF, byte)))
    return target


def _check_disjoint(auto: Automaton) -> None:
    """The XOR of a state's incoming terms is their OR only if no byte passes two edges
    into it. (``end``'s two edges both take NUL, but ``final`` and ``end`` are never
    live at once: ``end`` is live only after a NUL, and no edge into ``final`` takes
    one.)"""
    into: dict[int, frozenset[int]] = {}
    for _, target, test in auto.edges:
        if target == auto.end:
            continue
        accepted = _accepts(test)
        if into.get(target, frozenset()) & accepted:
            raise ValueError(f"edges into state {target} take a common byte")
        into[target] = into.get(target, frozenset()) | accepted


def _byte_tests(
    rt: Runtime, words: list[BShare], tests: list[_Test], n: int
) -> dict[_Test | str, list[BShare]]:
    """Per test, per byte position ``i``: the bit "byte ``i`` passes", in bit 0 of a
    word per row (3 rounds for all)."""
    width = len(words)
    masked = []
    for t in tests:
        mask = U64(int.from_bytes(bytes([t.mask]) * 8, "little"))
        value = U64(int.from_bytes(bytes([t.value]) * 8, "little"))
        masked += [w.and_public(mask).xor_public(value) for w in words]
    x = BShare.concat(masked)
    # OR the 8 bits of every byte into its lowest bit, all bytes of a word at once
    for s in (4, 2, 1):
        x = x ^ (x >> s) ^ rss.and_(rt, x, x >> s)
    out: dict[_Test | str, list[BShare]] = {}
    for k, t in enumerate(tests):
        bits = []
        for i in range(8 * width):
            at = (k * width + i // 8) * n
            nonzero = (x[at : at + n] >> (8 * (i % 8))).and_public(U64(1))
            bits.append(nonzero if t.negated else nonzero.xor_public(U64(1)))
        out[t] = bits
    return out


def match(rt: Runtime, words: list[BShare], tokens: list[Token], n: int) -> BShare:
    """The secret bit "the string matches ``tokens``" for ``n`` packed strings of
    ``len(words)`` words (module doc)."""
    auto = build(tokens)
    if not words:  # a column of empty strings (and NULLs) only: no byte to read
        match = matches_plain(b"", tokens)
        return BShare.public(rt.party, np.full(n, int(match), np.uint64))
    tests = sorted(
        {t for _, _, t in auto.edges if t != _LEAD} | {_NONZERO, _CONTINUATION},
        key=lambda t: (t.mask, t.value, t.negated),
    )
    passed = _byte_tests(rt, words, tests, n)
    passed[_LEAD] = [z ^ c for z, c in zip(passed[_NONZERO], passed[_CONTINUATION])]
    shifts = sorted({target - source for source, target, _ in auto.edges})
    spontaneous = U64(sum(1 << s for s in auto.spontaneous))
    state = BShare.public(rt.party, np.full(n, auto.start(), np.uint64))
    for i in range(8 * len(words)):
        # M_d: bit t set where the edge t - d -> t takes byte i (local)
        masks = {d: BShare.zeros(rt.party, n) for d in shifts}
        for source, target, test in auto.edges:
            masks[target - source] = masks[target - source] ^ (passed[test][i] << target)
        terms = rss.and_many(rt, [(state << d, masks[d]) for d in shifts])
        state = terms[0]
        for term in terms[1:]:
            state = state ^ term
        if auto.spontaneous:
            entered = (state << 1).and_public(spontaneous)
            state = state ^ entered ^ rss.and_(rt, state, entered)
    return ((state >> auto.final) ^ (state >> auto.end)).and_public(U64(1))


def matches_plain(text: bytes, tokens: list[Token]) -> bool:
    """The same automaton on a public string (a constant operand)."""
    auto = build(tokens)
    accepted = {test: _accepts(test) for _, _, test in auto.edges}
    state = auto.start()
    for byte in text + b"\0":
        nxt = 0
        for source, target, test in auto.edges:
            if state >> source & 1 and byte in accepted[test]:
                nxt |= 1 << target
        for s in auto.spontaneous:
            nxt |= (nxt >> (s - 1) & 1) << s
        state = nxt
    return bool(state >> auto.end & 1)


__all__ = [
    "ANY_CHARS",
    "MAX_STATES",
    "ONE_CHAR",
    "PatternTooLong",
    "Token",
    "build",
    "match",
    "matches_plain",
]
