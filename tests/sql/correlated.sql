-- catalog: ../../catalogs/types.toml
-- party: alice
-- Correlated subqueries, decorrelated into grouped queries joined back onto the outer
-- rows; EXISTS / IN inside OR and in the select list; ANY / ALL; subqueries in HAVING.
-- On the asker's own table, over a UNION ALL across parties, and across parties (MPC).
-- NULL semantics (NOT IN, ALL, a NULL in the subquery, an empty subquery) are DuckDB's.

-- name: correlated_scalar_own_table
SELECT a.id, a.i FROM t_alice AS a WHERE a.i > (SELECT AVG(b.i) FROM t_alice AS b WHERE b.k = a.k);

-- name: correlated_scalar_across_parties
SELECT a.id, a.k FROM t_alice AS a WHERE a.i > (SELECT AVG(b.i) FROM t_bob AS b WHERE b.k = a.k);

-- name: correlated_scalar_count_is_zero_over_no_rows
SELECT a.id, (SELECT COUNT(*) FROM t_bob AS b WHERE b.k = a.k AND b.id < 40) AS n FROM t_alice AS a WHERE a.id < 12;

-- name: correlated_scalar_coalesce_over_no_rows
SELECT a.id, (SELECT COALESCE(SUM(b.i), -1) FROM t_carol AS b WHERE b.k = a.k AND b.id > 95) AS s FROM t_alice AS a WHERE a.id < 12;

-- name: correlated_scalar_tpch_q17_shape
-- catalog: ../../catalogs/types_open.toml
SELECT SUM(a.i) AS si, COUNT(*) AS n FROM t_alice AS a, t_bob AS b
WHERE a.id = b.id - 25 AND a.k = 2 AND b.i < (SELECT 0.5 * AVG(c.i) FROM t_carol AS c WHERE c.k = b.k);

-- name: correlated_scalar_two_keys
SELECT a.id FROM t_alice AS a WHERE a.id <= (SELECT MAX(b.id) - 60 FROM t_bob AS b WHERE b.k = a.k AND b.s = a.s);

-- name: correlated_scalar_on_an_id
SELECT id FROM t_alice AS a WHERE k > (SELECT AVG(k) FROM t_bob AS b WHERE b.id = a.id);

-- name: correlated_scalar_over_union
SELECT a.id, a.k FROM t_alice AS a
WHERE a.i >= (SELECT MIN(u.i) FROM (SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) AS u WHERE u.k = a.k);

-- name: correlated_scalar_outer_union
SELECT u.id FROM (SELECT id, k, i FROM t_bob UNION ALL SELECT id, k, i FROM t_carol) AS u
WHERE u.id > (SELECT AVG(a.id) + 30 FROM t_alice AS a WHERE a.k = u.k);

-- name: correlated_scalar_inside_an_aggregate
SELECT SUM((SELECT MAX(b.id) FROM t_bob AS b WHERE b.k = a.k)) AS s FROM t_alice AS a;

-- name: correlated_scalar_in_an_in_subquery_tpch_q20_shape
SELECT a.id FROM t_alice AS a WHERE a.id IN (
  SELECT b.id - 25 FROM t_bob AS b WHERE b.id > (SELECT MIN(c.id) - 40 FROM t_carol AS c WHERE c.k = b.k));

-- name: exists_not_equal_correlation_tpch_q21_shape
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n FROM t_alice AS a
WHERE EXISTS (SELECT 1 FROM t_bob AS b WHERE b.k = a.k AND b.s <> a.s)
  AND NOT EXISTS (SELECT 1 FROM t_carol AS c WHERE c.k = a.k AND c.s <> a.s AND c.i > 0);

-- name: exists_not_equal_own_table
SELECT a.id FROM t_alice AS a WHERE EXISTS (SELECT 1 FROM t_alice AS b WHERE b.k = a.k AND b.id <> a.id AND b.i > 40);

