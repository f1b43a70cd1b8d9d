-- catalog: ../../catalogs/types.toml
-- party: alice
-- Aggregates (no GROUP BY) over the three parties' tables of catalogs/types.toml.
-- Every query here is allowed by the CCL for its asker: i f b d ts m are
-- PLAINTEXT_AFTER_AGGREGATE, c PLAINTEXT_AFTER_COMPARE, id k s PLAINTEXT to the others.
-- Refusals and unsupported SQL are in errors.sql.

-- name: count_star_union
SELECT COUNT(*) AS n
FROM (SELECT id FROM t_alice UNION ALL SELECT id FROM t_bob UNION ALL SELECT id FROM t_carol) AS u;

-- name: count_columns_with_nulls
-- (not COUNT(c): c is PLAINTEXT_AFTER_COMPARE, so even its count is refused; see errors.sql)
SELECT COUNT(k) AS nk, COUNT(s) AS ns, COUNT(i) AS ni, COUNT(f) AS nf, COUNT(b) AS nb,
       COUNT(d) AS nd, COUNT(ts) AS nts, COUNT(m) AS nm
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u;

-- name: sum_avg_int_union
SELECT SUM(i) AS total, AVG(i) AS mean
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u;

-- name: sum_avg_float_union
SELECT SUM(f) AS total, AVG(f) AS mean
FROM (SELECT f FROM t_alice UNION ALL SELECT f FROM t_bob UNION ALL SELECT f FROM t_carol) AS u;

-- name: sum_avg_decimal_union
SELECT SUM(m) AS total, AVG(m) AS mean
FROM (SELECT m FROM t_alice UNION ALL SELECT m FROM t_bob UNION ALL SELECT m FROM t_carol) AS u;

-- name: min_max_int_union
SELECT MIN(i) AS lo, MAX(i) AS hi
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u;

-- name: min_max_float_union
-- floats: exact
SELECT MIN(f) AS lo, MAX(f) AS hi
FROM (SELECT f FROM t_alice UNION ALL SELECT f FROM t_bob UNION ALL SELECT f FROM t_carol) AS u;

-- name: min_max_decimal_union
SELECT MIN(m) AS lo, MAX(m) AS hi
FROM (SELECT m FROM t_alice UNION ALL SELECT m FROM t_bob UNION ALL SELECT m FROM t_carol) AS u;

-- name: min_max_date_union
-- dates before 1970 are negative day numbers
SELECT MIN(d) AS first_day, MAX(d) AS last_day
FROM (SELECT d FROM t_alice UNION ALL SELECT d FROM t_bob UNION ALL SELECT d FROM t_carol) AS u;

-- name: min_max_timestamp_union
SELECT MIN(ts) AS first_ts, MAX(ts) AS last_ts
FROM (SELECT ts FROM t_alice UNION ALL SELECT ts FROM t_bob UNION ALL SELECT ts FROM t_carol) AS u;

-- name: min_max_bool_union
SELECT MIN(b) AS any_false, MAX(b) AS any_true
FROM (SELECT b FROM t_alice UNION ALL SELECT b FROM t_bob UNION ALL SELECT b FROM t_carol) AS u;

-- name: min_max_bool_inside_expressions_own_table
-- pushdown: off
-- found by the random tester: a bool MIN/MAX under MPC came out as a 0/1 word, which
-- CASE, COALESCE and comparisons (on secret bits) could not take
SELECT COALESCE(MAX(b), TRUE) AS m, CASE WHEN COUNT(*) > 1000 THEN MIN(b) ELSE TRUE END AS c,
       MIN(b) = FALSE AS f
FROM t_alice;

-- name: min_max_bool_inside_expressions_union
SELECT COALESCE(MAX(b), TRUE) AS m, CASE WHEN COUNT(*) > 1000 THEN MIN(b) ELSE TRUE END AS c,
       MAX(b) <> MIN(b) AS mixed
FROM (SELECT b FROM t_alice UNION ALL SELECT b FROM t_bob) AS u;

-- name: min_max_bool_inside_expressions_join
SELECT COALESCE(MAX(x.b AND y.b), FALSE) AS both_true, MIN(x.b OR y.b) IS NULL AS none
FROM t_alice AS x JOIN t_bob AS y ON x.id = y.id;

