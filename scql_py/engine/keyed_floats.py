"""Float values with exact keys meeting computed ones.

A float64 value keeps its IEEE-754 key while it is only moved; a computed value has
only fixed point. Where the two become one column (UNION ALL, CASE, rows appended to a
shared table, segments of one), the computed values get the key of their fixed-point
value (``mpc.float_keys.from_fixed``), so that the stored values still open exactly
instead of every value falling back to fixed point. (Where they are compared, both are
compared in fixed point instead: see ``secure_expr.compare``.)
"""

from __future__ import annotations

from dataclasses import replace

from scql_py.engine.relation import FloatBits, SecretColumn
from scql_py.mpc import float_keys
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime


def keyed_alike(rt: Runtime, columns: list[SecretColumn]) -> list[SecretColumn]:
    """``columns`` (one float type), all with keys if any of them has one: the others'
    keys are computed from their fixed point in one batch. Unchanged otherwise."""
    if not any(c.key is not None for c in columns):
        return list(columns)
    return with_keys(rt, columns)


def with_keys(rt: Runtime, columns: list[SecretColumn]) -> list[SecretColumn]:
    """Every float column of ``columns`` with a key (computed ones from fixed point)."""
    missing = list({id(c): c for c in columns
                    if c.type.kind == "float64" and c.key is None}.values())
    if not missing:
        return list(columns)
    keys = float_keys.from_fixed(rt, AShare.concat([c.value for c in missing]))
    made, at = {}, 0
    for c in missing:
        made[id(c)] = replace(c, exact=FloatBits(keys[at:at + len(c)]))
        at += len(c)
    return [made.get(id(c), c) for c in columns]


def is_fixed_exact(value: float) -> bool:
    """Whether a double is a multiple of 2^-16 that fixed point holds exactly: compared
    with computed values it needs no key."""
    scaled = float(value) * (1 << FRAC_BITS)
    return scaled.is_integer() and abs(scaled) < 2.0**62
