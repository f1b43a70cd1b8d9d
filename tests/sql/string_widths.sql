-- catalog: mpc_strings/mpc_strings.toml
-- party: alice
-- A string picked by CASE, IF, COALESCE or NULLIF, or stacked by UNION ALL, next to a
-- string of another width (a constant past 8 bytes, an aggregate over no rows): every
-- value keeps its bytes. A keyless DISTINCT aggregate over no rows once gave its NULLs
-- no bytes, and the CASE that picked the constant then opened '' (fuzz 60150:5,
-- 60115:14). Asked by the owner (alice) and a non-owner (bob).

-- name: case_constant_over_distinct_aggregates_of_no_rows
-- pushdown: off
SELECT COUNT(DISTINCT a.id) AS n,
       CASE WHEN COUNT(a.p) THEN MIN(DISTINCT a.s) ELSE 'b' END AS c,
       CASE WHEN COUNT(a.p) > 0 THEN MIN(a.s) ELSE 'a string past eight bytes' END AS lo,
       COALESCE(MAX(a.s), 'fallback of nineteen') AS hi,
       IF(COUNT(*) = 0, 'none at all here', MAX(a.s)) AS f,
       NULLIF(MIN(a.s), 'x') AS nf
FROM sa AS a WHERE a.id > 100;

-- name: case_constant_over_distinct_aggregates_of_no_rows_non_owner
-- pushdown: off
-- party: bob
SELECT COUNT(DISTINCT a.id) AS n,
       CASE WHEN COUNT(a.p) THEN MIN(DISTINCT a.s) ELSE 'b' END AS c,
       CASE WHEN COUNT(a.p) > 0 THEN MIN(a.s) ELSE 'a string past eight bytes' END AS lo,
       COALESCE(MAX(a.s), 'fallback of nineteen') AS hi,
       IF(COUNT(*) = 0, 'none at all here', MAX(a.s)) AS f,
       NULLIF(MIN(a.s), 'x') AS nf
FROM sa AS a WHERE a.id > 100;

-- name: case_constant_over_distinct_aggregates_of_rows
-- party: bob
SELECT COUNT(DISTINCT a.id) AS n,
       CASE WHEN COUNT(a.p) THEN MIN(DISTINCT a.s) ELSE 'b' END AS c,
       CASE WHEN COUNT(a.p) > 0 THEN MAX(a.s) ELSE 'a string past eight bytes' END AS hi,
       COALESCE(MAX(a.s), 'fallback of nineteen') AS m,
       IF(COUNT(*) = 0, 'none at all here', MIN(a.s)) AS f
FROM sa AS a WHERE a.id > 3;

-- name: sum_distinct_filter_chooses_constant_over_no_rows
-- pushdown: off
SELECT CASE WHEN SUM(DISTINCT 0.01) FILTER (WHERE a.id > 100) THEN MAX(a.s) ELSE 'zz' END AS c
FROM sa AS a;

-- name: sum_distinct_filter_chooses_constant_over_no_rows_non_owner
-- pushdown: off
-- party: bob
SELECT CASE WHEN SUM(DISTINCT 0.01) FILTER (WHERE a.id > 100) THEN MAX(a.s) ELSE 'zz' END AS c
FROM sa AS a;

-- name: distinct_string_aggregate_of_no_rows_chosen_by_case
-- pushdown: off
-- a CASE choosing a constant over a DISTINCT string aggregate of no rows keeps the
-- constant's bytes (the rows are filtered out here; the blocks after it read se, a
-- table of no rows at all, as fuzz 60150:5's input was)
SELECT CASE WHEN COUNT(a.id) > 0 THEN MIN(DISTINCT a.s) ELSE 'zz' END AS c,
       CASE WHEN COUNT(a.id) = 0 THEN 'yy' ELSE MAX(DISTINCT a.s) END AS d
FROM sa AS a WHERE a.id > 100;

