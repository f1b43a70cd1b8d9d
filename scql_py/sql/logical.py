"""Logical plan: a small tree of relational operators over named columns.

Expressions inside nodes are sqlglot expressions whose column references are bare
names of the child's output columns (no table qualifiers): every node has exactly one
input relation, except :class:`UnionAll`.

>>> scan = Scan(table="t", party="alice", columns=["x"], types=[INT64])
>>> Filter(scan, exp.condition("x > 1")).columns
['x']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from scql_py.catalog.types import INT64, SqlType
from scql_py.sql.window_frames import Frame


@dataclass
class Node:
    """Base of logical nodes: ordered output ``columns`` and their ``types``."""

    @property
    def children(self) -> list[Node]:
        return []

    @property
    def owner(self) -> str | None:
        """The single party whose data this subtree reads, or None if several do."""
        owners = {c.owner for c in self.children}
        return owners.pop() if len(owners) == 1 else None


@dataclass
class RowsKept(Node):
    """A node whose output has exactly its child's columns (Filter, Sort, Limit)."""

    child: Node

    @property
    def children(self) -> list[Node]:
        return [self.child]

    @property
    def columns(self) -> list[str]:
        return self.child.columns

    @property
    def types(self) -> list[SqlType]:
        return self.child.types


@dataclass
class Scan(Node):
    """Read ``columns`` of a catalog table; runs at its owner ``party``."""

    table: str
    party: str
    columns: list[str]
    types: list[SqlType]
    shared: bool = False  # stored as shares at every party: no owner runs anything

    @property
    def owner(self) -> str | None:
        return None if self.shared else self.party


@dataclass
class Filter(RowsKept):
    """Rows of the child where ``predicate`` is true.

    ``secret_rows``: which rows pass is opened to nobody, not even as a count (the
    planner's own filters, such as the deduplication of a semi-join): the filter runs
    under MPC with a secret validity bit per row, and a join consumes the rows before
    anything compacts them.
    """

    predicate: exp.Expression
    secret_rows: bool = False


@dataclass
class Project(Node):
    child: Node
    exprs: list[tuple[str, exp.Expression, SqlType]]

    @property
    def children(self) -> list[Node]:
        return [self.child]

    @property
    def columns(self) -> list[str]:
        return [name for name, _, _ in self.exprs]

    @property
    def types(self) -> list[SqlType]:
        return [t for _, _, t in self.exprs]


# aggregates every party can pre-aggregate on its own rows and merge (rewrite)
MERGEABLE = ("count", "sum", "avg", "min", "max")
# An owner's partial SUM of int64 (rewrite.partial_aggregates, without GROUP BY) is
# shared as the exact halves of its exact sum S (in the column EXACT_SUM names: a
# HUGEINT at the owner, which may be past int64 where the total is not): S % 2^32, and
# S DIV 2^32 in the column HIGH_HALF names; the aggregate ``sum_halves`` merges them
# under MPC, with the total's range checked from the halves (mpc/sum_range.py)
HIGH_HALF = "__high"
EXACT_SUM = "__exact"


def sorts_by_argument(func: str, distinct: bool) -> bool:
    """Whether an aggregate (as a plan step lists it) needs its rows sorted by its
    argument under MPC: COUNT/SUM/AVG(DISTINCT x) count runs of equal values, the
    percentiles pick by rank. Without GROUP BY such an aggregate sorts (and compacts)."""
    return distinct or func.startswith("percentile_")


@dataclass
class AggCall:
    """One aggregate: ``func`` in count/sum/avg/min/max, var_pop/var_samp/stddev_pop/
    stddev_samp, or ``percentile_disc:<p>`` / ``percentile_cont:<p>`` (MEDIAN is
    ``percentile_cont:0.5``); ``arg`` None for COUNT(*)."""

    func: str
    arg: exp.Expression | None
    type: SqlType
    distinct: bool = False

    @property
    def fraction(self) -> float | None:
        """The fraction of either percentile (``percentile_disc:<p>``, ``percentile_cont:<p>``)."""
        return float(self.func.split(":")[1]) if self.func.startswith("percentile_") else None

    @property
    def picks_rows(self) -> bool:
        """Whether the result is the value of one row (MIN, MAX, PERCENTILE_DISC) or of
        two neighbours (PERCENTILE_CONT, MEDIAN): an extreme of what it reads."""
        return self.func in ("min", "max") or self.fraction is not None

    def sql(self) -> str:
        inner = "*" if self.arg is None else self.arg.sql()
        if self.fraction is not None:
            name = self.func.split(":")[0].upper()
            return f"{name}({self.fraction}) WITHIN GROUP (ORDER BY {inner})"
        return f"{self.func.upper()}({'DISTINCT ' if self.distinct else ''}{inner})"


