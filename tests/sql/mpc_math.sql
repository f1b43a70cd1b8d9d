-- catalog: mpc_math/mpc_math.toml
-- party: alice
-- Functions of values of several parties, computed under MPC (engine/secure_math.py,
-- secure_dates.py, secure_like.py): after a join across parties (both modes) and over
-- a UNION ALL across parties (under MPC with pushdown off; at each owner with it on),
-- against DuckDB. Floats are compared within the fixtures' tolerance; the README's
-- float section states each function's bound (tests/mpc/test_elementary_functions.py
-- checks them on dense grids). Where DuckDB gives NaN or an infinity the engine gives
-- NULL (tests/engine/test_secure_math_domain.py): the queries here stay in the domain.
-- A function of two parties' values runs under MPC in both modes: those queries run
-- with pushdown only (the protocols take a few hundred rounds each).

-- name: sqrt_exp_ln_after_join
-- pushdown: on
SELECT a.id, SQRT(ABS(a.x) + ABS(b.y)) AS sq, EXP(a.x / 4 - b.y) AS e,
       LN(ABS(a.x * b.y) + 1) AS l, SQRT(a.i * a.i + b.j) AS si, EXP(a.p * 0.25 - b.q) AS ed
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: exp_of_integers_and_edges_after_join
-- pushdown: on
SELECT a.id, EXP(a.i % 20 - b.j) AS e, EXP(b.j * 4 - a.i % 30) AS big_or_tiny,
       EXP(CASE WHEN a.x > b.y THEN a.x ELSE b.y END / 100) AS e2
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: logs_after_join
-- pushdown: on
SELECT a.id, LN(ABS(a.p) + ABS(b.q) + 0.001) AS l, LOG10(ABS(a.x) + b.y * b.y + 1) AS l10,
       LOG2(ABS(a.i) + b.j * b.j + 1) AS l2, LOG(2, ABS(a.x) + 1 + ABS(b.y)) AS lb2,
       LOG(0.5, ABS(a.p * b.q) + 1) AS lhalf, LOG(ABS(a.x) + 2, ABS(b.y) + 1) AS lsecret,
       LN(a.i * a.i + 1) AS li
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: power_after_join
-- pushdown: on
SELECT a.id, POWER(a.i % 50 + b.j, 3) AS cube, POWER(ABS(a.x) + 1, b.j) AS secret_exp, POWER(ABS(a.p) + 1, b.q) AS secret_real_exp,
       POWER(a.x - b.y, 2) AS square, POWER(b.q, a.i % 3) AS dec_base, POW(ABS(a.p) + ABS(b.y), 0.5) AS root,
       POWER(a.x + b.y, b.j % 4) AS signed_base, POWER(ABS(a.x) + 0.5, -1) AS inverse
FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE a.id <> 12
ORDER BY a.id;

-- name: power_of_negative_base_with_secret_integer_exponent
-- pushdown: on
SELECT a.id, POWER(-2, a.i % 4 + b.j) AS alternating, POWER(a.x - 1, b.j) AS neg_base
FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE a.id IN (2, 3, 4, 5, 6, 9, 10, 11)
ORDER BY a.id;

-- name: trigonometry_after_join
-- pushdown: on
SELECT a.id, SIN(a.x + b.y) AS si, COS(a.x * b.y) AS co, SIN(a.p * b.q) AS sd,
       COS(a.i + b.j) AS ci, TAN(a.x / 8 - b.y / 4) AS ta, ATAN(a.x * b.y) AS at,
       ATAN(a.p - b.q) AS atd, ATAN(a.i - b.j) AS ati
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: inverse_trigonometry_after_join
-- pushdown: on
SELECT a.id, ASIN(a.p * b.q / 1000) AS asd, ACOS(a.x * b.y / 1000) AS acf,
       CASE WHEN ABS(a.p * b.q) <= 1 THEN ASIN(a.p * b.q) END AS asn,
       CASE WHEN ABS(a.p) <= 1 THEN ACOS(a.p + b.q * 0) END AS acn,
       ASIN(CASE WHEN a.i % 2 = 0 THEN 1 ELSE -1 END * b.j / 10) AS edges
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: math_over_union
SELECT id, SQRT(ABS(v)) AS sq, EXP(v / 64) AS e, LN(ABS(v) + 1) AS l, SIN(v) AS si,
       COS(v) AS co, ATAN(v) AS at, POWER(ABS(v), 1.5) AS p
