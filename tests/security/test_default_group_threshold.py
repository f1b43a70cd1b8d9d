"""Without a catalog threshold, groups of another party's PLAINTEXT_AFTER_GROUP_BY keys
with fewer than 4 rows are left out (SCQL 2.0's default), and the asker is told so;
groups of keys it may see anyway are not."""

from __future__ import annotations

SMALL_GROUPS = "SELECT c.tier, COUNT(*) AS n FROM claim c GROUP BY c.tier"


def test_small_groups_of_a_grouped_only_key_are_left_out(attack_fed, attack_oracle):
    res = attack_fed.execute("alice", SMALL_GROUPS)
    assert res.table.to_pylist() == [{"tier": "gold", "n": 37}]
    assert any("2 group(s) with fewer than 4 rows" in m for m in res.messages)


def test_groups_of_its_own_key_are_kept(attack_fed, attack_oracle):
    sql = SMALL_GROUPS
    res = attack_fed.execute("bob", sql)  # bob owns tier: no threshold
    assert sorted(res.table.to_pylist(), key=str) == sorted(
        [{"tier": t, "n": n} for t, n in attack_oracle.sql(sql).fetchall()], key=str)
    assert not res.messages


def test_large_groups_stay(attack_fed, attack_oracle):
    sql = "SELECT c.g, COUNT(*) AS n FROM claim c GROUP BY c.g"
    res = attack_fed.execute("alice", sql)
    assert sorted(r["n"] for r in res.table.to_pylist()) == sorted(
        n for _, n in attack_oracle.sql(sql).fetchall())
