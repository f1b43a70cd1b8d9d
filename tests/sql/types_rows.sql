-- catalog: ../../catalogs/types.toml
-- party: alice
-- Row-level results over catalogs/types.toml that the CCL allows: a party's own table
-- (the owner sees everything), id k s (PLAINTEXT to every party), and comparisons of c
-- (PLAINTEXT_AFTER_COMPARE). Rows are compared as multisets; a LIMIT without ORDER BY
-- may return any of the rows.

-- name: own_table_every_column
-- floats: exact
SELECT * FROM t_alice;

-- name: own_table_expressions
SELECT id, i + c AS ic, f * 2 AS f2, m - 1 AS m1, d, ts, s, b, secret % 1000 AS low
FROM t_alice
WHERE k = 2;

-- name: own_table_timestamp_differences
-- an INTERVAL (days and the rest): in PostgreSQL and SQLite too (tests/databases)
SELECT id, ts - d AS gap, d - ts AS back, ts - ts AS zero, d - d AS days FROM t_alice;

-- name: own_table_timestamp_differences_of_bob
-- party: bob
SELECT id, ts - d AS gap, d - ts AS back, d - d AS days, d - DATE '2000-01-01' AS since,
       d + 1 AS next_day
FROM t_bob;

-- name: own_table_columns_then_an_expression
-- the leading columns are exactly the scan's: the computed column must not be dropped
SELECT id, k, s, k * 2 AS k2 FROM t_alice;

-- name: own_table_limit
-- floats: exact
-- party: carol
SELECT id, i, f FROM t_carol LIMIT 5;

-- name: union_plain_columns
SELECT id, k, s
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u;

-- name: union_columns_then_an_expression
SELECT id, k, id + k AS idk
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u;

-- name: union_plain_filter
SELECT id, s
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u
WHERE k = 3 AND s IS NOT NULL;

-- name: union_compare_results
SELECT id, c > 0 AS positive, c BETWEEN -5 AND 5 AS small, c IS NULL AS missing, c IN (1, 2, 3) AS tiny
FROM (SELECT id, c FROM t_alice UNION ALL SELECT id, c FROM t_bob UNION ALL SELECT id, c FROM t_carol) AS u;

-- name: union_filter_on_compare_column
SELECT id, k
FROM (SELECT id, k, c FROM t_alice UNION ALL SELECT id, k, c FROM t_bob UNION ALL SELECT id, k, c FROM t_carol) AS u
WHERE c < -10;

-- name: top_level_union_all
SELECT id, k FROM t_alice WHERE k = 0
UNION ALL SELECT id, k FROM t_bob WHERE k = 0
UNION ALL SELECT id, k FROM t_carol WHERE k = 0;

-- name: union_limit
SELECT id, s
FROM (SELECT id, s FROM t_alice UNION ALL SELECT id, s FROM t_bob UNION ALL SELECT id, s FROM t_carol) AS u
LIMIT 10;

-- name: union_limit_zero
SELECT id FROM (SELECT id FROM t_bob UNION ALL SELECT id FROM t_carol) AS u LIMIT 0;

-- name: union_empty_result
SELECT id, s
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u
WHERE k > 100;

-- name: case_on_plain_column
SELECT id, CASE WHEN k IS NULL THEN 'none' WHEN k < 2 THEN 'low' ELSE 'high' END AS band
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u;

-- name: coalesce_ifnull_on_plain_columns
SELECT id, COALESCE(s, '?') AS s2, IFNULL(k, -1) AS k2
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u;

-- name: string_in_list
SELECT id, s
FROM (SELECT id, s FROM t_alice UNION ALL SELECT id, s FROM t_bob UNION ALL SELECT id, s FROM t_carol) AS u
WHERE s IN ('apple', 'zeta', 'naïve café', 'say "hi"');

-- name: string_with_trailing_space
SELECT id FROM (SELECT id, s FROM t_alice UNION ALL SELECT id, s FROM t_bob) AS u WHERE s = 'apple ';

-- name: null_literal_column
SELECT id, NULL AS nothing FROM t_bob WHERE k = 1;

-- name: arithmetic_on_plain_columns
-- floats: exact
SELECT id, id * 2 - k AS a, id % 7 AS b, id / 4 AS c4, -id AS neg
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u
WHERE id BETWEEN 20 AND 60;

-- name: modulo_of_negative_numbers
SELECT id, (k - 3) % 2 AS a, (id - 50) % -7 AS b, -id % 4 AS c4
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u;

-- name: division_by_zero_rows
-- floats: exact
-- k is 0 in some rows and NULL in others: both give NULL
SELECT id, id / k AS q, id % k AS r
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u;

-- name: casts_of_plain_columns
-- floats: exact
SELECT id, CAST(k AS DOUBLE) AS kd, CAST(id AS DECIMAL(10,2)) AS idm, CAST(k AS SIGNED) AS ki
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol) AS u;

-- name: not_and_or_on_plain_columns
SELECT id
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id, k, s FROM t_bob UNION ALL SELECT id, k, s FROM t_carol) AS u
WHERE NOT (k = 0 OR s = '') AND id > 90;

-- name: derived_columns_in_subquery
-- party: bob
SELECT x
FROM (SELECT id + k AS x FROM t_bob UNION ALL SELECT id AS x FROM t_carol) AS q
WHERE x > 70;

-- name: boolean_literals_and_expressions
-- party: carol
SELECT id, TRUE AS yes, FALSE OR k = 1 AS k1, NOT (k > 2) AS small_k
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_carol) AS u
WHERE id < 60;
