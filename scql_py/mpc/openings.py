"""The kinds of values a query opens, and the record of one opening.

Every secret made plain to a party is one of these kinds. The planner lists, per step,
which kinds it will open to whom (EXPLAIN prints the list as "what each party learns");
the protocols record what they actually open (:meth:`Runtime.record_opening`), and the
executor checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

RESULT = "the result"
ROW_COUNT = "row count"  # an owner's shared rows, or the rows kept by a compaction
GROUP_COUNT = "number of groups"
GROUPS_LEFT_OUT = "number of groups under the size threshold"
SHUFFLED_COMPARISONS = "comparisons of shuffled rows"  # sort: random-looking, ties broken
KEY_UNIQUENESS = "whether a join side's keys are unique"
JOIN_MATCHES = "which of its rows match (PSI)"
# PSI: each key owner learns the other's number of distinct keys, and the multiplicity
# of the keys they have in common
DISTINCT_KEYS = "the other side's number of distinct keys and matched keys' multiplicity"
# with its result, the asker learns whether a value computed for it (a SUM, AVG, VAR,
# a quotient) left the range the ring holds, or whether a stored real it casts to a
# decimal is too near a tie to round as DuckDB does, and then gets an error
# instead of a wrapped or misrounded value: one bit for the query, a function of the
# exact values it asked for and their inputs (of the rows its result keeps, and of the
# values that decide which rows those are: engine/kept_range.py)
OUT_OF_RANGE = "whether a computed value is out of range"
# server-aided PSI: the owners learn the other's multiplicity of each matched key (not
# its number of distinct keys); the server both owners' numbers of distinct keys and
# the size of their intersection
MATCHED_MULTIPLICITY = "the other side's multiplicity of each matched key"
INTERSECTION_SIZE = ("the number of distinct keys on each side of the PSI join and in "
                     "their intersection (server-aided PSI)")

@dataclass(frozen=True)
class Opening:
    """``values`` values of kind ``what`` made plain ``to`` those parties (indices)."""

    what: str
    to: tuple[int, ...]
    values: int