FROM (SELECT id, x AS v FROM ma UNION ALL SELECT id, y FROM mb UNION ALL SELECT id, z FROM mc) AS u
ORDER BY id, v;

-- name: math_under_aggregates_after_join
-- pushdown: on
SELECT SUM(EXP(a.x / 8 + b.y / 1024)) AS se, MAX(ATAN(a.x - b.y)) AS ma, MIN(COS(a.p + b.q)) AS mc,
       AVG(LN(ABS(a.i) + ABS(b.j) + 1)) AS al, COUNT(SQRT(ABS(a.x - b.y))) AS n
FROM ma AS a JOIN mb AS b ON a.id = b.id;

-- name: math_in_where_and_group_by_after_join
-- pushdown: on
SELECT b.j DIV 3 AS g, COUNT(*) AS n, SUM(SQRT(ABS(a.x) + b.j * b.j)) AS s
FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE EXP(a.x / 8 - b.y) > 0.5 AND SIN(a.x) <= COS(b.y) + 1
GROUP BY b.j DIV 3;

-- name: domain_guarded_by_case
-- pushdown: on
-- the functions are computed on every row (also where their argument is out of their
-- domain) and only picked where it is in: no error, the other rows NULL as in DuckDB
SELECT a.id, CASE WHEN a.x + b.y > 0 THEN LN(a.x + b.y) END AS l,
       CASE WHEN a.x - b.y >= 0 THEN SQRT(a.x - b.y) ELSE -1 END AS sq,
       CASE WHEN ABS(a.x * b.y) <= 1 THEN ASIN(a.x * b.y) END AS asn
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: date_differences_after_join
-- pushdown: on
SELECT a.id, a.d - b.d AS days, DATEDIFF(a.d, b.d) AS dd, DATEDIFF(a.ts, b.ts) AS dts,
       TIMESTAMPDIFF(SECOND, b.ts, a.ts) AS secs, TIMESTAMPDIFF(MINUTE, b.ts, a.ts) AS mins,
       TIMESTAMPDIFF(HOUR, b.ts, a.ts) AS hours, TIMESTAMPDIFF(MICROSECOND, b.ts, a.ts) AS us,
       TIMESTAMPDIFF(MONTH, b.d, a.d) AS months, TIMESTAMPDIFF(YEAR, b.ts, a.ts) AS years,
       TIMESTAMPDIFF(QUARTER, b.d, a.ts) AS quarters, TIMESTAMPDIFF(DAY, b.d, a.ts) AS days_ts
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: date_parts_after_join
-- pushdown: on
SELECT a.id, YEAR(CASE WHEN a.id % 2 = 0 THEN a.d ELSE b.d END) AS y,
       MONTH(CASE WHEN a.id % 2 = 0 THEN b.d ELSE a.d END) AS m,
       DAY(CASE WHEN a.id % 3 = 0 THEN a.d ELSE b.d END) AS dy,
       QUARTER(CASE WHEN a.id > 6 THEN a.d ELSE b.d END) AS q,
       DAYOFWEEK(CASE WHEN a.id > 6 THEN a.d ELSE b.d END) AS dow,
       EXTRACT(YEAR FROM CASE WHEN a.id < 6 THEN a.ts ELSE b.ts END) AS ey,
       EXTRACT(DAY FROM CASE WHEN a.id < 6 THEN b.ts ELSE a.ts END) AS ed,
       HOUR(CASE WHEN a.id % 2 = 1 THEN a.ts ELSE b.ts END) AS h,
       MINUTE(CASE WHEN a.id % 2 = 0 THEN a.ts ELSE b.ts END) AS mi,
       SECOND(CASE WHEN a.id % 2 = 0 THEN a.ts ELSE b.ts END) AS s
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: date_parts_over_union
SELECT YEAR(d) AS y, MONTH(d) AS m, COUNT(*) AS n, MIN(DAY(d)) AS first_day,
       MAX(EXTRACT(HOUR FROM ts)) AS last_hour
