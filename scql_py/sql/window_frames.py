"""Window frames that are another way of writing a window the engine runs.

The engine computes DuckDB's default frame: the whole partition without ORDER BY, with
it the rows up to the current row's last peer (RANGE BETWEEN UNBOUNDED PRECEDING AND
CURRENT ROW). A frame written out is dropped where it means the same for the function:
that default frame itself, a whole-partition frame for an aggregate (which is then the
aggregate over the partition, without the ORDER BY) or for FIRST_VALUE, and any frame
for the functions that ignore frames (the rankings, LAG, LEAD). Other frames (sliding
ones, ROWS frames that split peers) are refused by name.

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT SUM(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN "
...               "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t")
>>> without_frame(q.expressions[0]).sql()
'SUM(i) OVER (PARTITION BY k)'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.errors import NotSupportedError

_IGNORE_FRAMES = (exp.RowNumber, exp.Rank, exp.DenseRank, exp.PercentRank, exp.Ntile,
                  exp.Lag, exp.Lead)
_AGGREGATES = (exp.Sum, exp.Count, exp.Avg, exp.Min, exp.Max)


def _bounds(spec: exp.WindowSpec) -> tuple[str, str]:
    start = f"{spec.args.get('start')} {spec.args.get('start_side') or ''}".strip()
    end = spec.args.get("end")
    end = f"{end} {spec.args.get('end_side') or ''}".strip() if end else "CURRENT ROW"
    return start.upper(), end.upper()


def without_frame(w: exp.Window) -> exp.Window:
    """``w`` without its frame where that frame changes nothing the engine computes
    differently; raises NotSupportedError naming the frame otherwise."""
    spec = w.args.get("spec")
    if spec is None:
        return w
    func = w.this
    kind = (spec.args.get("kind") or "").upper()
    start, end = _bounds(spec)
    whole = start == "UNBOUNDED PRECEDING" and end == "UNBOUNDED FOLLOWING"
    default = kind == "RANGE" and start == "UNBOUNDED PRECEDING" and end == "CURRENT ROW"
    ordered = w.args.get("order") is not None
    out = w.copy()
    out.set("spec", None)
    if isinstance(func, _IGNORE_FRAMES) or default:
        return out
    if not ordered and (whole or start == "UNBOUNDED PRECEDING" and kind == "RANGE"):
        return out  # without ORDER BY every row is a peer: the frame is the partition
    if whole and isinstance(func, _AGGREGATES):
        out.set("order", None)
        return out
    if isinstance(func, exp.FirstValue) and start == "UNBOUNDED PRECEDING":
        return out  # the partition's first row in either frame
    raise NotSupportedError(f"the window frame {spec.sql(dialect='mysql')} in "
                            f"{w.sql(dialect='mysql')} (only frames that start at "
                            "UNBOUNDED PRECEDING and end at the current row's last peer "
                            "or the partition's end)")
