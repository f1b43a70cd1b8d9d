-- catalog: ../../catalogs/types.toml
-- party: alice
-- Statistical aggregates and FILTER (WHERE ...), on three paths: the asker's own table
-- (its own DuckDB), a UNION ALL of parties, and after a cross-party join (MPC).
-- MySQL's STDDEV and VARIANCE are the population forms. Under MPC the variance is
-- within 2^-16 of the exact one for int64 and decimal inputs, 5 * 2^-16 for floats
-- (engine/spread.py), inside the fixtures' tolerance.

-- name: spread_own_table
SELECT STDDEV(i) AS sd, STDDEV_POP(f) AS sdf, STDDEV_SAMP(m) AS sds, VARIANCE(i) AS v,
       VAR_POP(f) AS vf, VAR_SAMP(m) AS vs, VAR_SAMP(k) AS vk
FROM t_alice;

-- name: spread_union
SELECT STDDEV(i) AS sd, STDDEV_POP(f) AS sdf, STDDEV_SAMP(m) AS sds, VARIANCE(i) AS v,
       VAR_POP(f) AS vf, VAR_SAMP(m) AS vs, VAR_SAMP(k) AS vk
FROM (SELECT i, f, m, k FROM t_alice UNION ALL SELECT i, f, m, k FROM t_bob
      UNION ALL SELECT i, f, m, k FROM t_carol) AS u;

-- name: spread_grouped_union
SELECT k, VAR_POP(i) AS v, STDDEV_SAMP(f) AS sd, VAR_SAMP(m) AS vm, COUNT(*) AS n
FROM (SELECT k, i, f, m FROM t_alice UNION ALL SELECT k, i, f, m FROM t_bob) AS u
GROUP BY k;

-- name: spread_after_join
SELECT VAR_SAMP(a.i + b.i) AS v, STDDEV_POP(b.f) AS sd, VAR_POP(a.m) AS vm
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: spread_grouped_after_join
SELECT a.k, VAR_POP(b.i) AS v, STDDEV_SAMP(a.f - b.f) AS sd
FROM t_alice AS a JOIN t_carol AS c ON a.id = c.id JOIN t_bob AS b ON b.id = a.id
GROUP BY a.k;

-- name: spread_of_one_and_no_value
-- the sample forms of one value are NULL, every form of no value
SELECT VAR_SAMP(i) AS vs, STDDEV_SAMP(f) AS sds, VAR_POP(i) AS vp, STDDEV_POP(m) AS sdp
FROM (SELECT i, f, m, id FROM t_alice UNION ALL SELECT i, f, m, id FROM t_bob) AS u
WHERE id = 30;

-- name: spread_of_equal_values
-- no cancellation: equal values (a constant CASE per group) give exactly 0
SELECT k, VAR_POP(CASE WHEN k > 1 THEN 1000000.5 END) AS v,
       STDDEV_SAMP(CASE WHEN k > 1 THEN 123456789 ELSE 5 END) AS sd
FROM (SELECT k FROM t_alice UNION ALL SELECT k FROM t_carol) AS u
GROUP BY k;

-- name: filter_own_table
SELECT COUNT(*) FILTER (WHERE k > 1) AS n, SUM(i) FILTER (WHERE k = 2) AS s,
       AVG(f) FILTER (WHERE i > 0) AS a, COUNT(DISTINCT k) FILTER (WHERE i < 0) AS nd
FROM t_alice;

-- name: filter_union
-- catalog: ../../catalogs/types_open.toml
SELECT COUNT(*) FILTER (WHERE k > 1) AS n, SUM(i) FILTER (WHERE k = 2) AS s,
       AVG(f) FILTER (WHERE b) AS a, MIN(d) FILTER (WHERE k = 3) AS md, COUNT(*) AS total
FROM (SELECT k, i, f, b, d FROM t_alice UNION ALL SELECT k, i, f, b, d FROM t_bob
      UNION ALL SELECT k, i, f, b, d FROM t_carol) AS u;