-- name: count_true_and_null_bools
-- catalog: ../../catalogs/types_open.toml
SELECT SUM(CASE WHEN b THEN 1 ELSE 0 END) AS n_true, COUNT(*) - COUNT(b) AS n_null
FROM (SELECT b FROM t_alice UNION ALL SELECT b FROM t_bob UNION ALL SELECT b FROM t_carol) AS u;

-- name: filter_positive
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, SUM(i) AS total
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u
WHERE i > 0;

-- name: filter_negative_numbers
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, SUM(i) AS total, MIN(f) AS lo
FROM (SELECT i, f FROM t_alice UNION ALL SELECT i, f FROM t_bob UNION ALL SELECT i, f FROM t_carol) AS u
WHERE i < 0 AND f < -0.5;

-- name: filter_not_or_three_valued
-- NOT (NULL) is NULL: rows with a NULL k pass neither this filter nor its negation
SELECT COUNT(*) AS n
FROM (SELECT k FROM t_alice UNION ALL SELECT k FROM t_bob UNION ALL SELECT k FROM t_carol) AS u
WHERE NOT (k = 1 OR k = 2);

-- name: filter_and_or_bool_column
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, SUM(f) AS total
FROM (SELECT b, k, f FROM t_alice UNION ALL SELECT b, k, f FROM t_bob UNION ALL SELECT b, k, f FROM t_carol) AS u
WHERE (b OR k = 1) AND NOT (f < 0);

-- name: filter_is_null
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u
WHERE i IS NULL;

-- name: filter_is_not_null_mixed
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, AVG(f) AS mean
FROM (SELECT f, m FROM t_alice UNION ALL SELECT f, m FROM t_bob UNION ALL SELECT f, m FROM t_carol) AS u
WHERE f IS NOT NULL AND m IS NULL;

-- name: filter_in_list
SELECT COUNT(*) AS n, SUM(m) AS total
FROM (SELECT k, m FROM t_alice UNION ALL SELECT k, m FROM t_bob UNION ALL SELECT k, m FROM t_carol) AS u
WHERE k IN (0, 2, 4);

-- name: filter_not_in_list
SELECT COUNT(*) AS n
FROM (SELECT k FROM t_alice UNION ALL SELECT k FROM t_bob UNION ALL SELECT k FROM t_carol) AS u
WHERE k NOT IN (1, 3);

-- name: filter_in_list_of_negatives
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, SUM(i) AS total
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u
WHERE i IN (-1, -1000000, 42, 7);

-- name: filter_between
-- catalog: ../../catalogs/types_open.toml
SELECT SUM(f) AS total, COUNT(*) AS n
FROM (SELECT i, f FROM t_alice UNION ALL SELECT i, f FROM t_bob UNION ALL SELECT i, f FROM t_carol) AS u
WHERE i BETWEEN -500 AND 500;

-- name: filter_not_between
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n
FROM (SELECT f FROM t_alice UNION ALL SELECT f FROM t_bob UNION ALL SELECT f FROM t_carol) AS u
WHERE f NOT BETWEEN -100 AND 100;

-- name: filter_date
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, MIN(d) AS first_day
FROM (SELECT d FROM t_alice UNION ALL SELECT d FROM t_bob UNION ALL SELECT d FROM t_carol) AS u
WHERE d < CAST('1970-01-01' AS DATE);

-- name: filter_timestamp
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n, MAX(ts) AS last_ts
FROM (SELECT ts FROM t_alice UNION ALL SELECT ts FROM t_bob UNION ALL SELECT ts FROM t_carol) AS u
WHERE ts >= CAST('2000-01-01 12:00:00' AS DATETIME) AND ts < CAST('2010-06-30 00:00:00.5' AS DATETIME);

-- name: filter_decimal_literal
-- catalog: ../../catalogs/types_open.toml
-- 10.50 appears as an exact tie in every table
SELECT COUNT(*) AS n, SUM(m) AS total
FROM (SELECT m FROM t_alice UNION ALL SELECT m FROM t_bob UNION ALL SELECT m FROM t_carol) AS u
WHERE m = 10.50 OR m > 50000.5;

-- name: filter_string_equality
-- 'apple' and 'apple ' (trailing space) are different strings
SELECT COUNT(*) AS n
FROM (SELECT s FROM t_alice UNION ALL SELECT s FROM t_bob UNION ALL SELECT s FROM t_carol) AS u
WHERE s = 'apple';

-- name: filter_string_not_empty
SELECT COUNT(*) AS n
FROM (SELECT s FROM t_alice UNION ALL SELECT s FROM t_bob UNION ALL SELECT s FROM t_carol) AS u
WHERE s <> '';

