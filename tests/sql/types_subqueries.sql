-- catalog: ../../catalogs/types.toml
-- party: alice
-- Uncorrelated subqueries outside FROM: scalar values and IN (SELECT ...) semi-joins.

-- name: scalar_subquery_in_where
SELECT id FROM t_alice WHERE k > (SELECT AVG(k) FROM t_bob);

-- name: scalar_subquery_in_select
SELECT COUNT(*) AS n, SUM(i) - (SELECT SUM(i) FROM t_bob) AS diff FROM t_carol;

-- name: scalar_subquery_over_union
SELECT id, k - (SELECT MIN(k) FROM (SELECT k FROM t_bob UNION ALL SELECT k FROM t_carol) AS u) AS dk
FROM t_alice;

-- name: scalar_subquery_empty_is_null
SELECT id, (SELECT MAX(k) FROM t_bob WHERE id < 0) AS nothing FROM t_alice WHERE id < 5;

-- name: in_subquery_semi_join
SELECT id, k FROM t_alice WHERE id IN (SELECT id FROM t_bob);

-- name: in_subquery_with_duplicates_and_filter
SELECT COUNT(*) AS n, SUM(i) AS si FROM t_alice WHERE k IN (SELECT k FROM t_carol WHERE id > 60) AND id > 10;

-- name: not_in_subquery_anti_join
SELECT id, k FROM t_alice WHERE k NOT IN (SELECT k FROM t_bob WHERE k IS NOT NULL AND id > 60);

-- name: not_in_subquery_with_a_null_gives_nothing
SELECT COUNT(*) AS n FROM t_alice WHERE k NOT IN (SELECT k FROM t_bob);

-- name: exists_correlated
SELECT id, k FROM t_alice AS a WHERE EXISTS (SELECT 1 FROM t_carol AS c WHERE c.id = a.id);

-- name: not_exists_correlated_with_filter
SELECT COUNT(*) AS n, SUM(a.i) AS si FROM t_alice AS a
WHERE NOT EXISTS (SELECT 1 FROM t_bob AS b WHERE b.k = a.k AND b.id > 40);

-- SELECT without FROM inside another query: its constant (sql/constant_subqueries.py)

-- name: constant_subquery_own_table
SELECT id FROM t_alice WHERE id > (SELECT 45);

-- name: constant_subquery_in_list_and_all
SELECT id FROM t_alice WHERE k IN (SELECT 2) OR k < ALL (SELECT 1);

-- name: constant_subquery_in_select_list
SELECT id, (SELECT 'x') AS y FROM t_alice WHERE id < 5;

-- name: constant_subquery_over_union
SELECT u.id FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob) AS u WHERE u.k = (SELECT 1 + 1);

-- name: constant_subquery_after_join
SELECT a.id FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id WHERE b.k >= (SELECT 2) AND a.i > ANY (SELECT 0);

-- name: constant_derived_table_refused
-- error: NotSupportedError SELECT without FROM inside another query
SELECT * FROM (SELECT 1 AS a) AS t;

-- A WHERE subquery over the tables of one FROM table's owner, after a join across
-- parties: that owner filters its table before the join (sql/owner_subqueries.py)

-- name: owner_in_subquery_after_join
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k IN (SELECT k FROM t_alice WHERE id > 30);

-- name: owner_in_grouped_subquery_after_join
SELECT a.k, b.s, COUNT(*) AS n FROM t_alice AS a, t_bob AS b
WHERE a.id = b.id AND a.k IN (SELECT k FROM t_alice GROUP BY k HAVING COUNT(*) > 2)
GROUP BY a.k, b.s;

-- name: owner_not_in_subquery_after_join
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k NOT IN (SELECT k FROM t_alice WHERE k IS NOT NULL AND id > 40);

-- name: owner_not_in_subquery_with_a_null_after_join
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k NOT IN (SELECT k FROM t_alice);

-- name: owner_not_in_empty_subquery_after_join
SELECT a.id, a.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k NOT IN (SELECT k FROM t_alice WHERE id < 0);

-- name: owner_exists_not_equal_after_join
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE EXISTS (SELECT 1 FROM t_alice AS a2 WHERE a2.k = a.k AND a2.id <> a.id)
AND NOT EXISTS (SELECT 1 FROM t_alice AS a3 WHERE a3.k = a.k AND a3.id <> a.id AND a3.c > 5);

-- name: owner_in_or_condition_after_join
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k IN (SELECT k FROM t_alice WHERE id > 45) OR a.id < 30;

-- name: owner_in_subquery_of_another_party_after_join
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE b.k IN (SELECT k FROM t_bob WHERE id > 60) AND a.k IN (SELECT k FROM t_carol);

-- name: owner_in_subquery_beside_left_join
SELECT a.id, b.k FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id
WHERE a.k IN (SELECT k FROM t_alice WHERE id > 30);

-- name: owner_in_subquery_on_the_outer_side_of_left_join
SELECT a.id, b.k FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id
WHERE b.k IN (SELECT k FROM t_bob WHERE id > 60);

-- name: owner_exists_correlated_with_two_tables_after_join
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE EXISTS (SELECT 1 FROM t_alice AS a2 WHERE a2.k = a.k AND a2.id <> b.id);
