"""EXPLAIN: the placed plan, and what each party learns by running it."""

from __future__ import annotations

from scql_py.catalog import Catalog
from scql_py.mpc.openings import JOIN_MATCHES, RESULT, ROW_COUNT
from scql_py.sql.physical import PhysicalPlan, Step
from scql_py.storage.databases import kind_of, route

_WHERE = {
    "local": "local @ {party}",
    "share": "share  {party} -> all",
    "send_plain": "send   {party} -> {to}",
    "reveal": "reveal -> {to}",
    "psi_join": "psi    {left} <-> {right}, then shared",
}


def _describe(step: Step) -> str:
    a = step.args
    if step.op == "local":
        return a["sql"]
    if step.op == "share":
        return f"secret-share {', '.join(step.columns)} (row count becomes public)"
    if step.op == "scan_shared":
        return f"read the shares of {a['table']} from every party's storage (no owner involved)"
    if step.op == "concat":
        return f"UNION ALL of {', '.join(step.inputs)}"
    if step.op == "filter":
        return f"WHERE {a['predicate']} (secret validity bit per row)"
    if step.op == "project":
        return ", ".join(f"{sql} AS {name}" for name, sql, _ in a["exprs"])
    if step.op == "aggregate":
        aggs = ", ".join(
            f"{func.upper()}({'DISTINCT ' if distinct else ''}{'*' if arg is None else arg})"
            f" AS {name}" for name, func, arg, _, distinct in a["aggs"]
        )
        keys = ", ".join(f"{sql} AS {name}" for name, sql, _ in a.get("keys", []))
        how = ("merging the owners' local partial aggregates" if a.get("merges_partials")
               else "over every row")
        if keys and a.get("keys_owner"):
            return (f"GROUP BY {keys} (grouped by {a['keys_owner']}, who knows its own keys "
                    f"after the PSI join; per-group sums under MPC, no sort): {aggs}")
        if keys:
            return f"GROUP BY {keys} ({how}: oblivious sort + segmented aggregation): {aggs}"
        return f"{aggs} ({how})"
    if step.op == "sort":
        return "ORDER BY " + ", ".join(
            f"{col} {'DESC' if desc else 'ASC'} NULLS {'FIRST' if nf else 'LAST'}"
            for col, desc, nf in a["keys"]) + " (oblivious sort)"
    if step.op in ("psi_join", "secret_join"):
        if a.get("cross"):
            return "CROSS JOIN (every pair of rows, all under MPC; reveals sizes only)"
        on = " AND ".join(f"{a} = {b}" for a, b in a["keys"])
        if step.op == "psi_join":
            return (f"{a['how'].upper()} JOIN ON {on} by ECDH-PSI between "
                    f"{a['left_party']} and {a['right_party']}")
        return f"{a['how'].upper()} JOIN ON {on} by oblivious sort (reveals sizes only)"
    if step.op == "limit":
        return f"LIMIT {a['limit']} OFFSET {a['offset']}"
    if step.op in ("reveal", "send_plain"):
        cols = ", ".join(step.columns)
        if a.get("order"):
            return cols + " (the asker sorts them: ORDER BY " + ", ".join(
                f"{c} {'DESC' if d else 'ASC'}" for c, d, _ in a["order"]) + ")"
        return cols
    return str(a)


_PUSHDOWN = {
    True: "on (each owner first does what it can on its own rows, in its own database: "
          "filters, expressions, partial aggregates; only what is left is secret-shared "
          "and computed under MPC)",
    False: "off (owners only read their tables; everything after that runs under MPC)",
}
_LEGEND = ("steps (local = one party's plaintext work on its own data, in its own "
           "database; mpc = all computing parties together, on secret shares):")


def explain_plan(plan: PhysicalPlan, catalog: Catalog) -> str:
    lines = [f"asker: {plan.asker} (the party that asked, and the only one that gets the "
             "result)", f"pushdown: {_PUSHDOWN[plan.pushdown]}", _LEGEND]
    for step in plan.steps:
        where = _WHERE.get(step.op, "mpc    all parties").format(
            party=step.party, to=step.args.get("to"), left=step.args.get("left_party"),
            right=step.args.get("right_party"))
        inputs = f" <- {', '.join(step.inputs)}" if step.inputs else ""
        lines.append(f"  {step.id:<4} {step.op:<10} [{where}]{inputs}")
        if step.op == "local":
            lines.extend(f"         {line}" for line in _local(step, catalog))
        else:
            lines.append(f"         {_describe(step)}")
        if step.op == "secret_join":
            when = "" if step.args.get("cross") else "if both sides repeat keys: "
            lines.append(f"         ({when}at most {plan.max_rows:,} "
                         "row pairs compared, max_rows)")
    lines.append("what each party learns:")
    for party in catalog.party_names:
        lines.append(f"  {party}: " + "; ".join(_learns(plan, party)))
    return "\n".join(lines)


def _local(step: Step, catalog: Catalog) -> list[str]:
    """The owner's statement, and where it runs: its DuckDB, or one of its databases
    (then the statement it sends there, in that database's dialect)."""
    sql = step.args["sql"]
    how = route(catalog, step.party, sql)
    if how.unknown is not None:
        return [f"in {step.party}'s database {how.unknown} (described in {step.party}'s "
                f"catalog only), as its dialect says: {sql}"]
    if how.database is not None:
        label = kind_of(how.database).label
        return [f"sent to {step.party}'s {label} database {how.database.name}: {how.sql}"]
    lines = []
    for name, (database, read_sql) in how.reads.items():
        lines.append(f"reads {name} from {step.party}'s {kind_of(database).label} database "
                     f"{database.name}: {read_sql}")
    if how.reads:
        lines.append(f"then in its DuckDB ({how.reason}): {sql}")
    else:
        lines.append(sql)
    return lines


def _learns(plan: PhysicalPlan, party: str) -> list[str]:
    """The plan's ledger (``opens``) as seen by ``party``, step by step."""
    out = []
    for s in plan.steps:
        if s.op == "share" and s.party == party:
            out.append(f"its own rows of {s.id}")
        for what, to, optional in s.args.get("opens", []):
            if party not in to:
                continue
            if what == RESULT:
                text = f"the result ({', '.join(plan.output_names)})"
            elif what == JOIN_MATCHES:
                other = [p for p in to if p != party]
                text = f"which of its rows match {other[0] if other else 'itself'}'s keys"
            elif what == ROW_COUNT and s.op == "share":
                if s.party == party:
                    continue
                text = f"the row count of {s.party}'s rows"
            elif what == ROW_COUNT and s.op in ("psi_join", "secret_join"):
                text = "the number of matching rows"
            elif what == ROW_COUNT:
                text = "the number of rows it keeps"
            else:
                text = what
            out.append(f"{text} ({s.id}{', if any' if optional else ''})")
    if party == plan.asker and not any(
            o[0] == RESULT for s in plan.steps for o in s.args.get("opens", [])):
        # the asker computed the answer itself: no step opens it
        out.append(f"the result ({', '.join(plan.output_names)}), computed by {party} "
                   "alone (nothing is shared)")
    if not out:
        out.append("nothing but message sizes")
    return out