-- name: filter_compare_column
-- c is PLAINTEXT_AFTER_COMPARE: it may drive filters
SELECT COUNT(*) AS n, SUM(i) AS total
FROM (SELECT i, c FROM t_alice UNION ALL SELECT i, c FROM t_bob UNION ALL SELECT i, c FROM t_carol) AS u
WHERE c > 0;

-- name: empty_result_aggregates
-- over no rows: COUNT is 0, every other aggregate NULL
SELECT COUNT(*) AS n, COUNT(s) AS ns, SUM(i) AS si, AVG(f) AS af, MIN(d) AS md, MAX(m) AS mm,
       MAX(ts) AS mts
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u
WHERE k > 100;

-- name: false_predicate
SELECT COUNT(*) AS n, SUM(i) AS total
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob) AS u
WHERE 1 = 0;

-- name: comparison_with_null_is_never_true
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) AS n
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u
WHERE i = NULL OR i <> NULL;

-- name: arithmetic_inside_aggregates
SELECT SUM(i * 2 + 1) AS a, AVG(f * f) AS b, SUM(m * 2) AS c2, SUM(m - 0.25) AS d2
FROM (SELECT i, f, m FROM t_alice UNION ALL SELECT i, f, m FROM t_bob UNION ALL SELECT i, f, m FROM t_carol) AS u;

-- name: case_inside_aggregate
-- catalog: ../../catalogs/types_open.toml
SELECT SUM(CASE WHEN k = 0 THEN i WHEN k = 1 THEN -i ELSE 0 END) AS signed_total,
       COUNT(CASE WHEN f > 0 THEN 1 END) AS n_positive
FROM (SELECT k, i, f FROM t_alice UNION ALL SELECT k, i, f FROM t_bob UNION ALL SELECT k, i, f FROM t_carol) AS u;

-- name: if_inside_aggregate
-- catalog: ../../catalogs/types_open.toml
SELECT SUM(IF(b, f, -f)) AS flipped, MAX(IF(k = 4, m, NULL)) AS top_m
FROM (SELECT b, f, k, m FROM t_alice UNION ALL SELECT b, f, k, m FROM t_bob UNION ALL SELECT b, f, k, m FROM t_carol) AS u;

-- name: coalesce_inside_aggregate
SELECT SUM(COALESCE(i, 0)) AS si, SUM(IFNULL(m, 1.25)) AS sm, AVG(COALESCE(f, i, 0)) AS af
FROM (SELECT i, m, f FROM t_alice UNION ALL SELECT i, m, f FROM t_bob UNION ALL SELECT i, m, f FROM t_carol) AS u;

-- name: arithmetic_on_aggregates
SELECT SUM(i) / COUNT(i) AS mean, SUM(i) - MIN(i) AS spread, MAX(f) * 2 AS twice_max,
       COUNT(*) % 7 AS n_mod_7, -SUM(m) AS neg_total
FROM (SELECT i, f, m FROM t_alice UNION ALL SELECT i, f, m FROM t_bob UNION ALL SELECT i, f, m FROM t_carol) AS u;

-- name: division_by_zero_aggregate
-- MySQL's rule: x / 0 and x % 0 are NULL
SELECT SUM(i) / SUM(CASE WHEN k > 100 THEN 1 ELSE 0 END) AS ratio,
       COUNT(*) % SUM(CASE WHEN k > 100 THEN 1 ELSE 0 END) AS remainder
FROM (SELECT i, k FROM t_alice UNION ALL SELECT i, k FROM t_bob UNION ALL SELECT i, k FROM t_carol) AS u;

-- name: aggregates_of_all_null_inputs
-- catalog: ../../catalogs/types_open.toml
SELECT AVG(CASE WHEN k > 100 THEN f END) AS a, SUM(CASE WHEN i IS NULL THEN i END) AS s,
       MIN(CASE WHEN 1 = 0 THEN d END) AS md, COUNT(CASE WHEN 1 = 0 THEN m END) AS n
FROM (SELECT k, f, i, d, m FROM t_alice UNION ALL SELECT k, f, i, d, m FROM t_bob UNION ALL SELECT k, f, i, d, m FROM t_carol) AS u;

-- name: casts_inside_aggregates
SELECT SUM(CAST(f AS SIGNED)) AS sf, SUM(CAST(i AS DECIMAL(20,2))) AS si,
       AVG(CAST(m AS DOUBLE)) AS am, SUM(CAST(b AS SIGNED)) AS sb
