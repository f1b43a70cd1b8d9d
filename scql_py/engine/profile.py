"""Where one party's time and traffic went in a query: seconds, rounds and bytes per
step of the plan (EXPLAIN ANALYZE prints them).

The counters are the communicator's own (:class:`~scql_py.net.channel.ChannelStats`),
read before and after each step, so the steps' figures add up to the query's totals.
A profile says nothing about data beyond what its party sees anyway: how long it
worked, and the sizes and number of the messages it sent and received (the plan's
public sizes and the row counts its ledger opens).

>>> from scql_py.net.channel import ChannelStats
>>> stats, prof = ChannelStats(), QueryProfile()
>>> with prof.step("s1", "share", stats):
...     stats.rounds += 2; stats.bytes_sent += 800
>>> prof.skipped("s2", "local")
>>> [(s.step, s.rounds, s.bytes_sent, s.ran) for s in prof.steps]
[('s1', 2, 800, True), ('s2', 0, 0, False)]
>>> QueryProfile.from_json(prof.to_json()) == prof
True
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from scql_py.errors import InternalError
from scql_py.net.channel import ChannelStats

SETUP = "setup"  # the query's key agreement before its first step
_COUNTERS = ("rounds", "bytes_sent", "bytes_received")
_MAX_STEPS = 10_000  # a peer's profile longer than any plan is malformed


@dataclass
class StepProfile:
    """One step at one party; ``ran`` is False where the party takes no part in it."""

    step: str
    op: str
    seconds: float = 0.0
    rounds: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    ran: bool = True


@dataclass
class QueryProfile:
    """One party's steps, in plan order (the setup first)."""

    steps: list[StepProfile] = field(default_factory=list)

    @contextmanager
    def step(self, step: str, op: str, stats: ChannelStats) -> Iterator[None]:
        """Count the time and traffic of the body as ``step``'s (added to what an
        earlier body under the same step id counted)."""
        before = [getattr(stats, c) for c in _COUNTERS]
        start = time.perf_counter()
        try:
            yield
        finally:
            entry = self._entry(step, op)
            entry.seconds += time.perf_counter() - start
            for c, b in zip(_COUNTERS, before):
                setattr(entry, c, getattr(entry, c) + getattr(stats, c) - b)

    def skipped(self, step: str, op: str) -> None:
        self.steps.append(StepProfile(step, op, ran=False))

    def _entry(self, step: str, op: str) -> StepProfile:
        if self.steps and self.steps[-1].step == step:
            return self.steps[-1]
        self.steps.append(StepProfile(step, op))
        return self.steps[-1]

    def totals(self) -> StepProfile:
        out = StepProfile("total", "")
        for s in self.steps:
            out.seconds += s.seconds
            for c in _COUNTERS:
                setattr(out, c, getattr(out, c) + getattr(s, c))
        return out

    def to_json(self) -> list[dict]:
        return [asdict(s) for s in self.steps]

    @classmethod
    def from_json(cls, obj: object) -> QueryProfile:
        """A profile as a peer reported it; InternalError if it is not one."""
        if not isinstance(obj, list) or len(obj) > _MAX_STEPS:
            raise InternalError("malformed query profile")
        steps = []
        for item in obj:
            ok = (isinstance(item, dict) and isinstance(item.get("step"), str)
                  and isinstance(item.get("op"), str) and isinstance(item.get("ran"), bool)
                  and isinstance(item.get("seconds"), (int, float))
                  and all(type(item.get(c)) is int and item[c] >= 0 for c in _COUNTERS))
            if not ok:
                raise InternalError("malformed query profile")
            steps.append(StepProfile(item["step"], item["op"], float(item["seconds"]),
                                     *(item[c] for c in _COUNTERS), item["ran"]))
        return cls(steps)


def _cell(s: StepProfile | None) -> str:
    if s is None or not s.ran:
        return "-"
    return f"{s.seconds:7.3f} s {s.rounds:5d} r {s.bytes_sent / 1e6:8.2f} MB"


def render_profiles(profiles: dict[str, QueryProfile], wall_seconds: float) -> str:
    """EXPLAIN ANALYZE's table: per step (rows) and party (columns), that party's
    seconds, rounds and megabytes sent; then each party's totals."""
    parties = list(profiles)
    order: list[tuple[str, str]] = []
    cells: dict[tuple[str, str], StepProfile] = {}
    for party, prof in profiles.items():
        for s in prof.steps:
            if (s.step, s.op) not in order:
                order.append((s.step, s.op))
            cells[(party, s.step)] = s
    width = max([len(_cell(StepProfile("", "")))] + [len(p) for p in parties])
    lines = [f"analyze: the query ran in {wall_seconds:.3f} s; per step and party: "
             "seconds, rounds, megabytes sent",
             f"  {'step':<6} {'op':<13} " + "  ".join(f"{p:<{width}}" for p in parties)]
    for step, op in order:
        lines.append(f"  {step:<6} {op:<13} " + "  ".join(
            f"{_cell(cells.get((p, step))):<{width}}" for p in parties))
    lines.append(f"  {'total':<6} {'':<13} " + "  ".join(
        f"{_cell(profiles[p].totals()) if profiles[p].steps else '-':<{width}}"
        for p in parties))
    return "\n".join(line.rstrip() for line in lines)
