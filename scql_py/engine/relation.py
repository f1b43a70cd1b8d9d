"""What a step of the executor produces: a party's view of a secret-shared relation, or
a plaintext result held by one party.

Every party holds the same structure of a secret relation (names, types, row count:
these are public) with its own shares in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from scql_py.catalog.types import SqlType
from scql_py.errors import InternalError
from scql_py.mpc.rss import AShare, BShare


@dataclass
class LocalResult:
    """A plaintext result held by ``party`` only (``table`` is None elsewhere)."""

    party: str
    table: pa.Table | None
    # (at the owner) whether an int64 SUM it computed is past range, and so NULL in table
    past_range: bool = False


@dataclass
class FloatBits:
    """A float64 value that has only been moved, compared or selected (or computed from
    such values' bits, as IEEE-754 does: :mod:`scql_py.mpc.float_parts`): its IEEE-754
    key (:mod:`scql_py.mpc.float_keys`), exact and ordered like the doubles."""

    key: AShare

    def words(self) -> list[AShare]:
        return [self.key]

    def with_words(self, words: list[AShare]) -> FloatBits:
        return FloatBits(words[0])

    def same_form(self, other) -> bool:
        return isinstance(other, FloatBits)

    def negated(self) -> FloatBits:
        return FloatBits(-self.key)  # key(-x) = -key(x)


@dataclass
class Quotient:
    """A computed quotient (AVG, ``/``, PERCENT_RANK): its dividend and divisor, in one
    scale, so that opening it can show more bits than its fixed-point value (the
    division runs then, once, for the opened rows only)."""

    dividend: AShare
    divisor: AShare

    def words(self) -> list[AShare]:
        return [self.dividend, self.divisor]

    def with_words(self, words: list[AShare]) -> Quotient:
        return Quotient(words[0], words[1])

    def same_form(self, other) -> bool:
        return isinstance(other, Quotient)

    def negated(self) -> Quotient:
        return Quotient(-self.dividend, self.divisor)


Exact = FloatBits | Quotient


@dataclass
class SecretColumn:
    """One secret column (or expression value).

    ``value``: an ``AShare`` of ring words, or for ``bool`` a ``BShare`` bit; for strings
    the shares of a keyed hash. ``null``: a ``BShare`` bit, 1 where the value is NULL,
    or None when no row is NULL. ``chars``: strings only, the packed UTF-8 bytes
    (one XOR-shared ``BShare`` per 8-byte word), to reveal and to sort.
    ``exact``: float64 only, a form of the value finer than ``value``'s fixed point
    (which arithmetic needs): the bits of a value only moved, or the terms of a
    quotient. It is what the column opens to, so every step that moves rows carries
    it; a step that computes on the value drops it.
    ``out_of_range``: a ``BShare`` bit, 1 where the value was computed out of the range
    the engine computes in (its words are then no value), or None when no row can be.
    It moves with the rows, as ``exact`` does, so that only a row the result keeps
    makes the query's error (:mod:`scql_py.engine.kept_range`); a step that computes
    on the value takes it into its own range checks.
    """

    type: SqlType
    value: AShare | BShare
    null: BShare | None = None
    chars: list[BShare] | None = None
    exact: Exact | None = None
    out_of_range: BShare | None = None

    def __post_init__(self) -> None:
        # a string without its bytes would open as '' (and pick '' in a CASE): an
        # operator that makes a string column must give it its bytes, [] if none
        if self.type.kind == "string" and self.chars is None:
            raise InternalError("a secret string column without its bytes")

    def __len__(self) -> int:
        return len(self.value)

    @property
    def key(self) -> AShare | None:
        """The exact, order-preserving float key, when the value has one."""
        return self.exact.key if isinstance(self.exact, FloatBits) else None

    def take(self, idx) -> SecretColumn:
        return SecretColumn(
            self.type, self.value[idx], None if self.null is None else self.null[idx],
            None if self.chars is None else [c[idx] for c in self.chars],
            None if self.exact is None else self.exact.with_words(
                [w[idx] for w in self.exact.words()]),
            None if self.out_of_range is None else self.out_of_range[idx])

    def shares(self) -> list[AShare | BShare]:
        """Every share of the column in a fixed order (see :meth:`rebuilt`): value, NULL
        bit (zeros when no row is NULL), exact words, string bytes, out-of-range bit (if
        any)."""
        null = self.null if self.null is not None else BShare.zeros(self.value.party, len(self))
        return [self.value, null, *(self.exact.words() if self.exact else []),
                *(self.chars or []),
                *([self.out_of_range] if self.out_of_range is not None else [])]

    def rebuilt(self, shares) -> SecretColumn:
        """A column of this one's type and form from shares in the order of
        :meth:`shares` (after a sort, a shuffle, a compaction, ...); ``shares`` may be
        an iterator, of which only this column's shares are consumed."""
        it = iter(shares)
        value, null = next(it), next(it)
        exact = None
        if self.exact is not None:
            exact = self.exact.with_words([next(it) for _ in self.exact.words()])
        chars = [next(it) for _ in self.chars] if self.chars is not None else None
        out_of_range = next(it) if self.out_of_range is not None else None
        return SecretColumn(self.type, value, null, chars, exact, out_of_range)


def common_exact(columns: list[SecretColumn]) -> Exact | None:
    """The exact form shared by all ``columns`` (a template: its words are theirs), or
    None when one of them has none or another form: then only fixed point is common."""
    first = columns[0].exact if columns else None
    if first is None or not all(first.same_form(c.exact) for c in columns):
        return None
    return first


def concat_columns(party: int, pieces: list[SecretColumn], t: SqlType) -> SecretColumn:
    """The rows of ``pieces`` (columns of type ``t``) one after another; string bytes are
    padded to the widest piece, the exact form kept if every piece has it, the
    out-of-range bits if any piece has them."""
    value = type(pieces[0].value).concat([p.value for p in pieces])
    null = None
    if any(p.null is not None for p in pieces):
        null = BShare.concat([p.null if p.null is not None else BShare.zeros(party, len(p))
                              for p in pieces])
    chars = None
    if t.kind == "string":
        width = max(len(p.chars or []) for p in pieces)
        chars = [BShare.concat([p.chars[k] if p.chars and k < len(p.chars)
                                else BShare.zeros(party, len(p)) for p in pieces])
                 for k in range(width)]
    exact = common_exact(pieces)
    if exact is not None:
        words = [p.exact.words() for p in pieces]
        exact = exact.with_words([AShare.concat([w[k] for w in words])
                                  for k in range(len(words[0]))])
    out_of_range = None
    if any(p.out_of_range is not None for p in pieces):
        out_of_range = BShare.concat([p.out_of_range if p.out_of_range is not None
                                      else BShare.zeros(party, len(p)) for p in pieces])
    return SecretColumn(t, value, null, chars, exact, out_of_range)


def concat_validity(party: int, parts: list[SecretRelation]) -> BShare | None:
    """The validity bits of ``parts`` one after another (a part without any: all
    valid), or None when no part has any."""
    if all(r.valid is None for r in parts):
        return None
    return BShare.concat([r.valid if r.valid is not None
                          else BShare.public(party, np.ones(r.n, np.uint64)) for r in parts])


def null_column(party: int, like: SecretColumn, n: int) -> SecretColumn:
    """``n`` NULLs of ``like``'s type and form (zero words, the same string width)."""
    value = (BShare.zeros(party, n) if isinstance(like.value, BShare)
             else AShare.zeros(party, n))
    chars = None if like.chars is None else [BShare.zeros(party, n) for _ in like.chars]
    exact = None
    if like.exact is not None:
        exact = like.exact.with_words([AShare.zeros(party, n) for _ in like.exact.words()])
    return SecretColumn(like.type, value, BShare.public(party, np.ones(n, np.uint64)),
                        chars, exact)


@dataclass
class Const:
    """A public value (a literal): the same on every row. ``value`` None is NULL."""

    type: SqlType
    value: Any


@dataclass
class SecretRelation:
    """Rows of secret columns; ``valid`` is a secret bit per row (None: all rows valid).

    ``own_rows``: this party's own plaintext columns of these rows, in this order, when
    it has them (after a PSI join each key owner knows which of its rows are where);
    it lets that owner group by its own columns without an oblivious sort.
    """

    n: int
    names: list[str]
    columns: list[SecretColumn]
    valid: BShare | None = None
    own_rows: Any = None  # pyarrow.Table | None

    def column(self, name: str) -> SecretColumn:
        return self.columns[self.names.index(name)]

    def take(self, idx) -> SecretRelation:
        cols = [c.take(idx) for c in self.columns]
        n = len(np.arange(self.n)[idx])
        valid = None if self.valid is None else self.valid[idx]
        return SecretRelation(n, list(self.names), cols, valid)
