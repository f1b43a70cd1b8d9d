"""A federation of the security tests' own: a bank (alice), an insurer (bob) and a third
party (carol), with one column per CCL level, so each attack has its target.

CCL for the other parties (the owner sees everything):

acct (alice)   id PLAINTEXT; k PLAINTEXT_AFTER_JOIN for bob and carol; bal
               PLAINTEXT_AFTER_AGGREGATE; region PLAINTEXT
claim (bob)    cid ENCRYPTED_ONLY; ck PLAINTEXT_AFTER_JOIN for alice and carol; amount
               PLAINTEXT_AS_JOIN_PAYLOAD; score PLAINTEXT_AFTER_AGGREGATE for alice;
               hidden ENCRYPTED_ONLY; g and tier PLAINTEXT_AFTER_GROUP_BY for alice; note
               (a string) PLAINTEXT_AFTER_AGGREGATE for alice; level PLAINTEXT_AFTER_COMPARE
               for alice
"""

from __future__ import annotations

from pathlib import Path

import pytest
from attack_federation import write_federation

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.plaintext_union import plaintext_union


@pytest.fixture(scope="session")
def attack_catalog(tmp_path_factory) -> Path:
    return write_federation(tmp_path_factory.mktemp("attacks"))


@pytest.fixture(scope="session")
def attack_fed(attack_catalog):
    with Federation(attack_catalog) as fed:
        yield fed


@pytest.fixture(scope="session")
def attack_oracle(attack_catalog):
    return plaintext_union(load_catalog(attack_catalog))
