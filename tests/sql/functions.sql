-- catalog: ../../catalogs/types.toml
-- party: alice
-- Scalar functions evaluated where the data is (sql/owner_expressions.py): on the
-- asker's own table, in each branch of a UNION ALL across parties, and below a join
-- across parties, each owner computes the function on its own rows before sharing.
-- With pushdown off everything after the scans runs under MPC: date parts, LIKE with
-- constant text and the math functions have protocols there (engine/secure_dates.py,
-- secure_like.py, secure_math.py); the others must refuse before any data moves.

-- name: dates_own_table
SELECT id, YEAR(d) AS y, MONTH(d) AS mo, DAY(d) AS dy, EXTRACT(YEAR FROM ts) AS ey,
       EXTRACT(MONTH FROM d) AS em, EXTRACT(HOUR FROM ts) AS eh, QUARTER(d) AS q
FROM t_alice;

-- name: date_arithmetic_own_table
-- secure-error: NotSupportedError
SELECT id, d + INTERVAL 1 DAY AS next_day, d - INTERVAL 2 MONTH AS before,
       DATE_ADD(d, INTERVAL 3 YEAR) AS later, DATE_SUB(ts, INTERVAL 5 HOUR) AS earlier,
       ts + INTERVAL 90 MINUTE AS ts90
FROM t_alice;

-- name: date_functions_own_table
-- secure-error: NotSupportedError
SELECT id, DATEDIFF(d, '2000-01-01') AS days, DATE_FORMAT(d, '%Y-%m') AS ym,
       DATE_FORMAT(ts, '%Y-%m-%d %H:%i') AS ymdhm, LAST_DAY(d) AS eom,
       DATE_TRUNC('month', d) AS month_start, STR_TO_DATE('2021-03-04', '%Y-%m-%d') AS parsed,
       CURDATE() >= d AS past, CAST(NOW() AS DATE) = CURDATE() AS today
FROM t_alice;

-- name: dates_where_own_table
SELECT id FROM t_alice WHERE YEAR(d) BETWEEN 1980 AND 2000 AND MONTH(ts) <> 2;

-- name: dates_group_by_own_table
SELECT YEAR(d) AS y, COUNT(*) AS n FROM t_alice GROUP BY YEAR(d) ORDER BY y;

-- name: dates_union_aggregates
-- secure-error: NotSupportedError
SELECT SUM(YEAR(d)) AS sy, MIN(LAST_DAY(d)) AS first_eom, MAX(d + INTERVAL 1 DAY) AS last,
       COUNT(DATE_FORMAT(ts, '%Y')) AS n, SUM(DATEDIFF(d, '2000-01-01')) AS days
FROM (SELECT d, ts FROM t_alice UNION ALL SELECT d, ts FROM t_bob UNION ALL SELECT d, ts FROM t_carol) AS u;

-- name: dates_union_rows
-- catalog: ../../catalogs/types_open.toml
-- secure-error: NotSupportedError
SELECT id, YEAR(d) AS y, DATE_TRUNC('year', ts) AS ty, d - INTERVAL 7 DAY AS wk
FROM (SELECT id, d, ts FROM t_alice UNION ALL SELECT id, d, ts FROM t_bob) AS u;

-- name: dates_union_group_by
-- catalog: ../../catalogs/types_open.toml
SELECT YEAR(d) AS y, COUNT(*) AS n
FROM (SELECT d FROM t_alice UNION ALL SELECT d FROM t_bob UNION ALL SELECT d FROM t_carol) AS u
GROUP BY YEAR(d);

-- name: dates_after_join_aggregates
-- secure-error: NotSupportedError
SELECT COUNT(*) AS n, SUM(YEAR(b.d)) AS sy, MAX(MONTH(b.ts)) AS mm,
       SUM(DATEDIFF(b.d, '1990-01-01')) AS days, MIN(b.d + INTERVAL 1 MONTH) AS first
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: dates_after_join_rows
-- catalog: ../../catalogs/types_open.toml
-- secure-error: NotSupportedError
SELECT a.id, YEAR(a.d) AS ya, YEAR(b.d) AS yb, EXTRACT(MONTH FROM b.ts) AS mb,
       DATE_FORMAT(b.d, '%Y') AS fb, YEAR(b.d) - YEAR(a.d) AS diff
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: dates_after_join_where
-- catalog: ../../catalogs/types_open.toml
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE YEAR(b.d) > 1990 OR MONTH(a.d) = 5;