FROM (SELECT f, i, m, b FROM t_alice UNION ALL SELECT f, i, m, b FROM t_bob UNION ALL SELECT f, i, m, b FROM t_carol) AS u;

-- name: comparisons_of_aggregates
SELECT SUM(i) > 0 AS positive, MAX(f) BETWEEN 0 AND 1000 AS in_range,
       COUNT(*) IN (150, 151) AS full_count, MIN(d) IS NULL AS no_dates
FROM (SELECT i, f, d FROM t_alice UNION ALL SELECT i, f, d FROM t_bob UNION ALL SELECT i, f, d FROM t_carol) AS u;

-- name: case_on_aggregates
SELECT CASE WHEN AVG(f) > 0 THEN 'up' WHEN AVG(f) < 0 THEN 'down' ELSE 'flat' END AS trend
FROM (SELECT f FROM t_alice UNION ALL SELECT f FROM t_bob UNION ALL SELECT f FROM t_carol) AS u;

-- name: coalesce_on_empty_aggregates
SELECT COALESCE(SUM(i), -1) AS si, IFNULL(MAX(d), CAST('2000-01-01' AS DATE)) AS md
FROM (SELECT i, k, d FROM t_alice UNION ALL SELECT i, k, d FROM t_bob) AS u
WHERE k > 100;

-- name: literals_next_to_aggregates
SELECT COUNT(*) AS n, 1 + 2 AS three, 'x' AS letter, TRUE AS yes, 2.50 AS price, -7 AS neg
FROM (SELECT id FROM t_alice UNION ALL SELECT id FROM t_carol) AS u;

-- name: subquery_in_from_with_aliases
-- catalog: ../../catalogs/types_open.toml
SELECT SUM(x) AS total, COUNT(*) AS n
FROM (SELECT i * 3 AS x FROM t_alice WHERE k = 1
      UNION ALL SELECT -i AS x FROM t_bob
      UNION ALL SELECT i AS x FROM t_carol WHERE i IS NOT NULL) AS q
WHERE x > -100;

-- name: nested_subqueries
-- catalog: ../../catalogs/types_open.toml
SELECT MAX(y) AS top, MIN(y) AS bottom
FROM (SELECT x + 1 AS y
      FROM (SELECT i AS x FROM t_carol UNION ALL SELECT i AS x FROM t_bob) AS a
      WHERE x IS NOT NULL) AS b;

-- name: two_party_union_asked_by_the_third
-- party: carol
SELECT AVG(f) AS mean, COUNT(f) AS n
FROM (SELECT f FROM t_alice UNION ALL SELECT f FROM t_bob) AS u;

-- name: another_partys_table
-- party: bob
SELECT SUM(i) AS si, AVG(m) AS am, MIN(ts) AS first_ts, COUNT(*) AS n FROM t_alice;

-- name: own_table_aggregates
-- the owner sees everything of its own table, secret included
SELECT SUM(secret) AS total_secret, MIN(c) AS min_c, COUNT(s) AS ns FROM t_alice;

-- name: own_table_string_max
-- at the owner or under MPC (mpc/string_extreme.py)
SELECT MAX(s) AS top_s, MIN(s) AS bottom_s FROM t_alice;

-- name: limit_on_aggregate
SELECT COUNT(*) AS n
FROM (SELECT id FROM t_alice UNION ALL SELECT id FROM t_bob) AS u
LIMIT 1;

-- name: limit_zero_on_aggregate
SELECT COUNT(*) AS n
FROM (SELECT id FROM t_alice UNION ALL SELECT id FROM t_bob) AS u
LIMIT 0;

-- name: count_after_limit_in_subquery
SELECT COUNT(*) AS n FROM (SELECT id FROM t_bob LIMIT 7) AS q;

-- name: count_after_limit_larger_than_table
SELECT COUNT(*) AS n FROM (SELECT id FROM t_carol LIMIT 1000) AS q;

-- name: count_over_a_filter_on_an_encrypted_column
-- error: SecurityError t_bob.secret
-- a COUNT (or SUM) of the rows an ENCRYPTED_ONLY comparison keeps answers the
-- comparison: asked with other constants it bisects each value (SCQL answers it)
SELECT COUNT(*) AS n, SUM(i) AS si FROM t_bob WHERE secret < 500000000;
