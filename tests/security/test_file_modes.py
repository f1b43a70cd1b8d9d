"""A party's private files are its own: storage files and TLS keys are written 0600, also
in the copies a local cluster makes for each party."""

from __future__ import annotations

import stat
from pathlib import Path

from attack_federation import write_federation

from scql_py.catalog import load_catalog
from scql_py.net.certs import make_dev_certs
from scql_py.storage import PartyStorage
from scql_py.testing.local_cluster import LocalCluster


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_storage_file_is_private(tmp_path):
    catalog = write_federation(tmp_path)
    text = catalog.read_text().replace('storage = ":memory:"', 'storage = "party.duckdb"', 1)
    catalog.write_text(text)
    storage = PartyStorage(load_catalog(catalog, party="alice"), "alice")
    try:
        assert _mode(tmp_path / "party.duckdb") == 0o600
    finally:
        storage.close()


def test_dev_keys_are_private(tmp_path):
    make_dev_certs(tmp_path, ["alice", "bob", "carol"])
    for party in ("alice", "bob", "carol"):
        assert _mode(tmp_path / f"{party}.key") == 0o600


def test_local_cluster_copies_keys_and_sources_privately(tmp_path):
    (tmp_path / "src").mkdir()
    catalog = write_federation(tmp_path / "src")
    LocalCluster(catalog, tmp_path / "cluster")  # lays out the parties' folders
    home = tmp_path / "cluster" / "alice"
    assert _mode(home / "certs" / "alice.key") == 0o600
    assert all(_mode(f) == 0o600 for f in (home / "sources").iterdir())