-- name: exists_less_than_correlation
SELECT a.id FROM t_alice AS a WHERE EXISTS (SELECT 1 FROM t_bob AS b WHERE b.k = a.k AND b.i < a.i);

-- name: not_exists_greater_equal_correlation
SELECT a.id FROM t_alice AS a WHERE NOT EXISTS (SELECT 1 FROM t_carol AS c WHERE c.k = a.k AND a.i >= c.i);

-- name: exists_only_a_non_equality
SELECT a.id FROM t_alice AS a WHERE EXISTS (SELECT 1 FROM t_bob AS b WHERE b.i > a.i);

-- name: exists_uncorrelated
SELECT COUNT(*) AS n FROM t_alice WHERE EXISTS (SELECT 1 FROM t_bob WHERE id > 70);

-- name: not_exists_uncorrelated_empty
SELECT COUNT(*) AS n FROM t_alice WHERE NOT EXISTS (SELECT 1 FROM t_bob WHERE id > 700);

-- name: exists_with_a_join_inside
SELECT a.id FROM t_alice AS a WHERE EXISTS (SELECT 1 FROM t_bob AS b JOIN t_carol AS c ON b.k = c.k WHERE b.id = a.id AND c.id > 95);

-- name: exists_inside_or
SELECT a.id FROM t_alice AS a WHERE a.id < 3 OR EXISTS (SELECT 1 FROM t_bob AS b WHERE b.id = a.id AND b.k > 2);

