"""Changes of shared tables on an in-process federation: every party's part of
:mod:`scql_py.engine.shared_table_versions` at once, one thread each, as
:meth:`Federation.execute` runs a plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from scql_py.cluster.federation import Federation
from scql_py.engine.shared_table_versions import ChangeResult, drop, import_table, recover
from scql_py.errors import ProgrammingError
from scql_py.mpc.runtime import Runtime
from scql_py.storage import PartyStorage


def run_inprocess(federation: Federation, fn: Callable[..., Any],
                  per_party: Sequence[Any] | None = None) -> list[Any]:
    """Run ``fn(storage, rt, arg)`` on the federation's three computing parties (they
    store the shares) in threads, over a fresh in-process network, as
    :meth:`Federation.execute` runs a plan; results by party (None for a data party)."""
    catalog = federation.catalog
    args = list(per_party) if per_party is not None else [None] * len(catalog.parties)
    compute = tuple(catalog.party_names.index(p) for p in catalog.compute)
    results, _ = federation.run_on_parties(
        lambda engine, comm: fn(engine.storage, Runtime(comm, compute), args[engine.index]),
        parties=catalog.compute)
    return results


def import_table_inprocess(federation: Federation, owner: str, table: str, *,
                           source: str | Path | None = None, data: pa.Table | None = None,
                           not_null: Iterable[str] = ()) -> ChangeResult:
    """:func:`import_table` on an in-process federation; only the owner's thread sees
    ``data`` or reads ``source``."""
    owner_index = federation.catalog.party_names.index(owner) \
        if owner in federation.catalog.party_names else None
    if owner_index is None:
        raise ProgrammingError(f"unknown party '{owner}' (parties: "
                               f"{', '.join(federation.catalog.party_names)})")
    not_null = list(not_null)
    args: list[Any] = [None] * len(federation.catalog.parties)
    args[owner_index] = (data, source)

    def fn(storage: PartyStorage, rt: Runtime, arg: Any) -> ChangeResult:
        rows, src = arg if arg is not None else (None, None)
        return import_table(storage, rt, owner, table, rows, source=src, not_null=not_null)

    return run_inprocess(federation, fn, args)[owner_index]


def drop_inprocess(federation: Federation, table: str) -> ChangeResult:
    first = federation.catalog.party_names.index(federation.catalog.compute[0])
    return run_inprocess(federation, lambda e, rt, _: drop(e, rt, table))[first]


def recover_inprocess(federation: Federation) -> dict[str, int | None]:
    first = federation.catalog.party_names.index(federation.catalog.compute[0])
    return run_inprocess(federation, lambda e, rt, _: recover(e, rt))[first]
