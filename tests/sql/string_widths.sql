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
-- constant's bytes (the rows are filtered out here, not absent: fuzz 60150:5's input had
-- none, which these fixtures do not reach yet)
SELECT CASE WHEN COUNT(a.id) > 0 THEN MIN(DISTINCT a.s) ELSE 'zz' END AS c,
       CASE WHEN COUNT(a.id) = 0 THEN 'yy' ELSE MAX(DISTINCT a.s) END AS d
FROM sa AS a WHERE a.id > 100;

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
