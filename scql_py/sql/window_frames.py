"""Window frames: the ones that are another way of writing a window the engine runs, and
the sliding ROWS frames it runs as such.

The engine's default frame is DuckDB's: the whole partition without ORDER BY, with it
the rows up to the current row's last peer (RANGE BETWEEN UNBOUNDED PRECEDING AND
CURRENT ROW). A frame written out is dropped where it means the same for the function:
that default frame itself, a whole-partition frame for an aggregate (which is then the
aggregate over the partition, without the ORDER BY) or for FIRST_VALUE, and any frame
for the functions that ignore frames (the rankings, LAG, LEAD).

A ROWS frame with ORDER BY is kept as a :class:`Frame` for SUM, COUNT, AVG, MIN and
MAX (``ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING``: a sliding aggregate) and for
FIRST_VALUE, LAST_VALUE and NTH_VALUE (a row of the sliding frame), and so are
the RANGE frames from the current row's first peer to its last one or to the
partition's end, and those with offsets (``RANGE BETWEEN 5 PRECEDING AND CURRENT
ROW``, which only the owner's database computes); the whole-partition frame for
NTH_VALUE. Other frames (ROWS frames without ORDER BY, ...) are refused by name.

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT SUM(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN "
...               "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t")
>>> split_frame(q.expressions[0])[0].sql()
'SUM(i) OVER (PARTITION BY k)'
>>> q = parse_one("SELECT SUM(i) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) "
...               "FROM t")
>>> split_frame(q.expressions[0])[1]
Frame(start=-2, end=1, kind='ROWS')
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from scql_py.errors import NotSupportedError, ProgrammingError

_IGNORE_FRAMES = (
    exp.RowNumber,
    exp.Rank,
    exp.DenseRank,
    exp.PercentRank,
    exp.Ntile,
    exp.Lag,
    exp.Lead,
)
_AGGREGATES = (exp.Sum, exp.Count, exp.Avg, exp.Min, exp.Max)
_VALUES = (exp.FirstValue, exp.LastValue, exp.NthValue)


@dataclass(frozen=True)
class Frame:
    """A ROWS frame: from ``start`` to ``end`` rows after the current one (negative:
    before it; None: the partition's first row, or last row, for ``end``). A RANGE
    frame (``kind``) counts in the ORDER BY key's units instead: 0 is the current row's
    first peer (``start``) or last peer (``end``)."""

    start: int | None
    end: int | None
    kind: str = "ROWS"

    @property
    def from_peers(self) -> bool:
        """A RANGE frame whose bounds are peers or the partition's ends (no offset in the
        ORDER BY key's units, which only the owner's database computes)."""
        return self.kind == "RANGE" and self.start in (0, None) and self.end in (0, None)

    def spec(self) -> exp.WindowSpec:
        """The frame as SQL (for the owner's database)."""

        def bound(offset: int | None, unbounded: str, zero_side: str | None) -> tuple:
            if offset is None:
                return "UNBOUNDED", unbounded
            if offset == 0 and zero_side is None:
                return "CURRENT ROW", None
            if offset == 0:
                return exp.Literal.number(0), zero_side
            return exp.Literal.number(abs(offset)), "PRECEDING" if offset < 0 else "FOLLOWING"

        # a bound of 0 rows after one on the same side stays "0 FOLLOWING" (or "0
        # PRECEDING"): databases refuse "3 FOLLOWING AND CURRENT ROW", where the frame
        # as written is empty
        end_zero = "FOLLOWING" if self.start is not None and self.start > 0 else None
        start_zero = "PRECEDING" if self.end is not None and self.end < 0 else None
        start, start_side = bound(self.start, "PRECEDING", start_zero)
        end, end_side = bound(self.end, "FOLLOWING", end_zero)
        return exp.WindowSpec(
            kind=self.kind, start=start, start_side=start_side, end=end, end_side=end_side
        )

    def sql(self) -> str:
        return self.spec().sql(dialect="mysql")


def _bounds(spec: exp.WindowSpec) -> tuple[str, str]:
    start = f"{spec.args.get('start')} {spec.args.get('start_side') or ''}".strip()
    end = spec.args.get("end")
    end = f"{end} {spec.args.get('end_side') or ''}".strip() if end else "CURRENT ROW"
    return start.upper(), end.upper()


def _offset(bound, side: str | None, unbounded: str, w: exp.Window) -> int | None:
    """A bound in rows from the current one (None: unbounded on its own side)."""
    side = (side or "").upper()
    if bound is None or (isinstance(bound, str) and bound.upper() == "CURRENT ROW"):
        return 0
    if isinstance(bound, str) and bound.upper() == "UNBOUNDED":
        if side != unbounded:
            raise NotSupportedError(
                f"the window frame of {w.sql(dialect='mysql')} (a frame "
                f"cannot {'start' if unbounded == 'PRECEDING' else 'end'}"
                f" at UNBOUNDED {side})"
            )
        return None
    if not (isinstance(bound, exp.Literal) and not bound.is_string and bound.this.isdigit()):
        raise NotSupportedError(
            f"the window frame of {w.sql(dialect='mysql')} (a frame's offsets must be "
            "constant non-negative integers)"
        )
    return -int(bound.this) if side == "PRECEDING" else int(bound.this)


def _check_order(start: str, end: str, w: exp.Window) -> None:
    """DuckDB's rule, by the bounds as written (not their offsets: 3 FOLLOWING AND 0
    FOLLOWING is an empty frame, 1 FOLLOWING AND CURRENT ROW an error, 0 PRECEDING AND
    1 PRECEDING empty): a frame from the current row may not end PRECEDING, one from a
    FOLLOWING row must end FOLLOWING."""
    if (start == "CURRENT ROW" and end.endswith("PRECEDING")) or (
            start.endswith("FOLLOWING") and not end.endswith("FOLLOWING")):
        raise ProgrammingError(
            f"the window frame of {w.sql(dialect='mysql')}: a frame that starts at or "
            "after the current row cannot end before it"
        )


def split_frame(w: exp.Window) -> tuple[exp.Window, Frame | None]:
    """``w`` without its frame, and the :class:`Frame` the engine must run (None where the
    frame changes nothing the engine computes differently); raises NotSupportedError
    naming the frame otherwise."""
    spec = w.args.get("spec")
    if spec is None:
        return w, None
    func = w.this
    kind = (spec.args.get("kind") or "").upper()
    start, end = _bounds(spec)
    whole = start == "UNBOUNDED PRECEDING" and end == "UNBOUNDED FOLLOWING"
    default = kind == "RANGE" and start == "UNBOUNDED PRECEDING" and end == "CURRENT ROW"
    ordered = w.args.get("order") is not None
    out = w.copy()
    out.set("spec", None)
    if isinstance(func, _IGNORE_FRAMES) or default:
        return out, None
    if not ordered and (whole or start == "UNBOUNDED PRECEDING" and kind == "RANGE"):
        return out, None  # without ORDER BY every row is a peer: the frame is the partition
    if whole and isinstance(func, _AGGREGATES):
        out.set("order", None)
        return out, None
    reaches_current = end == "CURRENT ROW" or end.endswith("FOLLOWING")
    if isinstance(func, exp.FirstValue) and start == "UNBOUNDED PRECEDING" and reaches_current:
        return out, None  # the partition's first row in either frame
    if whole and isinstance(func, exp.NthValue):
        return out, Frame(None, None)
    if kind == "ROWS" and ordered and isinstance(func, _AGGREGATES + _VALUES):
        frame = Frame(
            _offset(spec.args.get("start"), spec.args.get("start_side"), "PRECEDING", w),
            _offset(spec.args.get("end"), spec.args.get("end_side"), "FOLLOWING", w),
        )
        _check_order(start, end, w)
        return out, frame  # one that starts after its end (2 FOLLOWING AND 1 FOLLOWING) is empty
    if kind == "RANGE" and ordered and isinstance(func, _AGGREGATES):
        frame = Frame(
            _offset(spec.args.get("start"), spec.args.get("start_side"), "PRECEDING", w),
            _offset(spec.args.get("end"), spec.args.get("end_side"), "FOLLOWING", w),
            "RANGE",
        )
        _check_order(start, end, w)
        if not frame.from_peers and len(w.args["order"].expressions) != 1:
            raise NotSupportedError(
                f"the window frame of {w.sql(dialect='mysql')} (a RANGE frame with an "
                "offset needs exactly one ORDER BY key)"
            )
        return out, frame
    raise NotSupportedError(
        f"the window frame {spec.sql(dialect='mysql')} in "
        f"{w.sql(dialect='mysql')} (supported: ROWS frames with ORDER BY, RANGE "
        "frames of SUM, COUNT, AVG, MIN and MAX with ORDER BY, and frames that start at "
        "UNBOUNDED PRECEDING and end at the current row's last peer or "
        "the partition's end)"
    )


_FRAME = "scql_frame"


def without_frame(w: exp.Window) -> exp.Window:
    """``w`` without its frame (see :func:`split_frame`); a frame the engine must run
    rides along on the node (in its ``meta``, which copies keep): :func:`kept_frame`."""
    out, frame = split_frame(w)
    if frame is not None:
        out.meta[_FRAME] = frame
    return out


def kept_frame(w: exp.Window) -> Frame | None:
    """The frame :func:`without_frame` kept on ``w``, if any."""
    return w.meta.get(_FRAME) if w.meta else None
