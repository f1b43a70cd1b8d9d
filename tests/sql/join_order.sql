-- catalog: ../../catalogs/types.toml
-- party: alice
-- Inner joins in any FROM order (the join graph of every equality of WHERE and ON),
-- equalities common to every branch of an OR (TPC-H Q19), cross joins; on the asker's
-- own table, over a UNION ALL across parties, and across parties (MPC).

-- name: own_table_comma_joins_out_of_order
SELECT a.id, b.id AS bid, c.k FROM t_alice AS a, t_alice AS b, t_alice AS c
WHERE a.id = c.id AND b.k = c.k AND a.id < 6;

-- name: three_parties_comma_joins_out_of_order
SELECT COUNT(*) AS n, SUM(a.k) AS sk, SUM(b.i) AS si FROM t_alice AS a, t_carol AS c, t_bob AS b
WHERE a.id = b.id AND b.k = c.k;

-- name: join_on_then_comma_out_of_order
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_carol AS c ON a.k = c.k, t_bob AS b
WHERE b.id = c.id - 25 AND b.k = a.k;

-- name: union_branch_joined_out_of_order
SELECT COUNT(*) AS n, SUM(u.i) AS si FROM t_alice AS a, t_carol AS c,
  (SELECT id, i FROM t_bob UNION ALL SELECT id, i FROM t_carol) AS u
WHERE u.id = a.id AND c.id = u.id + 25;

-- name: or_common_equality_own_table
SELECT a.id, b.k FROM t_alice AS a, t_alice AS b
WHERE (a.id = b.id AND a.k > 2) OR (b.id = a.id AND b.i < 0);

-- name: or_common_equality_across_parties
SELECT COUNT(*) AS n, SUM(b.i) AS si FROM t_alice AS a, t_bob AS b
WHERE (a.id = b.id AND a.k > 1 AND b.k < 3) OR (b.id = a.id AND b.k = 4) OR (a.id = b.id AND a.k IS NULL);

-- name: or_branch_of_only_the_common_equality
SELECT COUNT(*) AS n FROM t_alice AS a, t_carol AS c WHERE (a.k = c.k AND c.id > 90) OR a.k = c.k;

-- name: or_common_equality_over_union
SELECT COUNT(*) AS n, SUM(u.i) AS si FROM t_alice AS a, (SELECT id, k, i FROM t_bob UNION ALL SELECT id, k, i FROM t_carol) AS u
WHERE (a.id = u.id AND u.k = 1) OR (u.id = a.id AND u.k = 2);

-- name: cross_join_own_table
SELECT a.id, b.id AS bid FROM t_alice AS a CROSS JOIN t_alice AS b WHERE a.id < 3 AND b.id > 48;

-- name: cross_join_across_parties
SELECT a.id, c.id AS cid FROM t_alice AS a, t_carol AS c WHERE a.id < 4 AND c.id > 97;

-- name: cross_join_count
SELECT COUNT(*) AS n, SUM(c.i) AS si FROM t_alice AS a CROSS JOIN t_carol AS c WHERE a.k = 1;

-- name: cross_join_of_union
SELECT COUNT(*) AS n FROM t_alice AS a, (SELECT id FROM t_bob UNION ALL SELECT id FROM t_carol) AS u
WHERE a.id < 5;

-- name: cross_join_then_equality
SELECT COUNT(*) AS n FROM t_alice AS a, t_bob AS b, t_carol AS c WHERE a.id = c.id - 50 AND b.id < 30;

-- name: cross_join_of_an_aggregate
SELECT a.id, a.k - m.mk AS dk FROM t_alice AS a, (SELECT MIN(k) AS mk FROM t_bob) AS m WHERE a.id < 5;

-- name: cross_join_secret_refused
-- error: SecurityError secret
SELECT a.id, b.secret FROM t_alice AS a, t_bob AS b WHERE a.id < 3;

-- name: left_join_without_equality_refused
-- error: NotSupportedError LEFT JOIN
SELECT a.id FROM t_alice AS a LEFT JOIN t_bob AS b ON a.k > b.k;

-- name: inequality_join_is_a_cross_join_and_a_filter
SELECT COUNT(*) AS n, SUM(b.i) AS si FROM t_alice AS a JOIN t_bob AS b ON a.k < b.k WHERE a.id < 10;

-- One owner's tables that an equality joins are joined first, at that owner, wherever
-- FROM names them (here alice's two copies of t_alice, around another party's table).
-- name: one_owners_tables_joined_first_across_parties
SELECT COUNT(*) AS n, SUM(b.i) AS si, SUM(a2.i) AS sa FROM t_bob AS b, t_alice AS a1, t_alice AS a2
WHERE b.id = a1.id AND a1.k = a2.k;