-- name: filter_grouped_union
SELECT k, COUNT(*) FILTER (WHERE c > 0) AS n_pos, SUM(m) FILTER (WHERE c < 0) AS s_neg
FROM (SELECT k, c, m FROM t_alice UNION ALL SELECT k, c, m FROM t_bob) AS u
GROUP BY k;

-- name: filter_after_join
SELECT COUNT(*) FILTER (WHERE a.k = b.k) AS same_k, SUM(b.i) FILTER (WHERE a.k > 2) AS s
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: filter_on_an_aggregate_only_column
-- error: SecurityError t_bob.i
-- the filter steers the aggregate, and a count of the rows it keeps answers the
-- comparison (asked with other constants, it bisects each value): i must be comparable
SELECT COUNT(*) FILTER (WHERE i > 0) AS n
FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob) AS u;

-- name: filter_on_an_encrypted_column
-- error: SecurityError secret
SELECT SUM(i) FILTER (WHERE secret > 0) AS s
FROM (SELECT i, secret FROM t_alice UNION ALL SELECT i, secret FROM t_bob) AS u;

-- name: median_own_table
SELECT MEDIAN(i) AS mi, MEDIAN(f) AS mf, MEDIAN(m) AS mm,
       PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY i) AS q1, MEDIAN(d) AS md
FROM t_bob;

-- name: median_union
SELECT MEDIAN(i) AS mi, MEDIAN(f) AS mf, PERCENTILE_CONT(0.3) WITHIN GROUP (ORDER BY i) AS p3,
       PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY f) AS p0,
       PERCENTILE_CONT(1) WITHIN GROUP (ORDER BY k) AS p1
FROM (SELECT i, f, k FROM t_alice UNION ALL SELECT i, f, k FROM t_bob) AS u;

-- name: median_grouped_union
SELECT k, MEDIAN(i) AS mi, PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY f) AS q3
FROM (SELECT k, i, f FROM t_alice UNION ALL SELECT k, i, f FROM t_carol) AS u
GROUP BY k;

-- name: median_after_join
SELECT MEDIAN(a.i - b.i) AS m, PERCENTILE_CONT(0.1) WITHIN GROUP (ORDER BY b.f) AS p
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: median_of_a_decimal_across_parties
-- a decimal, truncated toward zero as DuckDB's (more in mpc_strings.sql)
SELECT MEDIAN(m) AS mm, MEDIAN(d) AS md
FROM (SELECT m, d FROM t_alice UNION ALL SELECT m, d FROM t_bob) AS u;

-- name: percentile_of_a_decimal_at_a_fraction_duckdb_rounds
-- error: NotSupportedError PERCENTILE_CONT(0.3)
SELECT PERCENTILE_CONT(0.3) WITHIN GROUP (ORDER BY m) AS p
FROM (SELECT m FROM t_alice UNION ALL SELECT m FROM t_bob) AS u;

-- name: median_of_an_encrypted_column
-- MEDIAN is the value of one row (or two): like MIN, refused where the column is hidden
-- error: SecurityError secret
SELECT MEDIAN(secret) AS m FROM (SELECT secret FROM t_alice UNION ALL SELECT secret FROM t_bob) AS u;

-- name: distinct_aggregates_own_table
SELECT SUM(DISTINCT k) AS sk, AVG(DISTINCT i) AS ai, COUNT(DISTINCT s) AS ns,
       COUNT(DISTINCT k) AS nk, SUM(DISTINCT m) AS sm
FROM t_carol;

-- name: distinct_aggregates_union
-- several DISTINCT arguments: one oblivious sort each
SELECT SUM(DISTINCT k) AS sk, AVG(DISTINCT i) AS ai, COUNT(DISTINCT s) AS ns,
       COUNT(DISTINCT k) AS nk, SUM(DISTINCT m) AS sm, AVG(DISTINCT f) AS af, COUNT(*) AS n
