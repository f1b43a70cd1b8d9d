-- catalog: ../../catalogs/types_open.toml
-- party: bob
-- Row-level expressions over the secret-shared union of the three tables, on
-- catalogs/types_open.toml (every column but secret PLAINTEXT to every party), so every
-- query here is allowed by the CCL. Each expression runs under MPC on the rows of the
-- union (or locally per owner with pushdown) and only the result is revealed.

-- name: every_type_across_the_union
-- floats: exact
SELECT id, k, s, i, f, b, d, ts, m, c
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u;

-- name: integer_arithmetic
SELECT id, i + c AS a, i - c AS s1, i * c AS p, -i AS neg
FROM (SELECT id, i, c FROM t_alice UNION ALL SELECT id, i, c FROM t_bob UNION ALL SELECT id, i, c FROM t_carol) AS u;

-- name: float_arithmetic
SELECT id, f + i AS a, f * f AS sq, f - 0.5 AS s1, f / 3 AS third, -f AS neg
FROM (SELECT id, f, i FROM t_alice UNION ALL SELECT id, f, i FROM t_bob UNION ALL SELECT id, f, i FROM t_carol) AS u;

-- name: decimal_arithmetic
SELECT id, m + m AS twice, m * 2 AS doubled, m - 1.25 AS less, m * 1.5 AS more, -m AS neg
FROM (SELECT id, m FROM t_alice UNION ALL SELECT id, m FROM t_bob UNION ALL SELECT id, m FROM t_carol) AS u;

-- name: mixed_decimal_and_float
SELECT id, m * f AS mf, m + i AS mi, m / 4 AS quarter
FROM (SELECT id, m, f, i FROM t_alice UNION ALL SELECT id, m, f, i FROM t_bob UNION ALL SELECT id, m, f, i FROM t_carol) AS u;

-- name: division_including_by_zero
-- c is 0 in some rows: the quotient is NULL there
SELECT id, i / c AS iq, f / c AS fq, m / c AS mq
FROM (SELECT id, i, f, m, c FROM t_alice UNION ALL SELECT id, i, f, m, c FROM t_bob UNION ALL SELECT id, i, f, m, c FROM t_carol) AS u;

-- name: modulo_with_negatives_and_zero
SELECT id, i % c AS ic, c % 3 AS c3, c % -4 AS cn, m % 7 AS m7
FROM (SELECT id, i, c, m FROM t_alice UNION ALL SELECT id, i, c, m FROM t_bob UNION ALL SELECT id, i, c, m FROM t_carol) AS u;

-- name: comparisons_of_every_type
SELECT id, i < f AS a, m >= i AS b2, d < CAST('1990-01-01' AS DATE) AS old,
       ts > CAST('2020-02-29 12:00:00' AS DATETIME) AS recent, s = 'apple' AS is_apple,
       b = TRUE AS yes, c <> 0 AS nonzero
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u;

-- name: case_when_with_nulls
-- floats: exact
SELECT id, CASE WHEN i > 0 THEN f WHEN i < 0 THEN -f END AS signed_f,
       CASE WHEN b THEN 'yes' WHEN NOT b THEN 'no' ELSE 'unknown' END AS answer
FROM (SELECT id, i, f, b FROM t_alice UNION ALL SELECT id, i, f, b FROM t_bob UNION ALL SELECT id, i, f, b FROM t_carol) AS u;

-- name: if_function
SELECT id, IF(b, m, -m) AS signed_m, IF(f > 0, 'pos', 'neg') AS sign, IF(i IS NULL, 0, i) AS i0
FROM (SELECT id, b, m, f, i FROM t_alice UNION ALL SELECT id, b, m, f, i FROM t_bob UNION ALL SELECT id, b, m, f, i FROM t_carol) AS u;

-- name: coalesce_every_type
-- floats: exact
SELECT id, COALESCE(i, c, -1) AS ic, COALESCE(f, 0.0) AS f0, IFNULL(d, CAST('2000-01-01' AS DATE)) AS d0,
       COALESCE(s, 'none') AS s0, COALESCE(m, 0) AS m0, IFNULL(b, FALSE) AS b0,
       COALESCE(ts, CAST('1999-12-31 23:59:59' AS DATETIME)) AS ts0
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u;

-- name: is_null_tests
SELECT id, i IS NULL AS no_i, f IS NOT NULL AS has_f, b IS NULL AS no_b, s IS NULL AS no_s,
       d IS NOT NULL AS has_d
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u;

-- name: in_and_between
SELECT id, i IN (0, -1, 7, 42) AS special, f BETWEEN -2.5 AND 2.5 AS near_zero,
       m NOT IN (10.50) AS not_tie, d BETWEEN CAST('1960-01-01' AS DATE) AND CAST('1969-12-31' AS DATE) AS sixties
FROM (SELECT * FROM t_alice UNION ALL SELECT * FROM t_bob UNION ALL SELECT * FROM t_carol) AS u;

-- name: three_valued_logic
SELECT id, b AND i > 0 AS both_true, b OR i > 0 AS either, NOT b AS not_b
FROM (SELECT id, b, i FROM t_alice UNION ALL SELECT id, b, i FROM t_bob UNION ALL SELECT id, b, i FROM t_carol) AS u;

-- name: numeric_casts
SELECT id, CAST(i AS DOUBLE) AS id_, CAST(f AS SIGNED) AS fi, CAST(m AS SIGNED) AS mi,
       CAST(i AS DECIMAL(20,2)) AS im, CAST(f AS DECIMAL(12,3)) AS fm, CAST(m AS DOUBLE) AS md
FROM (SELECT id, i, f, m FROM t_alice UNION ALL SELECT id, i, f, m FROM t_bob UNION ALL SELECT id, i, f, m FROM t_carol) AS u;

-- name: date_casts
SELECT id, CAST(ts AS DATE) AS day, CAST(d AS DATETIME) AS midnight
FROM (SELECT id, d, ts FROM t_alice UNION ALL SELECT id, d, ts FROM t_bob UNION ALL SELECT id, d, ts FROM t_carol) AS u;

-- name: filter_rows_on_secret_shared_values
-- floats: exact
SELECT id, i, f
FROM (SELECT id, i, f FROM t_alice UNION ALL SELECT id, i, f FROM t_bob UNION ALL SELECT id, i, f FROM t_carol) AS u
WHERE f > 0 AND i IS NOT NULL;

-- name: filter_leaves_an_all_null_column
-- floats: exact
SELECT id, i, f
FROM (SELECT id, i, f FROM t_alice UNION ALL SELECT id, i, f FROM t_bob UNION ALL SELECT id, i, f FROM t_carol) AS u
WHERE i IS NULL;

-- name: filter_on_negative_literal
SELECT id, m FROM (SELECT id, i, m FROM t_alice UNION ALL SELECT id, i, m FROM t_carol) AS u WHERE i = -1;

-- name: limit_after_filter
-- floats: exact
SELECT id, f FROM (SELECT id, f, b FROM t_alice UNION ALL SELECT id, f, b FROM t_bob) AS u WHERE b LIMIT 4;

-- name: rows_asked_by_a_party_without_rows_in_the_union
-- party: carol
SELECT id, i * 2 AS i2, m
FROM (SELECT id, i, m FROM t_alice UNION ALL SELECT id, i, m FROM t_bob) AS u
WHERE m > 0;

-- name: string_order_on_the_union
-- under MPC by the strings' bytes (mpc/byte_order.py)
SELECT id, s FROM (SELECT id, s FROM t_alice UNION ALL SELECT id, s FROM t_bob) AS u WHERE s < 'b';
