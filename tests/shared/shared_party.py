"""One party of a shared-table change as its own process, over the Flight network.

Run as ``python shared_party.py '<config json>'``; like ``tests/net/flight_party.py`` it
prints ``{"address": ...}``, reads ``{"addresses": [...]}``, runs its job and prints
``{"outcome": ...}``, then serves until its stdin says ``done`` or closes.

Config: ``names``, ``me``, ``catalog`` (its storage is this party's DuckDB file),
``owner``, ``table``, ``source`` (the owner's Parquet file), ``timeout``, and
``crash_at``: a point of :mod:`scql_py.engine.shared_table_versions` where this party kills itself
with SIGKILL (its process ends there, mid-import, with no clean-up of any kind).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main(config: dict) -> None:
    import pyarrow.parquet as pq

    from scql_py.catalog import load_catalog
    from scql_py.engine import shared_table_versions
    from scql_py.engine.engine import Engine
    from scql_py.errors import Error
    from scql_py.mpc.runtime import Runtime
    from scql_py.net.flight import FlightNetwork

    names, me = config["names"], config["me"]
    catalog = load_catalog(config["catalog"], party=names[me])
    engine = Engine(catalog, names[me])
    net = FlightNetwork(names, ["127.0.0.1:0"] * len(names), me, insecure=True,
                        timeout=config["timeout"])
    print(json.dumps({"address": net.start()}), flush=True)
    net.set_addresses(json.loads(sys.stdin.readline())["addresses"])

    crash_at = config.get("crash_at")

    def hook(point: str, party: int) -> None:
        if point == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)

    shared_table_versions.fault_hook = hook
    comm = net.communicator("import")
    try:
        data = pq.read_table(config["source"]) if names[me] == config["owner"] else None
        result = shared_table_versions.import_table(engine.storage, Runtime(comm), config["owner"],
                                                    config["table"], data)
        outcome = {"version": result.version, "rows": result.rows}
    except Error as exc:
        outcome = {"error": f"{type(exc).__name__}: {exc}"}
        comm.abort()
    print(json.dumps({"outcome": outcome}), flush=True)
    sys.stdin.readline()
    comm.close()
    net.stop()
    engine.close()


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main(json.loads(sys.argv[1]))