-- name: not_exists_inside_or_over_union
SELECT u.id FROM (SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u
WHERE u.k = 0 OR NOT EXISTS (SELECT 1 FROM t_alice AS a WHERE a.id = u.id);

-- name: exists_in_select_list
SELECT a.id, EXISTS (SELECT 1 FROM t_bob AS b WHERE b.id = a.id) AS e FROM t_alice AS a WHERE a.id > 20;

-- name: in_subquery_in_select_list_with_nulls
SELECT id, k IN (SELECT k FROM t_bob WHERE id < 30) AS m FROM t_alice;

-- name: not_in_subquery_in_select_list_with_a_null
SELECT id, k NOT IN (SELECT k FROM t_bob) AS m FROM t_alice;

-- name: in_subquery_inside_or
SELECT id FROM t_alice WHERE id < 3 OR k IN (SELECT k FROM t_carol WHERE id > 90);

-- name: not_in_inside_or_empty_subquery
SELECT id FROM t_alice WHERE id > 45 OR NOT (k IN (SELECT k FROM t_carol WHERE id > 900));

-- name: in_subquery_on_an_expression
SELECT id FROM t_alice WHERE k + 1 IN (SELECT k FROM t_bob WHERE id < 40);

-- name: in_subquery_in_select_list_after_join
SELECT a.id, b.k IN (SELECT k FROM t_carol WHERE id > 90) AS m FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: greater_than_any
SELECT id FROM t_alice WHERE k > ANY (SELECT k FROM t_bob WHERE id < 30);

-- name: less_equal_all
SELECT id FROM t_alice WHERE k <= ALL (SELECT k FROM t_bob WHERE id < 30);

-- name: all_with_a_null_is_never_true
SELECT id FROM t_alice WHERE k < ALL (SELECT k FROM t_bob);

-- name: not_all_with_a_null
SELECT id FROM t_alice WHERE NOT (k < ALL (SELECT k FROM t_bob));

-- name: all_over_no_rows_is_true
SELECT COUNT(*) AS n FROM t_alice WHERE k > ALL (SELECT k FROM t_bob WHERE id > 900);

-- name: any_over_no_rows_is_false
SELECT COUNT(*) AS n FROM t_alice WHERE k > ANY (SELECT k FROM t_bob WHERE id > 900);

-- name: quantified_in_select_list
SELECT id, k >= ANY (SELECT k FROM t_carol WHERE id > 90) AS anyk, k <> ALL (SELECT k FROM t_carol WHERE id > 90) AS allk,
  k = ANY (SELECT k FROM t_carol WHERE id > 90) AS eqk, k = ALL (SELECT k FROM t_carol WHERE id > 97) AS alleq,
  k <> ANY (SELECT k FROM t_carol WHERE id > 90) AS neany FROM t_alice;

-- name: any_over_union
SELECT id FROM t_alice WHERE i > ANY (SELECT i FROM t_bob WHERE id < 30 UNION ALL SELECT i FROM t_carol WHERE id > 95);

-- name: having_scalar_subquery_tpch_q11_shape
SELECT k, SUM(i) AS si FROM t_alice GROUP BY k HAVING SUM(i) > (SELECT SUM(i) * 0.1 FROM t_bob);

-- name: having_scalar_subquery_after_join
SELECT a.k, COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id GROUP BY a.k
HAVING COUNT(*) > (SELECT COUNT(*) / 10 FROM t_carol);

-- name: correlated_scalar_without_aggregate_refused
-- error: NotSupportedError does not aggregate
SELECT a.id, (SELECT b.k FROM t_bob AS b WHERE b.id = a.id) AS k FROM t_alice AS a;

-- name: correlated_scalar_secret_refused
-- error: SecurityError secret
SELECT a.id FROM t_alice AS a WHERE a.i > (SELECT MAX(b.secret) FROM t_bob AS b WHERE b.k = a.k);

-- name: correlated_scalar_with_a_join_inside_tpch_q2_shape
SELECT a.id, b.id AS bid FROM t_alice AS a, t_bob AS b WHERE a.k = b.k AND a.id < 10
AND b.id = (SELECT MIN(b2.id) FROM t_bob AS b2, t_carol AS c WHERE b2.k = c.k AND c.id > 90 AND b2.k = a.k);

-- name: cte_used_twice_tpch_q15_shape
WITH r AS (SELECT k, SUM(i) AS t FROM t_bob GROUP BY k) SELECT k, t FROM r WHERE t = (SELECT MAX(t) FROM r);

-- Correlated IN / NOT IN / ANY / ALL (sql/correlated_quantifiers.py): a WHERE conjunct
-- IN or ANY is an EXISTS; elsewhere SQL's three-valued answer from EXISTS and
-- correlated counts and extremes (NULL x, a NULL in the group, an empty group).

-- name: correlated_in_own_table
SELECT a.id FROM t_alice AS a WHERE a.k IN (SELECT b.k FROM t_alice AS b WHERE b.s = a.s AND b.id <> a.id);

-- name: correlated_not_in_own_table_nulls
SELECT a.id FROM t_alice AS a WHERE a.k NOT IN (SELECT b.k FROM t_alice AS b WHERE b.s = a.s AND b.i > 10);

-- name: correlated_in_across_parties
SELECT a.id FROM t_alice AS a WHERE a.k IN (SELECT b.k FROM t_bob AS b WHERE b.id = a.id);

-- name: correlated_not_in_across_parties
SELECT a.id FROM t_alice AS a WHERE a.k NOT IN (SELECT b.k FROM t_bob AS b WHERE b.id = a.id);

-- name: correlated_in_in_select_list
SELECT a.id, a.k IN (SELECT b.k FROM t_bob AS b WHERE b.s = a.s) AS m FROM t_alice AS a;

-- name: correlated_in_over_union
SELECT a.id FROM t_alice AS a
WHERE a.k NOT IN (SELECT u.k FROM (SELECT s, k FROM t_bob UNION ALL SELECT s, k FROM t_carol) AS u WHERE u.s = a.s);

-- name: correlated_in_outer_union
SELECT u.id FROM (SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u
WHERE u.k IN (SELECT a.k FROM t_alice AS a WHERE a.s = u.s AND a.id < 30);

-- name: correlated_in_after_join
SELECT a.id, b.id AS bid FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE b.k NOT IN (SELECT c.k FROM t_carol AS c WHERE c.s = a.s);

-- name: correlated_greater_than_any
SELECT a.id FROM t_alice AS a WHERE a.i > ANY (SELECT b.i FROM t_bob AS b WHERE b.k = a.k);

-- name: correlated_greater_than_all_empty_groups_true
SELECT a.id FROM t_alice AS a WHERE a.i > ALL (SELECT b.i FROM t_bob AS b WHERE b.k = a.k AND b.id > 60);

-- name: correlated_not_less_equal_any
SELECT a.id FROM t_alice AS a WHERE NOT (a.i <= ANY (SELECT b.i FROM t_bob AS b WHERE b.k = a.k));

-- name: correlated_quantifiers_in_select_list
SELECT a.id, a.k = ALL (SELECT b.k FROM t_bob AS b WHERE b.s = a.s) AS eqall,
  a.k <> ANY (SELECT b.k FROM t_bob AS b WHERE b.s = a.s) AS neany,
  a.k <> ALL (SELECT b.k FROM t_bob AS b WHERE b.s = a.s) AS neall,
  a.i < ALL (SELECT b.i FROM t_carol AS b WHERE b.k = a.k) AS ltall FROM t_alice AS a;

-- name: correlated_any_own_table
SELECT a.id FROM t_alice AS a WHERE a.i >= ANY (SELECT b.i FROM t_alice AS b WHERE b.k = a.k AND b.s = a.s AND b.id > 30);

-- name: correlated_any_with_a_second_inequality_refused
-- error: NotSupportedError more than one comparison
SELECT a.id FROM t_alice AS a WHERE a.i >= ANY (SELECT b.i FROM t_alice AS b WHERE b.k = a.k AND b.id > a.id);

-- name: correlated_all_after_join
SELECT a.id FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE b.c < ALL (SELECT c.c FROM t_carol AS c WHERE c.k = a.k);

-- name: correlated_all_on_aggregate_only_columns_refused
-- error: SecurityError which rows pass
SELECT a.id FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE b.i < ALL (SELECT c.i FROM t_carol AS c WHERE c.k = a.k);

-- Quantifiers over expressions: the tested value, the subquery's column and the outer
-- side of a correlation may each be an expression (the outer one is computed as a column
-- of the outer rows and joined on).

-- name: correlated_in_of_expressions_own_table
SELECT a.id FROM t_alice AS a WHERE a.k + 1 IN (SELECT b.k + 1 FROM t_alice AS b WHERE b.id = a.id + 1);

-- name: correlated_in_of_expressions_across_parties
SELECT a.id FROM t_alice AS a WHERE a.k + 1 IN (SELECT b.k * 2 FROM t_bob AS b WHERE b.s = a.s);

-- name: correlated_not_in_of_expressions_across_parties
SELECT a.id FROM t_alice AS a WHERE a.k + 1 NOT IN (SELECT b.k * 2 FROM t_bob AS b WHERE b.s = a.s);

-- name: correlated_all_of_expressions_over_union
SELECT u.id FROM (SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u
WHERE u.k * 2 >= ALL (SELECT a.k + 1 FROM t_alice AS a WHERE a.s = u.s);

-- name: correlated_any_of_expressions_after_join
SELECT a.id FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k + b.k > ANY (SELECT c.k * 2 FROM t_carol AS c WHERE c.s = b.s);

-- name: correlated_quantifiers_of_expressions_in_select_list
-- (an ALL of expressions, three-valued as here, is correlated_all_of_expressions_over_union)
SELECT a.id, a.k - 1 IN (SELECT c.k FROM t_carol AS c WHERE c.id = a.id + 50) AS isin,
  a.id % 3 <> ALL (SELECT c.k FROM t_carol AS c WHERE c.s = a.s) AS neall FROM t_alice AS a;

-- name: correlated_in_inside_a_parenthesised_and
-- a parenthesised AND is split like a bare one: the IN is a semi-join, the NOT IN an anti-join
SELECT a.id FROM t_alice AS a
WHERE (a.id > 3 AND a.k IN (SELECT b.k FROM t_bob AS b WHERE b.s = a.s))
  AND (a.k NOT IN (SELECT c.k FROM t_carol AS c WHERE c.id = a.id + 50) AND a.id < 45);

-- name: correlated_in_of_a_constant
SELECT a.id FROM t_alice AS a WHERE 2 IN (SELECT b.k FROM t_bob AS b WHERE b.id = a.id);

-- name: correlated_exists_on_an_outer_expression
SELECT a.id FROM t_alice AS a WHERE EXISTS (SELECT 1 FROM t_bob AS b WHERE b.id = a.id + 25 AND b.k > 1);

-- name: correlated_scalar_on_an_outer_expression
SELECT a.id FROM t_alice AS a WHERE a.id + 25 > (SELECT MIN(b.id) FROM t_bob AS b WHERE b.k = a.k % 3);

-- name: correlated_scalar_by_an_inequality_refused
-- error: NotSupportedError other than equalities (SELECT COUNT(*) FROM
SELECT a.id, (SELECT COUNT(*) FROM t_bob AS b WHERE b.k = a.k AND b.id > a.id - 30) AS n FROM t_alice AS a;

-- name: correlated_in_of_an_aggregate_refused
-- error: NotSupportedError tested against SUM(a.i)
SELECT a.k, SUM(a.i) IN (SELECT b.i FROM t_bob AS b WHERE b.k = a.k) AS x FROM t_alice AS a GROUP BY a.k;

-- name: correlated_in_secret_refused
-- error: SecurityError secret
SELECT a.id FROM t_alice AS a WHERE a.k IN (SELECT b.secret FROM t_bob AS b WHERE b.id = a.id);

-- A correlated subquery is restricted to the keys of the outer table's rows that pass
-- its WHERE conditions, where both are one owner's (sql/correlated_restriction.py)

-- name: restricted_correlated_min_after_join
SELECT a.id, b.k FROM t_alice AS a, t_bob AS b
WHERE a.id = b.id AND a.k > 1 AND a.i = (SELECT MIN(a2.i) FROM t_alice AS a2 WHERE a2.k = a.k);

-- name: restricted_exists_and_not_exists_after_join
SELECT a.id, b.k FROM t_alice AS a, t_bob AS b
WHERE a.id = b.id AND a.id < 40
AND EXISTS (SELECT 1 FROM t_alice AS a2 WHERE a2.k = a.k AND a2.id <> a.id)
AND NOT EXISTS (SELECT 1 FROM t_alice AS a3 WHERE a3.k = a.k AND a3.id - 20 > a.id);

-- name: restricted_to_null_keys
SELECT COUNT(*) AS n FROM t_alice AS a, t_bob AS b
WHERE a.id = b.id AND a.k IS NULL AND NOT EXISTS (SELECT 1 FROM t_alice AS a2 WHERE a2.k = a.k);

-- name: restricted_correlated_sum_of_another_owner
SELECT b.id, b.k FROM t_bob AS b, t_carol AS c
WHERE b.k = c.k AND b.id > 30 AND c.id > (SELECT SUM(b2.k) FROM t_bob AS b2 WHERE b2.id = b.id);

-- a value of aggregates over no rows is folded to a NULL where it must be one: a bare
-- NULL has no type, and NULL + INTERVAL could be a date, a timestamp or an interval
-- (seed 90009:23)
-- name: correlated_scalar_interval_of_an_aggregate_over_no_rows
-- secure-error: NotSupportedError INTERVAL arithmetic
SELECT a.id, (SELECT MAX(b.ts) + INTERVAL 30 HOUR FROM t_bob AS b WHERE b.k = a.k AND b.id > 95) AS t FROM t_alice AS a WHERE a.id < 12;

-- name: correlated_scalar_date_add_of_an_aggregate_over_no_rows
SELECT a.id, (SELECT DATE_ADD(MIN(b.d), INTERVAL 3 DAY) FROM t_bob AS b WHERE b.k = a.k AND b.id > 95) AS t FROM t_alice AS a WHERE a.id < 12;
