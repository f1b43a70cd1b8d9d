"""Three parties as three processes, talking over loopback TLS through Flight."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from scql_py.mpc.inprocess import run_parties
from scql_py.net.certs import make_dev_certs

sys.path.insert(0, str(Path(__file__).parent))
from flight_party import (  # noqa: E402
    PartyProcesses,
    digest,
    job_inputs,
    run_mul_job,
    send_garbage,
)

NAMES = ["p0", "p1", "p2"]
pytestmark = pytest.mark.network


def in_process_outcomes(seed: int, n: int) -> list[dict]:
    """The same job on the in-process network: the reference for results and counts."""
    return run_parties(lambda rt, _: run_mul_job(rt, seed, n))


def test_three_processes_mul_matches_numpy_and_in_process_counts(tmp_path):
    make_dev_certs(tmp_path, NAMES)
    jobs = [{"session": "small", "seed": 11, "n": 1000}, {"session": "large", "seed": 12,
                                                          "n": 300_000}]
    config = {"cert_dir": str(tmp_path), "timeout": 20.0, "jobs": jobs}
    with PartyProcesses(NAMES, [config] * 3) as parties:
        # junk first, and a connection left hanging: the servers must shrug them off
        hanging = [send_garbage(address) for address in parties.addresses]
        outcomes = parties.run()
        for s in hanging:
            s.close()
    for job in jobs:
        x, y = job_inputs(job["seed"], job["n"])
        session = job["session"]
        assert [o[session].get("error") for o in outcomes] == [None] * 3
        assert outcomes[2][session]["result"] == digest(x * y)
        assert outcomes[0][session]["result"] is None and outcomes[1][session]["result"] is None
        # byte, message and round counts are payload sizes, exactly as in-process
        reference = in_process_outcomes(job["seed"], job["n"])
        assert [o[session]["stats"] for o in outcomes] == [r["stats"] for r in reference]
        # p0: its PRG key, x to both others, its mul reshare, its share of z to p2
        assert outcomes[0][session]["stats"]["bytes_sent"] == 16 + 4 * 8 * job["n"]


def test_killed_party_is_named_within_the_timeout(tmp_path):
    make_dev_certs(tmp_path, NAMES)
    timeout = 2.0
    config = {"cert_dir": str(tmp_path), "timeout": timeout,
              "jobs": [{"session": "q", "seed": 1, "n": 10}]}
    with PartyProcesses(NAMES, [config] * 3) as parties:
        parties.kill(2)
        start = time.monotonic()
        outcomes = parties.run()
        elapsed = time.monotonic() - start
    for o in outcomes[:2]:  # p0 cannot send its key to p2; p1 never hears from p2
        assert "'p2'" in o["q"]["error"], o
        assert o["q"]["seconds"] < timeout + 0.5
    assert elapsed < timeout + 5.0  # the parent's view, with process overheads


def test_wrong_party_certificate_process_is_refused(tmp_path):
    make_dev_certs(tmp_path / "real", NAMES)
    make_dev_certs(tmp_path / "other", NAMES)
    good = {"cert_dir": str(tmp_path / "real"), "timeout": 2.0,
            "jobs": [{"session": "q", "seed": 1, "n": 10}]}
    bad = {**good, "cert_dir": str(tmp_path / "other")}
    with PartyProcesses(NAMES, [good, good, bad]) as parties:
        outcomes = parties.run()
    assert all(o["q"].get("error") for o in outcomes)
    # whoever meets p2 first names it; the other may instead see that party abandon
    # the query (it aborts the session at once), which names the party that left
    errors = [outcomes[i]["q"]["error"] for i in (0, 1)]
    assert any("'p2'" in e for e in errors), errors
    assert all("'p2'" in e or "closed query" in e or "left the query" in e for e in errors)
    assert "result" not in outcomes[2]["q"]


def test_reference_job_really_multiplies():
    # the in-process reference used above is itself checked against numpy
    x, y = job_inputs(3, 50)
    assert in_process_outcomes(3, 50)[2]["result"] == digest(x * y)
    assert np.array_equal(np.array(digest(x * y), dtype=np.uint64), x * y)