-- name: dates_after_join_group_by
-- catalog: ../../catalogs/types_open.toml
SELECT YEAR(b.d) AS y, COUNT(*) AS n, SUM(a.k) AS sk
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id GROUP BY YEAR(b.d);

-- name: dates_after_left_join
-- the NULL-extended rows of the right side get NULL from YEAR, computed before the join
-- catalog: ../../catalogs/types_open.toml
SELECT a.id, YEAR(b.d) AS y, COALESCE(b.s, 'none') AS bs
FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id;

-- name: strings_own_table
-- secure-error: NotSupportedError
SELECT id, UPPER(s) AS up, LOWER(s) AS low, SUBSTRING(s, 2, 3) AS mid, SUBSTR(s, 3) AS tail,
       CONCAT(s, '-', id) AS tagged, LENGTH(s) AS len, CHAR_LENGTH(s) AS chars, TRIM(s) AS t,
       REPLACE(s, 'a', 'A') AS r, LEFT(s, 2) AS l2, RIGHT(s, 2) AS r2
FROM t_alice;

-- name: like_own_table
SELECT id, s LIKE 'a%' AS starts_a, s LIKE '%e' AS ends_e, s NOT LIKE '%a%' AS no_a,
       s ILIKE 'BAN%' AS ban, s LIKE '_pple%' AS pple
FROM t_alice;

-- name: like_as_the_whole_where
SELECT id, s FROM t_alice WHERE s LIKE 'a%';

-- name: like_in_where_with_others
SELECT id FROM t_alice WHERE (s LIKE '%a%' OR s ILIKE 'z%') AND k > 0;

-- name: strings_union_rows
-- s is PLAINTEXT to everyone: its rows may be shown
-- secure-error: NotSupportedError
SELECT id, UPPER(s) AS up, LENGTH(s) AS len, CONCAT('<', s, '>') AS wrapped
FROM (SELECT id, s FROM t_alice UNION ALL SELECT id, s FROM t_bob UNION ALL SELECT id, s FROM t_carol) AS u
WHERE s LIKE '%a%';

-- name: strings_union_group_by
-- secure-error: NotSupportedError
SELECT LOWER(TRIM(s)) AS name, COUNT(*) AS n
FROM (SELECT s FROM t_alice UNION ALL SELECT s FROM t_bob UNION ALL SELECT s FROM t_carol) AS u
GROUP BY LOWER(TRIM(s));

-- name: strings_after_join
-- secure-error: NotSupportedError
SELECT a.id, UPPER(b.s) AS bs, LENGTH(a.s) + LENGTH(b.s) AS total, b.s LIKE 'a%' AS ba
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE b.s NOT LIKE '%z%';

-- name: like_case_under_aggregate_after_join
-- TPC-H Q14's shape: the LIKE is a bool the right side's owner computes and shares
SELECT SUM(CASE WHEN b.s LIKE 'a%' THEN a.m ELSE 0 END) AS promo, SUM(a.m) AS total
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: math_own_table
-- secure-error: NotSupportedError
SELECT id, ABS(i) AS ai, ABS(m) AS am, ROUND(f) AS rf, ROUND(m, 1) AS rm, ROUND(f, 2) AS rf2,
       FLOOR(f) AS ff, FLOOR(m) AS fm, CEIL(f) AS cf, CEILING(m) AS cm, SQRT(ABS(f)) AS sq,
       POWER(k, 2) AS p2, POW(ABS(f), 0.5) AS p05, SIGN(i) AS sg, MOD(k, 3) AS k3
FROM t_alice;

