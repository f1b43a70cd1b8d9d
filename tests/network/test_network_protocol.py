"""The pieces of the server protocol that need no server: errors, tables, catalogs."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest
from conftest import CATALOGS
from hypothesis import given
from hypothesis import strategies as st

from scql_py import errors
from scql_py.cluster import remote_protocol as rp
from scql_py.cluster.remote import party_names
from scql_py.testing.catalog_files import dump_toml
from scql_py.testing.local_cluster import free_ports

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


@pytest.mark.parametrize("cls", [errors.ProgrammingError, errors.NotSupportedError,
                                 errors.OperationalError, errors.DataError,
                                 errors.InternalError, errors.CatalogError])
def test_errors_travel_as_their_pep249_class(cls):
    err = rp.error_from_json(rp.error_to_json(cls("party 'bob': it broke")))
    assert type(err) is cls and str(err) == "party 'bob': it broke"


def test_security_errors_keep_their_details():
    sent = errors.SecurityError("no", column="t.x", party="bob", level="ENCRYPTED_ONLY")
    got = rp.error_from_json(rp.error_to_json(sent))
    assert (type(got), got.column, got.party, got.level) == (
        errors.SecurityError, "t.x", "bob", "ENCRYPTED_ONLY")


@pytest.mark.parametrize("report", [
    {"class": "SystemExit", "message": "bye"},          # not an scql_py error class
    {"class": "Warning", "message": "w"},               # in errors, but not an Error
    {"class": "__builtins__", "message": "x"},
    {"class": 3, "message": "x"},
    ["not", "a", "dict"],
])
def test_a_peer_cannot_make_us_raise_anything_else(report):
    assert type(rp.error_from_json(report)) is errors.InternalError


def test_other_exceptions_become_internal_errors():
    assert rp.error_to_json(KeyError("k")) == {"class": "InternalError",
                                               "message": "KeyError: 'k'"}


def test_naming_adds_the_party_once():
    err = rp.naming("bob", errors.DataError("bad value"))
    assert type(err) is errors.DataError and str(err) == "party 'bob': bad value"
    assert rp.naming("bob", err) is err


@given(st.lists(st.tuples(st.integers(-2**63, 2**63 - 1) | st.none(),
                          st.text() | st.none(),
                          st.floats(allow_nan=False) | st.none()), max_size=50),
       st.integers(1, 64))
def test_tables_survive_chunking(rows, chunk):
    table = pa.table({
        "i": pa.array([r[0] for r in rows], pa.int64()),
        "s": pa.array([r[1] for r in rows], pa.string()),
        "f": pa.array([r[2] for r in rows], pa.float64()),
        "d": pa.array([dt.date(2000, 1, 1)] * len(rows), pa.date32()),
        "m": pa.array([decimal.Decimal("1.25")] * len(rows), pa.decimal128(12, 2)),
    })
    chunks = rp.table_chunks(table, chunk_bytes=chunk)
    assert all(len(c) <= chunk + 1 and c.startswith(rp.TABLE) for c in chunks)
    assert rp.table_from_chunks(chunks).equals(table)


def test_truncated_table_is_an_error():
    chunks = rp.table_chunks(pa.table({"x": [1, 2, 3]}), chunk_bytes=64)
    with pytest.raises(errors.InternalError):
        rp.table_from_chunks(chunks[:-1])


@pytest.mark.parametrize("name", ["demo", "types", "types_open", "health"])
def test_catalog_copies_say_the_same(name):
    path = CATALOGS / f"{name}.toml"
    with path.open("rb") as f:
        doc = tomllib.load(f)
    assert tomllib.loads(dump_toml(doc)) == doc
    assert party_names(path) == list(doc["parties"])


def test_odd_keys_and_values_are_quoted():
    doc = {"a": {"odd key": 'say "hi"\n', "n": 3, "flag": True, "xs": [1, "two"]}}
    assert tomllib.loads(dump_toml(doc)) == doc


def test_free_ports_are_distinct():
    ports = free_ports(3)
    assert len(set(ports)) == 3 and all(0 < p < 65536 for p in ports)


def test_missing_certificates_say_how_to_make_them(tmp_path):
    with pytest.raises(errors.OperationalError, match="scql certs --catalog"):
        rp.load_tls(tmp_path / "c.toml", "alice")
    assert rp.load_tls(tmp_path / "c.toml", "alice", insecure=True) is None