FROM (SELECT d, ts FROM ma UNION ALL SELECT d, ts FROM mb UNION ALL SELECT d, ts FROM mc) AS u
GROUP BY YEAR(d), MONTH(d);

-- WEEKDAY is DuckDB's (its DAYOFWEEK: 0 is Sunday; MySQL's starts on Monday)

-- name: weekday_of_own_table
SELECT id, WEEKDAY(d) AS wd, DAYOFWEEK(d) AS dw, WEEKDAY(ts) AS wt, DAYOFWEEK(ts) AS dwt
FROM ma ORDER BY id;

-- name: weekday_after_join
-- pushdown: on
SELECT a.id, WEEKDAY(CASE WHEN a.id > 2 THEN a.d ELSE b.d END) AS wd,
       DAYOFWEEK(CASE WHEN a.id > 2 THEN a.ts ELSE b.ts END) AS dw,
       WEEKDAY(CASE WHEN a.id > 2 THEN b.ts ELSE a.ts END) AS wt
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: weekday_over_union
SELECT WEEKDAY(d) AS wd, COUNT(*) AS n, MAX(DAYOFWEEK(ts)) AS last_dw
FROM (SELECT d, ts FROM ma UNION ALL SELECT d, ts FROM mb UNION ALL SELECT d, ts FROM mc) AS u
GROUP BY WEEKDAY(d)
ORDER BY wd;

-- name: date_parts_in_where_after_join
-- pushdown: on
SELECT COUNT(*) AS n
FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE YEAR(a.d) = YEAR(b.d) OR MONTH(a.ts) = MONTH(b.ts) AND DATEDIFF(a.d, b.d) < 400;

-- timestamp - timestamp is DuckDB's INTERVAL (Arrow's month_day_nano_interval: whole
-- days and the rest, both of the sign of the difference, no months); date - date a number

-- name: timestamp_minus_timestamp_of_own_table
SELECT id, ts - d AS gap, d - ts AS back, ts - ts AS zero, d - d AS days FROM ma ORDER BY id;

-- name: timestamp_minus_timestamp_after_join
-- pushdown: on
SELECT a.id, a.ts - b.ts AS gap, a.d - b.ts AS dg, a.ts - b.d AS gd, a.d - b.d AS dd
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: timestamp_minus_timestamp_over_union
SELECT ts - d AS gap, d - ts AS back FROM (SELECT d, ts FROM ma UNION ALL SELECT d, ts FROM mb
                                          UNION ALL SELECT d, ts FROM mc) AS u;

-- name: intervals_of_owners_over_union
SELECT gap FROM (SELECT ts - d AS gap FROM ma UNION ALL SELECT ts - d FROM mb
                 UNION ALL SELECT ts - d FROM mc) AS u;

-- name: intervals_ordered_compared_and_grouped_after_join
-- pushdown: on
SELECT a.ts - b.ts AS gap, COUNT(*) AS n, MIN(b.ts - a.ts) AS lo
FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE a.ts - b.ts >= b.ts - a.ts OR a.id % 2 = 0
GROUP BY a.ts - b.ts
ORDER BY gap;

-- name: intervals_ordered_and_extremes_over_union
SELECT MIN(ts - d) AS lo, MAX(ts - d) AS hi, COUNT(DISTINCT d - ts) AS n
FROM (SELECT d, ts FROM ma UNION ALL SELECT d, ts FROM mb UNION ALL SELECT d, ts FROM mc) AS u;

-- PERCENTILE_CONT of timestamps is DuckDB's lo + llround(double(hi - lo) d): for
-- fractions of 2^3 exactly, with the rounding of differences past 2^53 (mt's groups)

-- name: timestamp_percentiles_of_own_table
SELECT MEDIAN(ts) AS m, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY ts) AS q1 FROM ma;

-- name: timestamp_percentiles_after_join
-- pushdown: on
SELECT a.id % 2 AS g, MEDIAN(CASE WHEN a.id > 2 THEN a.ts ELSE b.ts END) AS m,
       PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY b.ts) AS q3
FROM ma AS a JOIN mb AS b ON a.id = b.id
GROUP BY a.id % 2
ORDER BY g;

