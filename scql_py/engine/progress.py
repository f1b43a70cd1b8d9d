"""How far a query has got: the step being run, of how many, for how long.

The asker's engine reports a :class:`Progress` before each step of the plan; the
DB-API hands it to a user's callback, and the shell draws it as a line on the terminal.
It says nothing about data: the steps, their order and their count are the plan's,
which every party knows.

>>> p = Progress(step=3, steps=7, op="secret_join", name="secret join", elapsed=1.5)
>>> str(p)
'step 3/7: secret join (1.5 s)'
>>> Progress.from_json(p.to_json()) == p
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from scql_py.sql.physical import Step

# a step's name for a person, from its op and where it runs
_NAMES = {
    "local": "local query at {party}",
    "share": "{party} secret-shares its rows",
    "scan_shared": "read a shared table",
    "concat": "union",
    "filter": "secure WHERE",
    "project": "secure expressions",
    "aggregate": "secure aggregation",
    "sort": "oblivious sort",
    "window": "window functions",
    "scalar_join": "scalar subquery",
    "psi_join": "PSI join",
    "secret_join": "secret join",
    "limit": "LIMIT",
    "reveal": "open the result to {to}",
    "send_plain": "{party} sends its result to {to}",
    "append_shared": "write a shared table",
    "drop_shared": "drop a shared table",
}


@dataclass(frozen=True)
class Progress:
    """Step ``step`` (1-based) of ``steps`` is starting, ``elapsed`` seconds into the
    query; ``op`` is the plan's step kind, ``name`` says it in words."""

    step: int
    steps: int
    op: str
    name: str
    elapsed: float

    def __str__(self) -> str:
        return f"step {self.step}/{self.steps}: {self.name} ({self.elapsed:.1f} s)"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict) -> Progress:
        """A progress report received from a server (``ValueError`` if malformed)."""
        try:
            out = cls(step=int(obj["step"]), steps=int(obj["steps"]), op=str(obj["op"]),
                      name=str(obj["name"])[:200], elapsed=float(obj["elapsed"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError("malformed progress report") from None
        return out


ProgressCallback = Callable[[Progress], None]


def step_name(step: Step) -> str:
    template = _NAMES.get(step.op, step.op)
    return template.format(party=step.party, to=step.args.get("to"))
