"""Tallies of a tester run, printed at the end of the session: per shape how many queries
ran and how each ended, where they ran (owner-only or MPC), and the float errors seen."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from fuzz_verdict import OUTCOMES, Verdict

# generated: queries the generator made (one per index); ran: every run of them,
# including the metamorphic and parameter checks of the same query
COLUMNS = ("generated", "ran") + OUTCOMES + ("known",)


@dataclass
class Report:
    by_shape: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    paths: Counter = field(default_factory=Counter)
    joins: Counter = field(default_factory=Counter)
    wrong_kinds: Counter = field(default_factory=Counter)
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    floats_compared: int = 0
    reasons: Counter = field(default_factory=Counter)  # (outcome, message head) not passing
    failures: list[dict] = field(default_factory=list)  # one line per bug seen
    seconds: float = 0.0

    def add(self, shapes, verdict: Verdict, *, path: str = "", joins=(), known: str = "",
            seconds: float = 0.0, generated: bool = True) -> None:
        for shape in ("all",) + tuple(shapes):
            row = self.by_shape[shape]
            row["generated"] += generated
            row["ran"] += 1
            row[verdict.outcome] += 1
            if known:
                row["known"] += 1
        if verdict.outcome == "pass" or verdict.kind == "float_bound":
            self.paths[path] += verdict.outcome == "pass"
            for j in joins if verdict.outcome == "pass" else ():
                self.joins[j] += 1
            for abs_err, rel_err in verdict.float_errors:
                self.floats_compared += 1
                self.max_abs_error = max(self.max_abs_error, abs_err)
                self.max_rel_error = max(self.max_rel_error, rel_err)
        if verdict.outcome == "wrong":
            self.wrong_kinds[verdict.kind] += 1
        if verdict.outcome in ("refused", "not_supported", "invalid", "internal"):
            self.reasons[(verdict.outcome, _head(verdict.detail))] += 1
        self.seconds += seconds

    def merge(self, other: Report) -> None:
        for shape, row in other.by_shape.items():
            self.by_shape[shape].update(row)
        self.paths.update(other.paths)
        self.joins.update(other.joins)
        self.wrong_kinds.update(other.wrong_kinds)
        self.reasons.update(other.reasons)
        self.max_abs_error = max(self.max_abs_error, other.max_abs_error)
        self.max_rel_error = max(self.max_rel_error, other.max_rel_error)
        self.floats_compared += other.floats_compared
        self.failures += other.failures
        self.seconds += other.seconds

    def render(self) -> str:
        width = max([len(s) for s in self.by_shape] + [10])
        head = f"{'shape':<{width}} " + " ".join(f"{c:>13}" for c in COLUMNS)
        if not self.by_shape:
            return "random differential tester: no queries"
        lines = ["random differential tester: queries per shape", head, "-" * len(head)]
        order = ["all"] + sorted(s for s in self.by_shape if s != "all")
        for shape in order:
            row = self.by_shape[shape]
            lines.append(f"{shape:<{width}} " + " ".join(f"{row[c]:>13}" for c in COLUMNS))
        lines.append(f"passing queries by path: {dict(self.paths)}; joins: {dict(self.joins)}")
        lines.append(f"wrong answers by kind: {dict(self.wrong_kinds)}")
        lines.append(f"computed float values compared: {self.floats_compared}, largest error "
                     f"abs {self.max_abs_error:.3g}, rel {self.max_rel_error:.3g} (for |v| >= 1); "
                     f"bound abs 2^-14 + rel 1e-6")
        lines.append(f"engine seconds: {self.seconds:.1f}")
        return "\n".join(lines)

    def render_reasons(self, top: int = 40) -> str:
        lines = ["most frequent reasons a query did not pass:"]
        for (outcome, head), n in self.reasons.most_common(top):
            lines.append(f"{n:>6}  {outcome:<13} {head}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({"by_shape": {k: dict(v) for k, v in self.by_shape.items()},
                           "paths": dict(self.paths), "joins": dict(self.joins),
                           "wrong_kinds": dict(self.wrong_kinds),
                           "max_abs_error": self.max_abs_error,
                           "max_rel_error": self.max_rel_error,
                           "failures": self.failures}, indent=1, default=str)


def _head(message: str) -> str:
    """A message without its data-dependent parts, to count reasons."""
    text = re.sub(r"'[^']*'", "'…'", message.splitlines()[0] if message else "")
    return re.sub(r"\d+", "#", text)[:110]


SESSION_REPORT = Report()  # what test_differential prints at the end of the session
