"""TPC-H over three parties: data from ``tpchgen-cli`` (a PyPI package, a test extra),
the eight tables split as in SCQL's setting, and a catalog with role-based CCLs.

- alice: lineitem, orders (the retailer's transactions);
- bob: customer, nation, region (the customer directory and the public geography);
- carol: part, partsupp, supplier (the supply side).

Every column has one *role*, and the role decides what each other party may learn of
it (the owner sees everything); the asker of the tests and the benchmark is alice:

- ``key``: a join key between parties (``l_orderkey``, ``o_custkey``, ``l_partkey``,
  ``l_suppkey``): ``PLAINTEXT_AFTER_JOIN``, so the two owners may learn which of their
  rows match (a PSI join) and the asker may see keys of the rows joined with hers;
- ``measure``: an amount summed or averaged (prices, taxes, costs):
  ``PLAINTEXT_AFTER_AGGREGATE``; the quantities and discounts, also filtered on (Q6,
  Q17, Q19: a condition is a comparison even under a SUM), are ``public``;
- ``compare``: a value only filtered on (dates, statuses, segments, comments):
  ``PLAINTEXT_AFTER_COMPARE``;
- ``group``: a value the standard queries group by (return flag, line status, ship
  mode, order priority, ship priority): ``PLAINTEXT_AFTER_GROUP_BY``;
- ``public``: what the reports print row by row, and reference data: nation and
  region, the part catalogue, the supplier directory, the customer's name, address,
  phone and balance (Q10 prints and groups by ``c_acctbal``, Q22 compares and sums it),
  and the primary keys of the directories, which the queries print (``c_custkey`` in
  Q10/Q18, ``p_partkey`` in Q2, ``s_suppkey`` in Q15, ``ps_partkey`` in Q11) or join
  in queries that read none of the asker's tables (``ps_suppkey``, ``*_nationkey`` in
  Q11: a join's keys count as comparisons shown to the asker, and
  ``PLAINTEXT_AFTER_JOIN`` is lifted only for the parties whose tables are joined),
  and the supply costs and stock of partsupp, which are both summed (Q9, Q11) and
  compared (Q2 with their MIN, Q20 with a sum): under SCQL's levels, which are not
  ordered among themselves, a column both compared and aggregated needs ``PLAINTEXT``.

:data:`ROLES` lists the columns; :func:`write_catalog` writes the TOML.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyarrow as pa

from scql_py.catalog.types import SqlType
from scql_py.testing import catalog_files

OWNERS = {
    "lineitem": "alice", "orders": "alice",
    "customer": "bob", "nation": "bob", "region": "bob",
    "part": "carol", "partsupp": "carol", "supplier": "carol",
}

LEVELS = {
    "key": "PLAINTEXT_AFTER_JOIN",
    "measure": "PLAINTEXT_AFTER_AGGREGATE",
    "compare": "PLAINTEXT_AFTER_COMPARE",
    "group": "PLAINTEXT_AFTER_GROUP_BY",
    "public": "PLAINTEXT",
}

# table -> [(column, catalog type, role)]
_D = "decimal(15,2)"
ROLES: dict[str, list[tuple[str, str, str]]] = {
    "lineitem": [
        ("l_orderkey", "int64", "key"), ("l_partkey", "int64", "key"),
        ("l_suppkey", "int64", "key"), ("l_linenumber", "int64", "compare"),
        # compared (Q6, Q17, Q19) and aggregated: PLAINTEXT
        ("l_quantity", _D, "public"), ("l_extendedprice", _D, "measure"),
        ("l_discount", _D, "public"), ("l_tax", _D, "measure"),
        ("l_returnflag", "string", "group"), ("l_linestatus", "string", "group"),
        ("l_shipdate", "date", "compare"), ("l_commitdate", "date", "compare"),
        ("l_receiptdate", "date", "compare"), ("l_shipinstruct", "string", "compare"),
        ("l_shipmode", "string", "group"), ("l_comment", "string", "compare"),
    ],
    "orders": [
        ("o_orderkey", "int64", "key"), ("o_custkey", "int64", "key"),
        ("o_orderstatus", "string", "compare"), ("o_totalprice", _D, "measure"),
        ("o_orderdate", "date", "compare"), ("o_orderpriority", "string", "group"),
        ("o_clerk", "string", "compare"), ("o_shippriority", "int64", "group"),
        ("o_comment", "string", "compare"),
    ],
    "customer": [
        ("c_custkey", "int64", "public"), ("c_name", "string", "public"),
        ("c_address", "string", "public"), ("c_nationkey", "int64", "public"),
        ("c_phone", "string", "public"), ("c_acctbal", _D, "public"),
        ("c_mktsegment", "string", "compare"), ("c_comment", "string", "public"),
    ],
    "nation": [
        ("n_nationkey", "int64", "public"), ("n_name", "string", "public"),
        ("n_regionkey", "int64", "public"), ("n_comment", "string", "public"),
    ],
    "region": [
        ("r_regionkey", "int64", "public"), ("r_name", "string", "public"),
        ("r_comment", "string", "public"),
    ],
    "part": [
        ("p_partkey", "int64", "public"), ("p_name", "string", "public"),
        ("p_mfgr", "string", "public"), ("p_brand", "string", "public"),
        ("p_type", "string", "public"), ("p_size", "int64", "public"),
        ("p_container", "string", "public"), ("p_retailprice", _D, "public"),
        ("p_comment", "string", "public"),
    ],
    "partsupp": [
        ("ps_partkey", "int64", "public"), ("ps_suppkey", "int64", "public"),
        ("ps_availqty", "int64", "public"), ("ps_supplycost", _D, "public"),
        ("ps_comment", "string", "compare"),
    ],
    "supplier": [
        ("s_suppkey", "int64", "public"), ("s_name", "string", "public"),
        ("s_address", "string", "public"), ("s_nationkey", "int64", "public"),
        ("s_phone", "string", "public"), ("s_acctbal", _D, "public"),
        ("s_comment", "string", "public"),
    ],
}


class GeneratorMissing(RuntimeError):
    """``tpchgen-cli`` is not installed (``pip install -e ".[test]"`` installs it)."""


def generate(directory: Path, scale_factor: float) -> Path:
    """Write the eight tables at ``scale_factor`` as Parquet into ``directory`` (kept if
    already there) and the catalog beside them; return the catalog's path."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / "scale_factor"
    present = all((directory / f"{t}.parquet").is_file() for t in OWNERS)
    if not present or not marker.is_file() or marker.read_text() != str(scale_factor):
        tool = shutil.which("tpchgen-cli")
        if tool is None:
            raise GeneratorMissing("tpchgen-cli is not installed (pip install tpchgen-cli)")
        subprocess.run([tool, "parquet", "-s", str(scale_factor), "-o", str(directory),
                        "--overwrite"], check=True, capture_output=True)
        marker.write_text(str(scale_factor))
    return write_catalog(directory / "tpch.toml")


def write_catalog(path: Path) -> Path:
    """The catalog of the split, its sources ``<table>.parquet`` beside ``path``."""
    tables = {
        table: catalog_files.OwnedTable(
            OWNERS[table],
            pa.schema([(name, SqlType.parse(typ).to_arrow()) for name, typ, _ in columns]),
            ccl={name: LEVELS[role] for name, _, role in columns},
            source=f"{table}.parquet")
        for table, columns in ROLES.items()}
    return catalog_files.write_catalog(path.parent, path.stem, tables, first_port=7501)