-- name: timestamp_percentiles_over_union
SELECT MEDIAN(ts) AS m, PERCENTILE_CONT(0.125) WITHIN GROUP (ORDER BY ts) AS p1,
       PERCENTILE_CONT(0.875) WITHIN GROUP (ORDER BY ts) AS p7, MEDIAN(d) AS md
FROM (SELECT d, ts FROM ma UNION ALL SELECT d, ts FROM mb UNION ALL SELECT d, ts FROM mc) AS u;

-- name: timestamp_percentiles_rounded_as_doubles
SELECT k, MEDIAN(ts) AS m, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY ts) AS q1,
       PERCENTILE_CONT(0.375) WITHIN GROUP (ORDER BY ts) AS p3,
       PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY ts) AS q3
FROM (SELECT k, ts FROM mt UNION ALL SELECT id % 5, ts FROM ma) AS u
GROUP BY k
ORDER BY k;

-- name: timestamp_percentile_of_another_fraction_refused
-- pushdown: on
-- error: NotSupportedError a fraction of a power of two
SELECT PERCENTILE_CONT(0.1) WITHIN GROUP (ORDER BY ts) AS p
FROM (SELECT ts FROM ma UNION ALL SELECT ts FROM mb) AS u;

-- name: interval_arithmetic_refused
-- error: NotSupportedError INTERVAL
SELECT (a.ts - b.ts) * 2 AS twice FROM ma AS a JOIN mb AS b ON a.id = b.id;

-- name: average_interval_refused
-- error: NotSupportedError INTERVAL
SELECT AVG(ts - d) AS mean FROM ma;

-- name: week_difference_refused
-- error: NotSupportedError WEEK
SELECT TIMESTAMPDIFF(WEEK, a.d, b.d) AS w FROM ma AS a JOIN mb AS b ON a.id = b.id;

-- name: like_after_join
-- pushdown: on
SELECT a.id, a.s LIKE 'app%' AS pre, b.s LIKE '%ple' AS suf, a.s LIKE '%pp%' AS mid,
       b.s LIKE 'app' AS whole, a.s LIKE 'a%e' AS both_ends, a.s NOT LIKE '%é' AS not_acute,
       CASE WHEN a.id > 5 THEN a.s ELSE b.s END LIKE '%p%' AS mixed,
       b.s LIKE '%' AS any_, b.s LIKE '' AS empty_, a.s LIKE 'applications%' AS longer
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: like_in_where_over_union
SELECT s FROM (SELECT s FROM ma UNION ALL SELECT s FROM mb UNION ALL SELECT s FROM mc) AS u
WHERE s LIKE '%pp%' OR s LIKE 'pine%' OR s LIKE '%é';

-- name: like_counts_after_join
-- pushdown: on
SELECT SUM(CASE WHEN a.s LIKE '%app%' THEN 1 ELSE 0 END) AS apps, COUNT(*) AS n
FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE b.s LIKE '%p%' OR b.s LIKE 'b%';

-- name: like_with_underscore_after_join
-- pushdown: on
-- the pattern's automaton (mpc/like_automaton.py; more in tests/sql/mpc_strings.sql)
SELECT a.id FROM ma AS a JOIN mb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 5 THEN a.s ELSE b.s END LIKE 'a_p%';

-- name: string_order_after_join
-- pushdown: on
-- byte-wise order (mpc/byte_order.py): a prefix sorts first, non-ASCII after ASCII
SELECT a.id, a.s < b.s AS lt, a.s >= b.s AS ge, b.s > 'apple' AS gt, a.s <= 'app' AS le,
       CASE WHEN a.id > 6 THEN a.s ELSE b.s END BETWEEN 'a' AND 'b' AS between_
FROM ma AS a JOIN mb AS b ON a.id = b.id
ORDER BY a.id;

-- name: string_order_in_where_over_union
SELECT s FROM (SELECT s FROM ma UNION ALL SELECT s FROM mb UNION ALL SELECT s FROM mc) AS u
WHERE s >= 'app' AND s < 'b';

-- name: string_min_across_parties
-- the owners' partial MINs meet under MPC too (mpc/string_extreme.py)
SELECT MIN(s) AS lo FROM (SELECT s FROM ma UNION ALL SELECT s FROM mb) AS u;
