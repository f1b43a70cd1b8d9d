"""The catalog's ``group_size_threshold``: groups of fewer rows are left out of a result.

Every GROUP BY path applies it here, so that the rule (and what it opens) is one rule.
"""

from __future__ import annotations

from scql_py.mpc import compare, convert, openings, rss
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.runtime import Runtime


def leave_out_small_groups(rt: Runtime, keep: BShare, sizes: AShare | list[AShare],
                           threshold: int | None) -> tuple[BShare, int]:
    """``keep`` without the groups whose ``sizes`` (or any one of a list of them) are
    below ``threshold``, and how many kept groups that left out (opened: the result's
    message says it). ``keep`` marks the rows that are groups; no threshold changes
    nothing."""
    if not threshold:
        return keep, 0
    kept = keep
    for size in sizes if isinstance(sizes, list) else [sizes]:
        kept = and_(rt, kept, convert.bit_not(compare.less_than_public(rt, size, threshold)))
    before = convert.b2a_bit(rt, keep).sum()
    dropped = rss.reveal(rt, before - convert.b2a_bit(rt, kept).sum(),
                         what=openings.GROUPS_LEFT_OUT)
    return kept, int(dropped[0])
