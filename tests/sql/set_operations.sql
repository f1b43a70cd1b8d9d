-- catalog: ../../catalogs/types.toml
-- party: alice
-- UNION (distinct), INTERSECT, EXCEPT: NULL matches NULL, duplicates go; ORDER BY and
-- LIMIT of a set operation. On the asker's own table, across parties (a UNION ALL of
-- their rows, or a membership test under MPC), and after a cross-party join.

-- name: union_own_table
SELECT k, s FROM t_alice WHERE id < 20 UNION SELECT k, s FROM t_alice WHERE id > 10;

-- name: union_across_parties
SELECT k FROM t_alice UNION SELECT k FROM t_bob UNION SELECT k FROM t_carol;

-- name: union_mixed_with_union_all
SELECT k FROM t_alice WHERE id < 5 UNION ALL SELECT k FROM t_bob WHERE id < 30 UNION SELECT k FROM t_carol WHERE id < 53;

-- name: union_ordered_limited
SELECT k, s FROM t_alice UNION SELECT k, s FROM t_bob ORDER BY k DESC, s LIMIT 7;

-- name: union_all_ordered_by_position
SELECT id, k FROM t_alice WHERE id < 4 UNION ALL SELECT id, k FROM t_bob WHERE id < 29 ORDER BY 2, 1;

-- name: union_in_from_then_aggregate
SELECT COUNT(*) AS n, SUM(k) AS sk FROM (SELECT k, s FROM t_alice UNION SELECT k, s FROM t_bob) AS u;

-- name: intersect_own_table
SELECT k, s FROM t_alice WHERE id < 30 INTERSECT SELECT k, s FROM t_alice WHERE id > 20;

-- name: intersect_across_parties_nulls_match
SELECT k, s FROM t_alice INTERSECT SELECT k, s FROM t_bob;

-- name: intersect_dates_and_decimals_as_plain_columns
SELECT id, k FROM t_alice INTERSECT SELECT id, k FROM t_bob;

-- name: except_across_parties
SELECT k, s FROM t_alice EXCEPT SELECT k, s FROM t_carol;

-- name: except_own_table
SELECT k FROM t_alice EXCEPT SELECT k FROM t_alice WHERE id > 10;

-- name: intersect_of_a_union
SELECT k FROM t_alice INTERSECT (SELECT k FROM t_bob WHERE id < 30 UNION ALL SELECT k FROM t_carol WHERE id < 55);

-- name: except_after_join
SELECT a.k, b.s FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id EXCEPT SELECT k, s FROM t_carol;

-- name: intersect_ordered
SELECT s FROM t_alice INTERSECT SELECT s FROM t_bob ORDER BY s;

-- name: intersect_count
SELECT COUNT(*) AS n FROM (SELECT k, s FROM t_alice INTERSECT SELECT k, s FROM t_carol) AS x;

-- name: intersect_in_a_cte
WITH x AS (SELECT id FROM t_alice INTERSECT SELECT id FROM t_bob) SELECT COUNT(*) AS n, MIN(id) AS lo FROM x;

-- name: except_aggregate_only_column_refused
-- error: SecurityError t_carol.i
SELECT k, i FROM t_alice EXCEPT SELECT k, i FROM t_carol;

-- name: intersect_secret_refused
-- error: SecurityError secret
SELECT id FROM t_alice INTERSECT SELECT secret FROM t_bob;

-- name: set_operation_width_mismatch
-- error: ProgrammingError columns
SELECT k, s FROM t_alice UNION SELECT k FROM t_bob;

-- INTERSECT ALL / EXCEPT ALL: each row numbered within its copies on both sides
-- (ROW_NUMBER() OVER (PARTITION BY every column)), then INTERSECT / EXCEPT of the
-- numbered rows: min(m, n) copies, max(m - n, 0) copies.

-- name: intersect_all_own_table
SELECT k, s FROM t_alice INTERSECT ALL SELECT k, s FROM t_alice WHERE id > 20;

-- name: except_all_own_table
SELECT k, s FROM t_alice EXCEPT ALL SELECT k, s FROM t_alice WHERE id > 20;

-- name: intersect_all_across_parties
SELECT k FROM t_alice INTERSECT ALL SELECT k FROM t_bob;

-- name: except_all_across_parties_ordered
SELECT k FROM t_alice EXCEPT ALL SELECT k FROM t_bob ORDER BY k;

-- name: intersect_all_of_a_union
SELECT k FROM t_alice INTERSECT ALL (SELECT k FROM t_bob WHERE id < 40 UNION ALL SELECT k FROM t_carol WHERE id < 70);

-- name: intersect_all_after_join
SELECT a.k, b.s FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id INTERSECT ALL SELECT k, s FROM t_carol;

-- name: except_all_after_join
SELECT a.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id EXCEPT ALL SELECT k FROM t_carol;

-- name: except_all_count
SELECT COUNT(*) AS n FROM (SELECT k FROM t_alice EXCEPT ALL SELECT k FROM t_carol) AS x;

-- name: intersect_all_aggregate_only_column_refused
-- error: SecurityError t_bob.i
SELECT k FROM t_alice INTERSECT ALL SELECT i FROM t_bob;

-- name: intersect_all_counted_aggregate_only_column
-- a single count, as of INTERSECT or of an inner join on the column (SCQL does not
-- protect sizes: DESIGN section 4)
SELECT COUNT(*) AS n FROM (SELECT i FROM t_alice INTERSECT ALL SELECT i FROM t_bob) AS x;
