"""Who takes part in a plan, step by step: the computing parties, and the data parties
that only send their inputs or receive their results.

The three computing parties (``Catalog.compute``) run every secure step. A data party
takes part only where it is named: its own local work, sharing its rows in (a ``share``,
or its side of a PSI join), a result opened or sent to it, a result it sends. A plan
with no secure step (all the work at one owner) needs no computing party at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from scql_py.sql.physical import PhysicalPlan, Step

# steps that involve no computing party unless one is named in them
_PLAIN = ("local", "send_plain")


def named_parties(step: Step) -> set[str]:
    """The parties a step names: who works on, sends or receives its plaintext."""
    a = step.args
    names = {step.party, a.get("to"), a.get("left_party"), a.get("right_party")}
    return {n for n in names if n is not None}


def needs_computing(plan: PhysicalPlan) -> bool:
    """Whether any step runs under MPC (then the three computing parties take part)."""
    return any(s.op not in _PLAIN for s in plan.steps)


def step_parties(step: Step, compute: Sequence[str]) -> set[str]:
    """The parties that take part in ``step``."""
    if step.op in _PLAIN:
        return named_parties(step)
    return named_parties(step) | set(compute)


def plan_parties(plan: PhysicalPlan, parties: Sequence[str], compute: Sequence[str]
                 ) -> list[str]:
    """The parties that take part in ``plan`` (the asker always), in ``parties`` order."""
    taking_part = {plan.asker}
    for step in plan.steps:
        taking_part |= step_parties(step, compute)
    return [p for p in parties if p in taking_part]


def data_parties_sharing(plan: PhysicalPlan, compute: Sequence[str]) -> list[str]:
    """The data parties that share rows in (they need the query's string key)."""
    out: set[str] = set()
    for step in plan.steps:
        if step.op == "share":
            out.add(step.party)
        elif step.op == "psi_join":
            out |= {step.args["left_party"], step.args["right_party"]}
    return sorted(out - set(compute))