-- name: math_logs_and_trigonometry_own_table
-- secure-error: NotSupportedError
SELECT id, LN(ABS(f) + 1) AS l, LOG(ABS(f) + 1) AS l1, LOG(2, ABS(f) + 1) AS l2,
       LOG10(ABS(f) + 1) AS l10, EXP(f / 1000) AS e, SIN(f) AS si, COS(f) AS co,
       TAN(f / 1000) AS ta, ASIN(f / 1000) AS asn, ACOS(f / 1000) AS acs, ATAN(f) AS at,
       ATAN2(f, 2) AS at2, PI() * 2 AS tau
FROM t_alice;

-- name: math_union_aggregates
-- secure-error: NotSupportedError
SELECT SUM(ABS(i)) AS sa, SUM(ROUND(m)) AS sr, MAX(SQRT(ABS(f))) AS mx, MIN(FLOOR(f)) AS mn,
       SUM(POWER(k, 2)) AS sp, MAX(LN(ABS(f) + 1)) AS ml, MIN(COS(f)) AS mc
FROM (SELECT i, m, f, k FROM t_alice UNION ALL SELECT i, m, f, k FROM t_bob UNION ALL SELECT i, m, f, k FROM t_carol) AS u;

-- name: math_after_join
-- secure-error: NotSupportedError
SELECT COUNT(*) AS n, SUM(ABS(b.i)) AS sa, SUM(ROUND(b.m, 1)) AS sr, MAX(CEIL(b.f)) AS mc,
       SUM(FLOOR(a.f) + FLOOR(b.f)) AS ff, MAX(SQRT(ABS(b.f)) + a.k) AS mixed
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: math_after_join_rows
-- catalog: ../../catalogs/types_open.toml
SELECT a.id, ABS(b.i) AS ab, ROUND(b.m, 1) AS rb, EXP(b.f / 1000) AS eb, ATAN(b.f) + a.k AS mixed
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: casts_own_table
-- secure-error: NotSupportedError
SELECT id, CAST(i AS CHAR) AS is_, CAST(f AS CHAR) AS fs, CAST(m AS CHAR) AS ms,
       CAST(d AS CHAR) AS ds, CAST(ts AS CHAR) AS tss, CAST(b AS CHAR) AS bs,
       CAST(ts AS DATE) AS td, CAST(d AS DATETIME) AS dt, CAST('2020-02-03' AS DATE) AS lit,
       CAST(CAST(id AS CHAR) AS SIGNED) AS back, CAST(CONCAT(id, '.5') AS DECIMAL(10, 2)) AS dm,
       CAST(CAST(k AS CHAR) AS DOUBLE) AS kd
FROM t_alice;

-- name: casts_after_join
-- catalog: ../../catalogs/types_open.toml
-- secure-error: NotSupportedError
SELECT a.id, CAST(b.d AS CHAR) AS bd, CAST(b.m AS CHAR) AS bm, CAST(CAST(b.k AS CHAR) AS SIGNED) AS bk
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: nested_functions_own_table
-- secure-error: NotSupportedError
SELECT UPPER(DATE_FORMAT(d, '%Y')) AS y, LENGTH(CAST(YEAR(d) AS CHAR)) AS n, COUNT(*) AS c
FROM t_alice GROUP BY UPPER(DATE_FORMAT(d, '%Y')), LENGTH(CAST(YEAR(d) AS CHAR));

-- ABS, ROUND, FLOOR and CEIL also run under MPC (exactly, on integers and decimals;
-- ABS on floats too), so these run in both modes, also where parties' values meet.

-- name: mpc_abs_round_own_table
SELECT id, ABS(i) AS ai, ABS(m) AS am, ABS(f) AS af, ROUND(m) AS rm, ROUND(m, 1) AS rm1,
       ROUND(m, 2) AS rm2, ROUND(m, 5) AS rm5, FLOOR(m) AS fm, CEIL(m) AS cm, ROUND(k) AS rk,
       FLOOR(i) AS fi
FROM t_alice;