-- name: distinct_string_aggregate_of_a_table_of_no_rows_chosen_by_case
-- fuzz 60150:5 itself: the table has no rows (its string column no bytes at all), not
-- rows filtered out; both modes, asked by the owner
SELECT COUNT(DISTINCT e.id) AS n,
       CASE WHEN COUNT(e.p) THEN MIN(DISTINCT e.s) ELSE 'b' END AS c,
       CASE WHEN COUNT(e.id) > 0 THEN MIN(DISTINCT e.s) ELSE 'zz' END AS lo,
       CASE WHEN COUNT(e.id) = 0 THEN 'a string past eight bytes' ELSE MAX(DISTINCT e.s) END AS hi,
       COALESCE(MAX(e.s), 'fallback of nineteen') AS m,
       NULLIF(MIN(e.s), 'x') AS nf
FROM se AS e;

-- name: distinct_string_aggregate_of_a_table_of_no_rows_chosen_by_case_non_owner
-- party: bob
SELECT COUNT(DISTINCT e.id) AS n,
       CASE WHEN COUNT(e.p) THEN MIN(DISTINCT e.s) ELSE 'b' END AS c,
       CASE WHEN COUNT(e.id) > 0 THEN MIN(DISTINCT e.s) ELSE 'zz' END AS lo,
       CASE WHEN COUNT(e.id) = 0 THEN 'a string past eight bytes' ELSE MAX(DISTINCT e.s) END AS hi,
       COALESCE(MAX(e.s), 'fallback of nineteen') AS m,
       NULLIF(MIN(e.s), 'x') AS nf
FROM se AS e;

-- name: strings_of_a_table_of_no_rows_in_a_union_and_a_join
-- party: carol
-- the empty table's strings stacked with another party's and joined (under MPC: the
-- asker owns neither)
SELECT COUNT(DISTINCT u.s) AS n, MIN(u.s) AS lo,
       CASE WHEN COUNT(u.id) > 100 THEN MAX(u.s) ELSE 'not so many rows' END AS c
FROM (SELECT id, s FROM se UNION ALL SELECT id, s FROM sb) AS u;

-- name: strings_of_a_table_of_no_rows_joined
-- party: carol
SELECT COUNT(*) AS n, CASE WHEN COUNT(e.s) > 0 THEN MIN(b.s) ELSE 'no match at all' END AS c,
       COALESCE(MAX(e.s), MIN(b.s), 'neither') AS m
FROM se AS e JOIN sb AS b ON e.id = b.id;

-- name: distinct_aggregates_of_no_rows_after_join
-- party: bob
SELECT COUNT(DISTINCT a.s) AS n,
       CASE WHEN SUM(DISTINCT a.p) > 0 THEN MAX(b.s) ELSE 'zzzzzzzzzzzzzzzzzz' END AS c,
       MIN(a.s) AS lo, MAX(a.d) AS d, MIN(a.p) AS p
FROM sa AS a JOIN sb AS b ON a.id = b.id WHERE b.id > 50;

-- name: case_constant_per_group
-- party: bob
SELECT a.id % 2 AS g, COUNT(DISTINCT a.s) AS n,
       CASE WHEN COUNT(a.p) > 4 THEN MIN(a.s) ELSE 'a long default string' END AS c
FROM sa AS a GROUP BY a.id % 2;

-- name: case_of_a_short_constant_and_a_wide_string_after_join
-- pushdown: on
SELECT a.id, CASE WHEN a.id % 2 = 0 THEN 'short' ELSE b.s END AS c,
       COALESCE(CASE WHEN a.id > 100 THEN a.s END, 'more than eight bytes') AS d
FROM sa AS a JOIN sb AS b ON a.id = b.id ORDER BY a.id;

-- name: union_of_strings_of_other_widths
-- party: bob
SELECT s FROM (SELECT s FROM sa WHERE id > 100 UNION ALL SELECT 'twelve bytes' AS s FROM sc
               WHERE id = 1 UNION ALL SELECT s FROM sc) AS u;

-- name: coalesce_over_union_of_aggregates_of_no_rows
SELECT COALESCE(s, 'nil nil nil nil') AS s
FROM (SELECT MIN(s) AS s FROM sa WHERE id > 100 UNION ALL SELECT MAX(s) FROM sb) AS u;
