"""A party that dies in the middle of a change leaves every party at one version: the
previous one when it died before any party committed, the new one after.

In-process: the party raises at a named point (its thread ends, its channel closes).
Separate processes: the party's process is killed with SIGKILL, persistent storage files
are reopened afterwards, as after a power cut.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from shared_helpers import PARTIES, open_shared, random_people, write_catalog

from scql_py.cluster.federation import Federation
from scql_py.cluster.shared_table_changes import (
    drop_inprocess,
    import_table_inprocess,
    recover_inprocess,
    run_inprocess,
)
from scql_py.engine import shared_table_versions
from scql_py.engine.shared_table_versions import append, load_shared
from scql_py.errors import Error, ProgrammingError
from scql_py.mpc import rss
from scql_py.storage.stored_shares import ShareStore

HERE = Path(__file__).parent
# where a dying party leaves the change: before any party can commit, or after
BEFORE_COMMIT = ["shared", "writing", "prepared"]
AFTER_PREPARE = ["acked", "committed"]


class Crash(Exception):
    pass


def crash_at(point: str, victim: int):
    def hook(at: str, party: int) -> None:
        if at == point and party == victim:
            raise Crash(f"party {party} crashed at {at}")
    return hook


def check_no_half_written(con) -> dict[int, str]:
    """Every version a party holds has all its data (row counts as recorded), and no
    share data lies around that no version names. Returns {version: state}."""
    store = ShareStore(con.cursor())
    held = {v: s for v, s, _ in store.listing(["people"]).get("people", [])}
    named: set[str] = set()
    for version in held:
        info = store.get("people", version)
        for seg in info.segments:
            for table, rows in ((f"_scql_share__people__s{seg.id}", seg.rows),
                                (f"_scql_share__people__s{seg.id}__bits", -(-seg.rows // 64))):
                if seg.seed_a and seg.seed_b:
                    continue  # the seed party of this segment keeps no words
                named.add(table)
                assert con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0] == rows
    assert set(store.segment_tables("people")) <= named
    return held


@pytest.mark.parametrize("point", BEFORE_COMMIT + AFTER_PREPARE)
@pytest.mark.parametrize("victim", [0, 1, 2])
def test_party_dies_during_import(tmp_path: Path, monkeypatch, point: str, victim: int) -> None:
    catalog = write_catalog(tmp_path, persistent=False)
    old, new = random_people(50, seed=1), random_people(80, seed=2)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=old)
        monkeypatch.setattr(shared_table_versions, "fault_hook", crash_at(point, victim))
        with pytest.raises(Error, match=f"party {victim} crashed at {point}"):
            import_table_inprocess(fed, "alice", "people", data=new)
        monkeypatch.setattr(shared_table_versions, "fault_hook", None)
        held = [check_no_half_written(e.storage.connection) for e in fed.engines]
        if point in BEFORE_COMMIT:
            assert not any(h.get(2) == "committed" for h in held)
        else:
            assert all(2 in h for h in held)
        got, version = open_shared(fed, "people", to=PARTIES[(victim + 1) % 3])
        want_version, want = (1, old) if point in BEFORE_COMMIT else (2, new)
        assert version == want_version
        assert got.column("id").equals(want.column("id"))
        assert got.column("name").equals(want.column("name"))
        for engine in fed.engines:  # settled: one version, nothing else
            assert check_no_half_written(engine.storage.connection) == {version: "committed"}


@pytest.mark.parametrize("point", ["writing", "prepared", "acked"])
def test_party_dies_during_append_or_drop(tmp_path: Path, monkeypatch, point: str) -> None:
    catalog = write_catalog(tmp_path, persistent=True)
    rows = random_people(40, seed=3)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=rows)

        def insert_self(storage, rt, _):
            rel, _v = load_shared(storage, rt, "people")
            return append(storage, rt, "people", rel)

        monkeypatch.setattr(shared_table_versions, "fault_hook", crash_at(point, 2))
        with pytest.raises(Error, match="crashed"):
            run_inprocess(fed, insert_self)
        monkeypatch.setattr(shared_table_versions, "fault_hook", None)
        got, version = open_shared(fed, "people")
        if point == "acked":
            assert (version, got.num_rows) == (2, 80)
        else:
            assert (version, got.num_rows) == (1, 40)

        monkeypatch.setattr(shared_table_versions, "fault_hook", crash_at(point, 0))
        with pytest.raises(Error, match="crashed"):
            drop_inprocess(fed, "people")
        monkeypatch.setattr(shared_table_versions, "fault_hook", None)
    # restart; recovery at start-up settles every party on the same version
    with Federation(catalog) as fed:
        current = recover_inprocess(fed)
        if point == "acked":
            assert current == {"people": 3}
            with pytest.raises(ProgrammingError, match="dropped"):
                open_shared(fed, "people")
        else:
            assert current == {"people": 1}
            assert open_shared(fed, "people")[0].num_rows == 40


def test_a_party_holding_a_stale_prepared_version_is_overruled(tmp_path: Path) -> None:
    """A prepared version only one party holds (its peers never prepared it) is dropped
    at the next agreement, and the next change does not reuse its number."""
    catalog = write_catalog(tmp_path, persistent=False)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=random_people(5))
        store = ShareStore(fed.engines[1].storage.connection.cursor())
        info = store.get("people", 1)
        info.version, info.state = 7, "prepared"
        store.prepare(info, None, None)
        assert open_shared(fed, "people")[1] == 1
        assert [v for v, _, _ in store.listing()["people"]] == [1]
        assert import_table_inprocess(fed, "alice", "people", data=random_people(6)).version == 2


# -- separate processes, SIGKILL ---------------------------------------------------------------

def _start(config: dict) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE.parents[1]), *filter(None, [os.environ.get("PYTHONPATH")])]),
        GRPC_VERBOSITY="ERROR")
    return subprocess.Popen([sys.executable, str(HERE / "shared_party.py"), json.dumps(config)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def _run_processes(catalog: Path, source: Path, victim: int, point: str) -> list[dict | None]:
    procs = [_start({"names": list(PARTIES), "me": i, "catalog": str(catalog),
                     "owner": "alice", "table": "people", "source": str(source),
                     "timeout": 5.0, "crash_at": point if i == victim else None})
             for i in range(3)]
    try:
        addresses = [json.loads(p.stdout.readline())["address"] for p in procs]
        for p in procs:
            p.stdin.write(json.dumps({"addresses": addresses}) + "\n")
            p.stdin.flush()
        outcomes = []
        for p in procs:
            line = p.stdout.readline()
            outcomes.append(json.loads(line)["outcome"] if line else None)
        return outcomes
    finally:
        for p in procs:
            try:
                p.stdin.close()
            except OSError:
                pass
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.stdout.close()


@pytest.mark.network
@pytest.mark.parametrize(("victim", "point"), [(1, "writing"), (2, "acked")])
def test_party_process_killed_mid_import(tmp_path: Path, victim: int, point: str) -> None:
    catalog = write_catalog(tmp_path, persistent=True)
    old, new = random_people(300, seed=4), random_people(500, seed=5)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=old)
    pq.write_table(new, tmp_path / "new.parquet")

    outcomes = _run_processes(catalog, tmp_path / "new.parquet", victim, point)
    assert outcomes[victim] is None  # it died
    survivors = [o for i, o in enumerate(outcomes) if i != victim]
    for outcome in survivors:
        assert outcome == {"version": 2, "rows": 500} or "OperationalError" in \
            outcome["error"], outcome
    # a survivor commits (and says so) only once it heard every party prepared: then the
    # new version stands, else the old one; before the victim prepared, no one can commit
    committed = any("version" in o for o in survivors)
    if point == "writing":
        assert not committed

    # what the files hold right after the kill: whole versions only
    import duckdb

    for party in PARTIES:
        con = duckdb.connect(str(tmp_path / f"{party}.duckdb"))
        try:
            held = check_no_half_written(con)
        finally:
            con.close()
        assert held.get(1) in ("committed", None)
        if party == PARTIES[victim] and point == "writing":
            assert 2 not in held  # its transaction never committed
        if committed:
            assert 2 in held  # the commit came after every party's prepare

    with Federation(catalog) as fed:
        got, version = open_shared(fed, "people", to="carol")
        sums = run_inprocess(fed, lambda e, rt, _: rss.reveal(
            rt, load_shared(e, rt, "people", ["day"])[0].columns[0].value.sum(), to=0))[0]
    want_version, want = (2, new) if committed else (1, old)
    assert version == want_version
    assert got.num_rows == want.num_rows
    assert got.column("id").equals(want.column("id"))
    days = want.column("day").cast(pa.int32()).to_numpy(zero_copy_only=False)
    assert int(np.asarray(sums).view(np.int64)[0]) == int(np.nansum(days.astype(np.float64)))