-- name: mpc_abs_round_union
SELECT SUM(ABS(i)) AS sa, SUM(ROUND(m, 1)) AS sr, MIN(FLOOR(m)) AS fm, MAX(CEIL(m)) AS cm,
       SUM(ABS(f)) AS sf, MAX(ABS(m)) AS mx
FROM (SELECT i, m, f FROM t_alice UNION ALL SELECT i, m, f FROM t_bob UNION ALL SELECT i, m, f FROM t_carol) AS u;

-- name: mpc_abs_round_of_two_parties
SELECT COUNT(*) AS n, SUM(ABS(a.m - b.m)) AS dist, SUM(ROUND(a.m * 3 + b.m, 1)) AS r,
       SUM(FLOOR(a.m - b.m)) AS fl, SUM(CEIL(b.m - a.m)) AS ce, MAX(ABS(a.i - b.i)) AS mi,
       SUM(ABS(a.f - b.f)) AS df
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: mpc_abs_round_rows_of_two_parties
-- catalog: ../../catalogs/types_open.toml
SELECT a.id, ABS(a.k - b.k) AS dk, ROUND(a.m - b.m, 1) AS rm, FLOOR(a.m + b.m) AS fm,
       CEIL(a.m * 2 - b.m) AS cm, ABS(a.f + b.f) AS af
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE ABS(a.m - b.m) > 100;

-- name: mpc_round_of_a_float_of_two_parties
-- a fixed-point float near a rounding boundary could round the other way: refused
-- error: NotSupportedError of a float64 value
SELECT SUM(ROUND(a.f + b.f)) AS r FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: more_functions_own_table
-- secure-error: NotSupportedError
SELECT id, LOCATE('a', s) AS pos, INSTR(s, 'e') AS ins, REVERSE(s) AS rev, LTRIM(s) AS lt,
       RTRIM(s) AS rt, HOUR(ts) AS h, MINUTE(ts) AS mi, SECOND(ts) AS se,
       TIMESTAMPDIFF(DAY, d, ts) AS td, GREATEST(k, id) AS g, LEAST(k, 3) AS l,
       DAYOFWEEK(d) AS dw, DAYOFYEAR(d) AS dy
FROM t_alice;

-- name: more_functions_after_join
-- catalog: ../../catalogs/types_open.toml
-- secure-error: NotSupportedError
SELECT a.id, LOCATE('a', b.s) AS pos, REVERSE(b.s) AS rev, HOUR(b.ts) AS h,
       GREATEST(b.k, b.id) AS g, TIMESTAMPDIFF(HOUR, b.ts, b.d) AS th
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: timestampdiff_of_two_parties
-- catalog: ../../catalogs/types_open.toml
-- under MPC (engine/secure_dates.py): hour boundaries between two parties' timestamps
SELECT a.id, TIMESTAMPDIFF(HOUR, b.ts, a.ts) AS m FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: function_of_two_parties_refused
-- catalog: ../../catalogs/types_open.toml
-- error: NotSupportedError CONCAT()
SELECT a.id, CONCAT(a.s, b.s) AS m FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: sum_of_bools_own_table
SELECT SUM(b) AS nb, SUM(k > 2) AS big, SUM(s IS NULL) AS a FROM t_alice;

-- name: sum_of_like_own_table
SELECT SUM(s LIKE 'a%') AS a FROM t_alice;

-- name: sum_of_bools_union
SELECT SUM(b) AS nb, SUM(NOT b) AS nf, COUNT(*) AS n
FROM (SELECT b FROM t_alice UNION ALL SELECT b FROM t_bob UNION ALL SELECT b FROM t_carol) AS u;

-- name: sum_of_bools_of_two_parties
SELECT SUM(a.b) AS ab, SUM(b.b) AS bb, SUM(a.m > b.m) AS bigger, SUM(a.k = b.k) AS same
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: sum_of_bools_per_group
-- catalog: ../../catalogs/types_open.toml
SELECT a.k, SUM(b.b) AS bb, SUM(a.i < b.i) AS less
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id GROUP BY a.k;
