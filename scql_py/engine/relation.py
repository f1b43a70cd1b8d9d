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
from scql_py.mpc.rss import AShare, BShare


@dataclass
class LocalResult:
    """A plaintext result held by ``party`` only (``table`` is None elsewhere)."""

    party: str
    table: pa.Table | None


@dataclass
class SecretColumn:
    """One secret column (or expression value).

    ``value``: an ``AShare`` of ring words, or for ``bool`` a ``BShare`` bit; for strings
    the shares of a keyed hash. ``null``: a ``BShare`` bit, 1 where the value is NULL,
    or None when no row is NULL. ``chars``: strings only, the packed UTF-8 bytes
    (one XOR-shared ``BShare`` per 8-byte word), to reveal and to sort.
    """

    type: SqlType
    value: AShare | BShare
    null: BShare | None = None
    chars: list[BShare] | None = None

    def __len__(self) -> int:
        return len(self.value)

    def take(self, idx) -> SecretColumn:
        return SecretColumn(
            self.type, self.value[idx], None if self.null is None else self.null[idx],
            None if self.chars is None else [c[idx] for c in self.chars],
        )


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
