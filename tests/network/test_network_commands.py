"""``scql certs`` and ``scql serve`` as commands; plain TCP only when asked for."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest
from conftest import CATALOGS, REPO, average_sql
from cryptography import x509

from scql_py import errors
from scql_py.cli.serve_cmd import certs_main, run_certs
from scql_py.net.certs import TLSConfig, party_of_certificate
from scql_py.testing.local_cluster import LocalCluster

pytestmark = pytest.mark.network


def demo_copy(tmp_path):
    shutil.copytree(CATALOGS / "demo", tmp_path / "demo")
    shutil.copyfile(CATALOGS / "demo.toml", tmp_path / "demo.toml")
    return tmp_path / "demo.toml"


def test_certs_makes_a_ca_and_one_certificate_per_party_beside_the_catalog(tmp_path):
    catalog = demo_copy(tmp_path)
    out = io.StringIO()
    assert certs_main(["--catalog", str(catalog), "--host", "db.example"], out) == 0
    certs = tmp_path / "certs"
    assert str(certs) in out.getvalue()
    assert sorted(p.name for p in certs.iterdir()) == sorted(
        ["ca.key", "ca.pem"] + [f"{p}.{ext}" for p in ("alice", "bob", "carol")
                                for ext in ("key", "pem")])
    assert oct((certs / "bob.key").stat().st_mode & 0o777) == "0o600"
    for party in ("alice", "bob", "carol"):
        tls = TLSConfig.from_dir(certs, party)
        assert party_of_certificate(tls.cert, tls.ca_cert, ["alice", "bob", "carol"]) == party
        san = x509.load_pem_x509_certificate(tls.cert).extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
        assert "db.example" in san.get_values_for_type(x509.DNSName)
    before = (certs / "alice.pem").read_bytes()
    assert run_certs(catalog) == certs  # again: the existing files are kept
    assert (certs / "alice.pem").read_bytes() == before


def serve(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "scql_py.cli.serve_cmd", "serve", *args],
                          capture_output=True, text=True, timeout=60, env=env)


def test_serve_without_certificates_says_how_to_make_them(tmp_path):
    catalog = demo_copy(tmp_path)
    done = serve(["--catalog", str(catalog), "--party", "alice"])
    assert done.returncode == 1
    assert "error: no TLS certificate for party 'alice'" in done.stderr
    assert "scql certs" in done.stderr and "Traceback" not in done.stderr


def test_serve_a_party_the_catalog_does_not_have(tmp_path):
    catalog = demo_copy(tmp_path)
    done = serve(["--catalog", str(catalog), "--party", "mallory", "--insecure"])
    assert done.returncode == 1 and "unknown party 'mallory'" in done.stderr


def test_plain_tcp_only_when_asked_for(tmp_path, demo_reference):
    with LocalCluster(CATALOGS / "demo.toml", tmp_path, insecure=True, timeout=5.0) as cluster:
        assert "INSECURE plain TCP" in cluster.log("alice")
        with cluster.client("alice") as fed:
            got = fed.execute("alice", average_sql()).table.column(0)[0].as_py()
        expected = demo_reference.execute("alice", average_sql()).table.column(0)[0].as_py()
        assert got == pytest.approx(expected, abs=0.1)
        # a TLS client does not talk to a plain-TCP server
        tls_dir = tmp_path / "tls"
        run_certs(cluster.catalog_path("alice"), tls_dir)
        fed = cluster.client("alice", tls=TLSConfig.from_dir(tls_dir, "alice"))
        with fed, pytest.raises(errors.OperationalError, match="party 'alice''s server"):
            fed.execute("alice", average_sql())
