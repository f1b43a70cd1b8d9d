"""The shell's views of the catalog, as the asker may see it: ``.tables``, ``.schema``
and ``.parties``.

Everything here comes from the asker's own copy of the catalog (and, for ``.parties``,
whether the servers answer): table names and owners, column names and types, and the
asker's own CCL level of each column (:mod:`scql_py.sql.catalog_statements`). On the
asker's own tables it also shows what the others were granted: the asker wrote that.
"""

from __future__ import annotations

from scql_py.catalog import Catalog
from scql_py.sql import catalog_statements


def tables_text(catalog: Catalog) -> str:
    rows = catalog_statements.table_rows(catalog)
    if not rows:
        return "(no tables)"
    width = max(len(n) for n, _ in rows)
    return "\n".join(f"{n.ljust(width)}  owner: {o}" for n, o in rows)


def schema_text(catalog: Catalog, asker: str, table: str | None = None) -> str:
    """One table's columns, types and CCL for ``asker``; every table without a name."""
    if table is None:
        if not catalog.tables:
            return "(no tables)"
        return "\n\n".join(schema_text(catalog, asker, name) for name in catalog.tables)
    t = catalog_statements.lookup(catalog, table)
    rows = catalog_statements.column_rows(catalog, asker, t.name)
    granted = catalog_statements.granted_levels(catalog, asker, t.name)
    kind = ", stored secret-shared" if t.shared else ""
    mine = " (yours)" if t.owner == asker else ""
    lines = [f"{t.name}: owner {t.owner}{mine}{kind}"]
    width = max(len(c) for c, _, _ in rows)
    type_width = max(len(typ) for _, typ, _ in rows)
    for column, typ, level in rows:
        ccl = f"{asker}: {level}"
        if granted:
            ccl = "others: " + ", ".join(f"{p}={lv}" for p, lv in granted[column].items())
        lines.append(f"  {column.ljust(width)}  {typ.ljust(type_width)}  {ccl}")
    return "\n".join(lines)


def parties_text(catalog: Catalog, asker: str, status: dict[str, str]) -> str:
    """Who computes, who owns which tables, and whether each one's server is up."""
    names = catalog.party_names
    lines = [f"{len(catalog.compute)} parties compute together ({catalog.protocol}: "
             "replicated secret sharing, honest majority): " + ", ".join(catalog.compute)]
    if catalog.data_parties:
        lines.append("data parties (share their rows in, receive their results): " +
                     ", ".join(catalog.data_parties))
    width = max(len(n) for n in names) + len(" (you)")
    for name in names:
        owned = [t.name for t in catalog.tables_of(name)]
        label = f"{name} (you)" if name == asker else name
        only = "computes only" if catalog.computes(name) else "a data party"
        tables = "owns " + ", ".join(owned) if owned else f"owns no table ({only})"
        lines.append(f"  {label.ljust(width)}  {tables}; {status.get(name, 'unknown')}")
    return "\n".join(lines)
