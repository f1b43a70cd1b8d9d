"""The ledger: every value a plan opens, to whom, step by step.

The planner lists here what each step will make plain (EXPLAIN prints it as "what each
party learns"); the executor records what the protocols actually open and refuses, at
the end of the query, any difference (``Engine.check_openings``). Sizes (row counts,
numbers of groups, the comparisons of shuffled rows, whether a join side's keys are
unique) are opened to every computing party: SCQL does not protect sizes, and they are
listed so that nobody is told it learns less than it does. Values are opened to the
asker only (the result), and PSI shows each key owner which of its own rows match
(server-aided PSI also shows its server the sizes of the key sets and their intersection).

An entry is ``[what, [party, ...], optional]``: ``optional`` where the step opens it
only for some data (a compaction happens only if rows were filtered out, a sort opens
comparisons only for two rows or more).
"""

from __future__ import annotations

from scql_py.mpc.openings import (
    DISTINCT_KEYS,
    GROUP_COUNT,
    GROUPS_LEFT_OUT,
    INTERSECTION_SIZE,
    JOIN_MATCHES,
    KEY_UNIQUENESS,
    MATCHED_MULTIPLICITY,
    OUT_OF_RANGE,
    RESULT,
    ROW_COUNT,
    SHUFFLED_COMPARISONS,
)
from scql_py.sql.logical import sorts_by_argument
from scql_py.sql.physical import Step


def list_openings(steps: list[Step], asker: str, parties: list[str]) -> None:
    """Set ``args["opens"]`` of every step."""
    by_id = {s.id: s for s in steps}
    for step in steps:
        step.args["opens"] = _openings(step, asker, parties)
        if step.op == "send_plain" and step.args["to"] == asker and any(
                "range_sql" in by_id[i].args for i in step.inputs):
            # the owner's SUM past range: an error for the asker, as under MPC
            step.args["opens"].append([OUT_OF_RANGE, [asker], False])


def _openings(step: Step, asker: str, everyone: list[str]) -> list[list]:
    def to_all(what: str, optional: bool = False) -> list:
        return [what, list(everyone), optional]

    compaction = [to_all(ROW_COUNT, optional=True)]
    sorting = [to_all(SHUFFLED_COMPARISONS, optional=True)]
    op, a = step.op, step.args
    if op == "share":
        return [to_all(ROW_COUNT)]
    if op == "aggregate":
        if not a.get("keys"):
            distinct = any(sorts_by_argument(agg[1], agg[4]) for agg in a["aggs"])
            return sorting + compaction if distinct else []
        out = sorting + compaction
        if a.get("keys_owner"):  # the owner tells the others its number of groups
            out = [to_all(GROUP_COUNT)] + out
        if a.get("threshold"):
            out.append(to_all(GROUPS_LEFT_OUT))
        return out
    if op in ("sort", "window"):
        return compaction + sorting
    if op in ("limit", "scalar_join", "append_shared"):
        return compaction
    if op == "psi_join":
        owners = [a["left_party"], a["right_party"]]
        if a.get("server"):  # server-aided: the server matches, it learns the sizes
            return [[JOIN_MATCHES, owners, False], [MATCHED_MULTIPLICITY, owners, False],
                    [INTERSECTION_SIZE, [a["server"]], False], to_all(ROW_COUNT)]
        return [[JOIN_MATCHES, owners, False], [DISTINCT_KEYS, owners, False],
                to_all(ROW_COUNT)]
    if op == "secret_join":
        return [to_all(KEY_UNIQUENESS, optional=True)] + sorting + compaction
    if op == "reveal":
        # and whether a value computed for it left the ring's range (then it is an error)
        checked = [[OUT_OF_RANGE, [asker], False]] if a.get("to") == asker else []
        return compaction + [[RESULT, [asker], False]] + checked
    if op == "send_plain":
        return [[RESULT, [a["to"]], False]]
    return []
