"""Column control list (CCL) levels: what a party other than the owner may learn of a
column, with SCQL's names and meaning.

>>> CCLLevel.parse("plaintext_after_join")
<CCLLevel.PLAINTEXT_AFTER_JOIN: 'PLAINTEXT_AFTER_JOIN'>
"""

from __future__ import annotations

import enum


class CCLLevel(enum.Enum):
    """One party's permission on one column (value = the name as written in catalogs)."""

    PLAINTEXT = "PLAINTEXT"
    PLAINTEXT_AFTER_JOIN = "PLAINTEXT_AFTER_JOIN"
    PLAINTEXT_AS_JOIN_PAYLOAD = "PLAINTEXT_AS_JOIN_PAYLOAD"
    PLAINTEXT_AFTER_GROUP_BY = "PLAINTEXT_AFTER_GROUP_BY"
    PLAINTEXT_AFTER_COMPARE = "PLAINTEXT_AFTER_COMPARE"
    PLAINTEXT_AFTER_AGGREGATE = "PLAINTEXT_AFTER_AGGREGATE"
    REVEAL_RANK = "REVEAL_RANK"
    ENCRYPTED_ONLY = "ENCRYPTED_ONLY"

    @classmethod
    def parse(cls, text: str) -> CCLLevel:
        """The level named ``text`` (case-insensitive); ``ValueError`` if there is none."""
        if isinstance(text, str):
            try:
                return cls(text.strip().upper())
            except ValueError:
                pass
        names = ", ".join(level.value for level in cls)
        raise ValueError(f"unknown CCL level {text!r} (expected one of {names})")
