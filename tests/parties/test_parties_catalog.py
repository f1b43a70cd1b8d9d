"""Catalogs of any size: the ``compute`` key, two organisations alone, data parties."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scql_py.catalog import CatalogError, load_catalog
from scql_py.cluster.federation import Federation

CATALOGS = Path(__file__).resolve().parents[2] / "catalogs"
HELPER = '''[parties.helper]                 # compute-only: no table, no grant
storage = ":memory:"
address = "127.0.0.1:7203"
'''


def _two_orgs(tmp_path: Path, text: str) -> Path:
    shutil.copytree(CATALOGS / "two_orgs", tmp_path / "two_orgs", dirs_exist_ok=True)
    path = tmp_path / "two.toml"
    path.write_text(text)
    return path


def test_two_parties_alone_are_told_the_lines_to_add(tmp_path):
    text = (CATALOGS / "two_orgs.toml").read_text()
    assert HELPER in text
    alone = text.replace(HELPER, "").replace('compute = ["bank", "retailer", "helper"]\n', "")
    with pytest.raises(CatalogError) as info:
        load_catalog(_two_orgs(tmp_path, alone))
    message = str(info.value)
    assert "parties: protocol rss3 needs 3 computing parties and the catalog has 2" in message
    assert "compute-only party" in message and "collude" in message
    # the lines it shows, added as they are, make a valid catalog
    section = "\n".join(line.strip() for line in message.splitlines()
                        if line.startswith("    "))
    compute = re.search(r"in \[catalog\]: (compute = \[.*\])", message).group(1)
    fixed = alone.replace('protocol = "rss3"\n', f'protocol = "rss3"\n{compute}\n') + \
        "\n" + section + "\n"
    catalog = load_catalog(_two_orgs(tmp_path, fixed))
    assert catalog.compute == ("bank", "retailer", "helper")
    assert catalog.data_parties == []


def test_a_shared_table_is_owned_by_a_computing_party(tmp_path):
    text = (Path(__file__).resolve().parents[1] / "sql" / "parties" / "five.toml").read_text()
    text += '\n[tables.pooled]\nowner = "dave"\nshared = true\ncolumns = { v = "int64" }\n'
    path = tmp_path / "five.toml"
    path.write_text(text)
    with pytest.raises(CatalogError, match=r"tables\.pooled\.owner: a shared table is stored "
                       r"by the computing parties .* not by data party 'dave'"):
        load_catalog(path)


def test_ten_people_each_in_their_own_party():
    catalog = load_catalog(CATALOGS / "ten_people.toml")
    assert len(catalog.parties) == 10 and catalog.compute == ("alice", "bob", "carol")
    union = " UNION ALL ".join(f"SELECT income FROM {p}_income" for p in catalog.parties)
    sql = f"SELECT AVG(income) AS a, COUNT(*) AS n FROM ({union}) AS t"
    with Federation(catalog) as fed:
        for asker in ("judy", "alice"):
            result = fed.execute(asker, sql)
            assert result.table.to_pylist() == [{"a": 5900.0, "n": 10}]
        text = fed.explain("judy", sql)
    assert "computing parties: alice, bob, carol" in text
    assert "data party judy: works on its own rows, sends its rows as secret shares, " \
           "receives the result" in text
    assert "data party dave: works on its own rows, sends its rows as secret shares\n" in text
    learns = text.split("what each party learns:")[1]
    assert "\n  dave: its own rows of s7\n" in learns  # not even the others' counts
    assert "  carol: the row count of alice's rows" in learns
