-- catalog: ../../catalogs/types.toml
-- party: alice
-- GROUP BY, HAVING, ORDER BY, DISTINCT and LIMIT over the three parties' tables.
-- k, s, id are PLAINTEXT to everyone (group keys, sort keys); i f b d ts m are
-- PLAINTEXT_AFTER_AGGREGATE. ORDER BY lists end with unique keys so that the order is
-- fully determined.

-- name: group_by_int_key_all_aggregates
SELECT k, COUNT(*) AS n, COUNT(i) AS ni, SUM(i) AS si, AVG(i) AS ai, MIN(i) AS lo, MAX(i) AS hi
FROM (SELECT k, i FROM t_alice UNION ALL SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) AS u
GROUP BY k;

-- name: group_by_string_key
SELECT s, COUNT(*) AS n, SUM(m) AS sm, AVG(f) AS af
FROM (SELECT s, m, f FROM t_alice UNION ALL SELECT s, m, f FROM t_bob UNION ALL SELECT s, m, f FROM t_carol) AS u
GROUP BY s;

-- name: group_by_two_keys_with_nulls
SELECT k, s, COUNT(*) AS n, MIN(d) AS first_day, MAX(ts) AS last_ts
FROM (SELECT k, s, d, ts FROM t_alice UNION ALL SELECT k, s, d, ts FROM t_bob UNION ALL SELECT k, s, d, ts FROM t_carol) AS u
GROUP BY k, s;

-- name: group_by_expression
SELECT k % 3 AS bucket, COUNT(*) AS n, SUM(i) AS si
FROM (SELECT k, i FROM t_alice UNION ALL SELECT k, i FROM t_bob) AS u
GROUP BY k % 3;

-- name: group_by_with_where
-- c is PLAINTEXT_AFTER_COMPARE: each group's count shows how many of its rows pass
SELECT k, COUNT(*) AS n, SUM(m) AS sm
FROM (SELECT k, m, c FROM t_alice UNION ALL SELECT k, m, c FROM t_carol) AS u
WHERE c > 5
GROUP BY k;

-- name: group_by_with_where_on_aggregate_only_column
-- A group of one row would show whether that row's i > 0: a comparison result of a
-- column that is only PLAINTEXT_AFTER_AGGREGATE
-- error: SecurityError t_carol.i
SELECT k, COUNT(*) AS n, SUM(m) AS sm
FROM (SELECT k, m, i FROM t_alice UNION ALL SELECT k, m, i FROM t_carol) AS u
WHERE i > 0
GROUP BY k;

-- name: having_on_count_and_sum
SELECT k, COUNT(*) AS n, SUM(i) AS si
FROM (SELECT k, i FROM t_alice UNION ALL SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) AS u
GROUP BY k
HAVING COUNT(*) > 20 AND SUM(i) > 0;

-- name: count_distinct_per_group
SELECT k, COUNT(DISTINCT s) AS ds, COUNT(*) AS n
FROM (SELECT k, s FROM t_alice UNION ALL SELECT k, s FROM t_bob UNION ALL SELECT k, s FROM t_carol) AS u
GROUP BY k;

-- name: count_distinct_without_group
SELECT COUNT(DISTINCT i) AS di, COUNT(*) AS n, SUM(i) AS si
FROM (SELECT i, k FROM t_alice UNION ALL SELECT i, k FROM t_bob) AS u;

-- name: every_row_its_own_group
SELECT id, COUNT(*) AS n, SUM(i) AS si
FROM (SELECT id, i FROM t_alice UNION ALL SELECT id + 1000, i FROM t_bob) AS u
GROUP BY id;

-- name: all_rows_one_group
SELECT k0, COUNT(*) AS n, SUM(m) AS sm, MIN(f) AS lo
FROM (SELECT 1 AS k0, m, f FROM t_alice UNION ALL SELECT 1 AS k0, m, f FROM t_bob) AS u
GROUP BY k0;

-- name: group_by_on_empty_input
SELECT k, COUNT(*) AS n
FROM (SELECT k FROM t_alice WHERE id < 0 UNION ALL SELECT k FROM t_bob WHERE id < 0) AS u
GROUP BY k;

-- name: distinct_keys
SELECT DISTINCT k
FROM (SELECT k FROM t_alice UNION ALL SELECT k FROM t_bob UNION ALL SELECT k FROM t_carol) AS u;

-- name: distinct_pairs
SELECT DISTINCT k, s
FROM (SELECT k, s FROM t_alice UNION ALL SELECT k, s FROM t_bob) AS u;

-- name: order_by_group_sum_desc_limit
SELECT k, SUM(i) AS si
FROM (SELECT k, i FROM t_alice UNION ALL SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) AS u
GROUP BY k
ORDER BY si DESC, k
LIMIT 3;

-- name: order_by_rows_asc_nulls_first
SELECT id, k
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 1000, k FROM t_bob) AS u
ORDER BY k, id;

-- name: order_by_desc_nulls_last_offset
SELECT id, k, s
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 1000, k, s FROM t_carol) AS u
ORDER BY k DESC, id DESC
LIMIT 10 OFFSET 5;

-- name: order_by_position_and_alias
SELECT k AS key_, COUNT(*) AS n
FROM (SELECT k FROM t_alice UNION ALL SELECT k FROM t_bob) AS u
GROUP BY k
ORDER BY 2 DESC, key_;

-- name: order_by_string
SELECT s, id
FROM (SELECT s, id FROM t_alice UNION ALL SELECT s, id + 1000 FROM t_bob) AS u
ORDER BY s, id;

-- name: order_by_hidden_column
SELECT s
FROM (SELECT s, id FROM t_alice UNION ALL SELECT s, id + 1000 FROM t_bob) AS u
ORDER BY id DESC
LIMIT 7;

-- name: top_group_by_average
SELECT s, AVG(m) AS am, COUNT(*) AS n
FROM (SELECT s, m FROM t_alice UNION ALL SELECT s, m FROM t_bob UNION ALL SELECT s, m FROM t_carol) AS u
GROUP BY s
HAVING COUNT(m) > 0
ORDER BY am DESC, s
LIMIT 5;

-- name: count_distinct_on_empty_input
SELECT COUNT(DISTINCT i) AS di, COUNT(*) AS n, SUM(i) AS si
FROM (SELECT i FROM t_alice WHERE id < 0 UNION ALL SELECT i FROM t_bob WHERE id < 0) AS u;

-- name: percentile_disc_per_group
SELECT k, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY i) AS median_i,
       PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY i) AS again, COUNT(*) AS n
FROM (SELECT k, i FROM t_alice UNION ALL SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) AS u
GROUP BY k;

-- name: percentile_disc_quartiles_without_group
SELECT PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY m) AS q1, COUNT(m) AS n
FROM (SELECT m FROM t_alice UNION ALL SELECT m FROM t_bob) AS u;

-- name: percentile_disc_extremes
-- floats: exact
SELECT k, PERCENTILE_DISC(0) WITHIN GROUP (ORDER BY f) AS lo, SUM(i) AS si
FROM (SELECT k, f, i FROM t_alice UNION ALL SELECT k, f, i FROM t_carol) AS u
GROUP BY k;

-- name: min_max_bool_per_group_inside_case
-- found by the random tester: MAX of a bool per group under MPC, then CASE over it
SELECT k, CASE WHEN MAX(d) IS NULL THEN MAX(i IS NULL) ELSE NOT MIN(b) END AS x
FROM (SELECT k, d, i, b FROM t_alice UNION ALL SELECT k, d, i, b FROM t_carol) AS u
GROUP BY k;