FROM (SELECT k, i, s, m, f FROM t_alice UNION ALL SELECT k, i, s, m, f FROM t_bob) AS u;

-- name: distinct_aggregates_grouped_union
SELECT k, COUNT(DISTINCT s) AS ns, SUM(DISTINCT i % 10) AS si, COUNT(DISTINCT b) AS nb,
       MEDIAN(f) AS mf, SUM(i) AS total
FROM (SELECT k, s, i, b, f FROM t_alice UNION ALL SELECT k, s, i, b, f FROM t_carol) AS u
GROUP BY k;

-- name: distinct_aggregates_after_join
SELECT COUNT(DISTINCT a.k) AS nk, COUNT(DISTINCT b.s) AS ns, SUM(DISTINCT b.k) AS sk,
       AVG(DISTINCT a.m) AS am
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- COUNT(DISTINCT a, b) (MySQL's): the number of distinct tuples without a NULL in them;
-- under MPC the rows are sorted by every expression of the tuple

-- name: count_distinct_tuples_own_table
SELECT COUNT(DISTINCT k, s) AS ks, COUNT(DISTINCT s, b, k) AS sbk, COUNT(DISTINCT k) AS dk,
       COUNT(DISTINCT i, f) FILTER (WHERE c > 0) AS fif
FROM t_alice;

-- name: count_distinct_tuples_grouped_own_table
SELECT k, COUNT(DISTINCT s, b) AS sb, COUNT(DISTINCT i % 3, d) AS id3, COUNT(*) AS n
FROM t_bob GROUP BY k;

-- name: count_distinct_tuples_of_negations
-- a part NOT x (or NOT NULL, always NULL) is tested for NULL as a whole: (NOT x) IS NULL,
-- not NOT (x IS NULL) (fuzz 50209:196)
SELECT COUNT(DISTINCT k, NOT b) AS kb, COUNT(DISTINCT k, NOT NULL) AS kn,
       COUNT(DISTINCT s, NOT k = 1, k IS NULL) AS sk
FROM t_alice;

-- name: count_distinct_tuples_union
SELECT COUNT(DISTINCT k, s) AS ks, COUNT(DISTINCT s, b) AS sb, COUNT(DISTINCT k) AS dk,
       COUNT(DISTINCT m, ts) AS mts, COUNT(*) AS n
FROM (SELECT k, s, b, m, ts FROM t_alice UNION ALL SELECT k, s, b, m, ts FROM t_bob) AS u;

-- name: count_distinct_tuples_grouped_union
SELECT k, COUNT(DISTINCT s, b) AS sb, COUNT(DISTINCT f, i % 2) FILTER (WHERE c > 0) AS fi,
       SUM(i) AS si
FROM (SELECT k, s, b, f, i, c FROM t_alice UNION ALL SELECT k, s, b, f, i, c FROM t_carol) AS u
GROUP BY k;

-- name: count_distinct_tuples_after_join
SELECT COUNT(DISTINCT a.k, b.s) AS ks, COUNT(DISTINCT b.k, a.f, b.d) AS kfd,
       COUNT(DISTINCT a.k) AS dk
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: count_distinct_tuples_grouped_after_join
SELECT a.k, COUNT(DISTINCT a.s, b.s) AS ss, COUNT(DISTINCT a.b, b.b) AS bb
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id GROUP BY a.k;

-- name: count_distinct_of_a_row_value_refused
-- MySQL has no row values; DuckDB's COUNT(DISTINCT (a, b)) would count (1, NULL)
-- error: NotSupportedError a row value in an aggregate
SELECT COUNT(DISTINCT (k, s)) AS n FROM t_alice;

-- name: sum_distinct_of_two_columns_refused
-- error: NotSupportedError other than COUNT
SELECT SUM(DISTINCT k, i) AS n FROM t_alice;