-- name: one_owners_tables_joined_first_beside_a_union
SELECT COUNT(*) AS n, SUM(u.i) AS si FROM (SELECT id, i FROM t_bob UNION ALL SELECT id, i FROM t_carol) AS u,
t_alice AS a1, t_alice AS a2 WHERE u.id = a1.id AND a1.k = a2.k;

-- name: one_owners_tables_joined_first_then_grouped_by_their_keys
SELECT a1.k, COUNT(*) AS n, SUM(c.i) AS si FROM t_carol AS c, t_alice AS a1, t_alice AS a2
WHERE c.id = a2.id AND a1.id = a2.id GROUP BY a1.k ORDER BY a1.k;

-- name: one_owners_tables_joined_first_own_rows
SELECT a1.id, a2.k FROM t_alice AS a1, t_bob AS b, t_alice AS a2
WHERE a1.k = a2.k AND a1.id = b.id AND a1.id < 8 ORDER BY a1.id, a2.k;

-- The tables of one owner that follow the first group are joined at that owner first,
-- then with the rows before them (join_graph.owner_runs)

-- name: owner_run_joined_at_its_owner
SELECT a.id, b1.s, b2.k FROM t_alice AS a, t_alice AS a2, t_bob AS b1, t_bob AS b2
WHERE a.id = b1.id AND b1.k = b2.k AND b2.id > 40 AND a2.id = a.id + 1;

-- name: owner_run_grouped_by_its_owners_columns
SELECT b1.s, b2.k, COUNT(*) AS n, SUM(a.k) AS sk
FROM t_alice AS a, t_bob AS b1, t_alice AS a2, t_bob AS b2
WHERE a.id = b1.id AND b2.id = b1.id + 1 AND a2.k = a.k GROUP BY b1.s, b2.k;

-- name: owner_run_with_a_condition_across_its_tables
SELECT COUNT(*) AS n, SUM(a.i) AS si FROM t_carol AS c2, t_alice AS a, t_carol AS c1, t_alice AS a2
WHERE c1.id = a.id AND c1.k = c2.k AND c2.id > c1.id AND a.k < 6 AND a2.id = a.id;

-- name: owner_runs_of_two_parties_after_the_first
SELECT a.id, b1.k, c1.s FROM t_alice AS a, t_bob AS b1, t_carol AS c1, t_bob AS b2, t_carol AS c2
WHERE a.id = b1.id AND b1.k = b2.k AND a.id = c1.id - 25 AND c1.k = c2.k AND b2.id < 60
AND c2.id > 80;

-- Columns a WHERE makes equal through another party's table: one owner's two tables
-- are joined by their own equality (sql/equivalent_keys.py), NULLs never match

-- name: equal_keys_through_another_party
SELECT b1.id, a.id AS aid, b2.id AS bid FROM t_bob AS b1, t_alice AS a, t_alice AS a2, t_bob AS b2
WHERE b1.k = a.k AND a.k = b2.k AND a2.id = a.id AND b2.id < 40;

-- name: equal_strings_through_another_party
SELECT COUNT(*) AS n, SUM(a.i) AS si FROM t_alice AS a, t_alice AS a2, t_carol AS c1, t_carol AS c2
WHERE a.s = c1.s AND c2.s = a.s AND a2.id = a.id AND c1.id <> c2.id;

-- name: equal_keys_of_two_types_stay_as_written
SELECT COUNT(*) AS n FROM t_bob AS b1, t_alice AS a, t_alice AS a2, t_bob AS b2
WHERE b1.k = a.k AND a.k = b2.m AND a2.id = a.id;

-- An OR over several tables implies a condition on each table every branch filters:
-- it filters that table first, and the OR stays (sql/or_implied.py)

-- name: or_implies_a_condition_per_table
SELECT a.id, b.k FROM t_alice AS a, t_bob AS b
WHERE a.id = b.id AND ((a.k = 1 AND b.k = 2) OR (a.k = 2 AND b.k < 1) OR (a.k IS NULL AND b.s > 'm'));

-- name: or_implies_a_condition_on_one_table_only
SELECT COUNT(*) AS n, SUM(b.i) AS si FROM t_alice AS a, t_bob AS b, t_carol AS c
WHERE a.id = b.id AND b.k = c.k AND ((a.k > 2 AND c.id > 80) OR (a.k < 0 AND b.id = c.id));

-- name: or_implied_conditions_beside_a_left_join
SELECT a.id, b.k FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id
WHERE (a.k = 1 AND b.k = 2) OR (a.k = 3 AND b.k IS NULL);