@dataclass
class Aggregate(Node):
    """GROUP BY ``keys`` (none: one output row) computing ``aggs``.

    Output columns: the keys, then the aggregates.
    """

    child: Node
    aggs: list[tuple[str, AggCall]]
    keys: list[tuple[str, exp.Expression, SqlType]] = field(default_factory=list)
    merges_partials: bool = False  # set by the partial-aggregation rewrite
    # the planner's grouping of a decorrelated subquery, whose groups only a join on its
    # keys consumes: no group is left out, its keys are checked as that join's
    joined_groups: bool = False
    # under a group size threshold, the aggregates (COUNT(DISTINCT) of a table's row
    # numbers) that are the group's sizes: each must reach it (see source_rows.py);
    # none: the group's row count is its size
    sizes: list[str] = field(default_factory=list)

    @property
    def children(self) -> list[Node]:
        return [self.child]

    @property
    def columns(self) -> list[str]:
        return [name for name, _, _ in self.keys] + [name for name, _ in self.aggs]

    @property
    def types(self) -> list[SqlType]:
        return [t for _, _, t in self.keys] + [a.type for _, a in self.aggs]


@dataclass
class SortKey:
    column: str
    descending: bool = False
    nulls_first: bool = True  # the builder sets MySQL's default: NULL sorts smallest


@dataclass
class Sort(RowsKept):
    """ORDER BY columns of the child (expressions were projected below it)."""

    keys: list[SortKey]


@dataclass
class UnionAll(Node):
    inputs: list[Node]
    types_: list[SqlType] = field(default_factory=list, repr=False)

    @property
    def children(self) -> list[Node]:
        return list(self.inputs)

    @property
    def columns(self) -> list[str]:
        return self.inputs[0].columns

    @property
    def types(self) -> list[SqlType]:
        return self.types_ or self.inputs[0].types


@dataclass
class Limit(RowsKept):
    limit: int | None
    offset: int = 0


def walk(node: Node):
    """Pre-order traversal."""
    yield node
    for child in node.children:
        yield from walk(child)


@dataclass
class Join(Node):
    """Equi-join of two inputs on ``keys`` (pairs of left and right column names).

    ``how`` is inner, left or right. Output columns: the left's, then the right's.
    ``psi`` is set by the planner when both key owners may learn the intersection;
    ``psi_server``, when a computing party that owns neither side may also learn its
    size (server-aided PSI, :meth:`Analyzer.psi_server`).
    """

    left: Node
    right: Node
    how: str
    keys: list[tuple[str, str]]
    psi: bool = False
    psi_server: str | None = None
    # a cross join (every pair of rows): its keys are constants, it compares nothing
    cross: bool = False

    @property
    def children(self) -> list[Node]:
        return [self.left, self.right]

    @property
    def columns(self) -> list[str]:
        return self.left.columns + self.right.columns

    @property
    def types(self) -> list[SqlType]:
        return self.left.types + self.right.types


WINDOW_AGGREGATES = ("sum", "count", "avg", "min", "max")
# what a window function shows of its argument: a value of one row (as it is), or an
# aggregate of the frame
WINDOW_VALUES = ("lag", "lead", "first_value", "last_value", "nth_value")


@dataclass
class WindowFunc:
    """One window function: a ranking (row_number, rank, dense_rank, percent_rank,
    ntile), an aggregate of the frame (sum, count, avg, min, max; DuckDB's default
    frame: the partition, or with ORDER BY its rows up to the current row's last
    peer), or a value of another row (lag, lead, first_value, last_value).

    ``arg``: the argument, a column of the child (None: COUNT(*) and the rankings);
    ``offset``: LAG/LEAD's offset, NTILE's bucket count, NTH_VALUE's row number;
    ``default``: LAG/LEAD's value where there is no such row (a literal, None: NULL);
    ``frame``: a ROWS frame of an aggregate (a sliding one), or NTH_VALUE's whole
    partition, where it is not the default frame (``window_frames.Frame``)."""

    name: str
    func: str
    arg: str | None = None
    type: SqlType = INT64
    offset: int = 1
    default: exp.Expression | None = None
    frame: Frame | None = None


@dataclass
class Window(Node):
    """Window functions sharing one ``PARTITION BY`` / ``ORDER BY``.

    ``partition`` and ``order`` are columns of the child; output: the child's columns,
    then one column per function. ``written``: what the user wrote that the planner
    numbers copies of rows for (``INTERSECT ALL``): only a join on the numbers reads them.
    """

    child: Node
    partition: list[str]
    order: list[SortKey]
    funcs: list[WindowFunc]
    written: str | None = None

    @property
    def children(self) -> list[Node]:
        return [self.child]

    @property
    def columns(self) -> list[str]:
        return self.child.columns + [f.name for f in self.funcs]

    @property
    def types(self) -> list[SqlType]:
        return self.child.types + [f.type for f in self.funcs]
