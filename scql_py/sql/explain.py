"""EXPLAIN: the placed plan, and what each party learns by running it."""

from __future__ import annotations

from scql_py.catalog import Catalog
from scql_py.mpc.openings import JOIN_MATCHES, RESULT, ROW_COUNT
from scql_py.sql.participants import needs_computing, plan_parties
from scql_py.sql.physical import PhysicalPlan, Step
from scql_py.sql.window_frames import Frame
from scql_py.storage.databases import kind_of, route

_WHERE = {
    "local": "local @ {party}",
    "share": "share  {party} -> {compute}",
    "send_plain": "send   {party} -> {to}",
    "reveal": "reveal -> {to}",
    "psi_join": "psi    {left} <-> {right}, then shared",
    "psi_join_server": "psi    {left} <-> {right} (matched by {server}), then shared",
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
        if step.op == "psi_join" and a.get("server"):
            return (f"{a['how'].upper()} JOIN ON {on} by server-aided PSI between "
                    f"{a['left_party']} and {a['right_party']}, matched by {a['server']} "
                    "(it sees only keyed hashes of distinct keys)")
        if step.op == "psi_join":
            return (f"{a['how'].upper()} JOIN ON {on} by ECDH-PSI between "
                    f"{a['left_party']} and {a['right_party']}")
        return f"{a['how'].upper()} JOIN ON {on} by oblivious sort (reveals sizes only)"
    if step.op == "window":
        over = []
        if a["partition"]:
            over.append("PARTITION BY " + ", ".join(a["partition"]))
        if a["order"]:
            over.append("ORDER BY " + ", ".join(f"{c} {'DESC' if d else 'ASC'}"
                                                for c, d, _ in a["order"]))
        funcs = ", ".join(_window_call(func, arg, offset, default, frame) + f" AS {name}"
                          for name, func, arg, _, offset, default, frame in a["funcs"])
        return f"{funcs} OVER ({' '.join(over)}) (oblivious sort + segment scans)"
    if step.op == "limit":
        return f"LIMIT {a['limit']} OFFSET {a['offset']}"
    if step.op in ("reveal", "send_plain"):
        cols = ", ".join(step.columns)
        if a.get("order"):
            return cols + " (the asker sorts them: ORDER BY " + ", ".join(
                f"{c} {'DESC' if d else 'ASC'}" for c, d, _ in a["order"]) + ")"
        return cols
    return str(a)


def _window_call(func: str, arg: str | None, offset: int, default: str | None,
                 frame: list | None) -> str:
    if func in ("lag", "lead"):
        return f"{func.upper()}({arg}, {offset}{', ' + default if default else ''})"
    if func == "ntile":
        return f"NTILE({offset})"
    if func == "nth_value":
        call = f"NTH_VALUE({arg}, {offset})"
    else:
        call = f"{func.upper()}({arg or ('*' if func == 'count' else '')})"
    return call if frame is None else f"{call} [{Frame(*frame).sql()}]"


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
             "result)", *_roles(plan, catalog), f"pushdown: {_PUSHDOWN[plan.pushdown]}",
             _LEGEND]
    compute = ", ".join(catalog.compute)
    for step in plan.steps:
        op = "psi_join_server" if step.op == "psi_join" and step.args.get("server") else step.op
        where = _WHERE.get(op, "mpc    {compute}").format(
            party=step.party, to=step.args.get("to"), left=step.args.get("left_party"),
            right=step.args.get("right_party"), server=step.args.get("server"),
            compute=compute)
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


def _roles(plan: PhysicalPlan, catalog: Catalog) -> list[str]:
    """Who computes, and what each other party of the plan only does."""
    taking_part = plan_parties(plan, catalog.party_names, catalog.compute)
    computing = ", ".join(catalog.compute)
    if needs_computing(plan):
        lines = [f"computing parties: {computing} (they run every mpc step on secret shares)"]
    else:
        lines = [f"computing parties: none take part ({computing} compute in other plans: "
                 "this one has no mpc step)"]
    for party in catalog.data_parties:
        does = []
        if any(s.op == "local" and s.party == party for s in plan.steps):
            does.append("works on its own rows")
        if any(s.op == "share" and s.party == party for s in plan.steps):
            does.append("sends its rows as secret shares")
        if any(s.op == "psi_join" and party in (s.args["left_party"], s.args["right_party"])
               for s in plan.steps):
            does.append("joins its keys by PSI, then sends its matching rows as secret shares")
        if any(s.op == "send_plain" and s.party == party for s in plan.steps):
            does.append("sends its result to the asker")
        if party == plan.asker:
            does.append("receives the result")
        if party not in taking_part:
            does = ["takes no part"]
        lines.append(f"data party {party}: {', '.join(does)}")
    return lines


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
