-- catalog: mpc_strings/mpc_strings.toml
-- party: alice
-- LIKE patterns, date parts and aggregates of strings, dates and decimals of several
-- parties, under MPC (engine/secure_like.py, secure_dates.py): after a join across
-- parties, over a UNION ALL across parties (under MPC with pushdown off, at each owner
-- with it on) and on the asker's own table, against DuckDB. A CASE that picks either
-- party's value makes an expression of two parties, so that it runs under MPC in both
-- modes; those queries run with pushdown only.

-- name: like_wildcards_after_join
-- pushdown: on
-- '_' is one character (one to four bytes), several '%' segments, an escaped wildcard
SELECT a.id, CASE WHEN a.id % 2 = 0 THEN a.s ELSE b.s END LIKE 'a_b' AS one_char,
       CASE WHEN a.id % 2 = 1 THEN a.s ELSE b.s END LIKE 'na_ve%' AS multibyte_char,
       CASE WHEN a.id % 3 = 0 THEN a.s ELSE b.s END LIKE '%i%s%i%' AS segments,
       CASE WHEN a.id > 5 THEN a.s ELSE b.s END LIKE '_i%' AS second_i,
       CASE WHEN a.id < 4 THEN a.s ELSE b.s END LIKE 'a!%b' ESCAPE '!' AS escaped_percent,
       CASE WHEN a.id < 4 THEN b.s ELSE a.s END LIKE 'a#_%' ESCAPE '#' AS escaped_underscore,
       CASE WHEN a.id > 8 THEN a.s ELSE b.s END LIKE '%!!%' ESCAPE '!' AS escaped_escape,
       CASE WHEN a.id > 2 THEN a.s ELSE b.s END NOT LIKE '%_%_%' AS at_most_one_char,
       CASE WHEN a.id > 2 THEN b.s ELSE a.s END LIKE '%é%' AS contains_e_acute,
       CASE WHEN a.id > 2 THEN b.s ELSE a.s END LIKE '_' AS exactly_one
FROM sa AS a JOIN sb AS b ON a.id = b.id
ORDER BY a.id;

-- name: ilike_after_join
-- pushdown: on
-- ASCII case folding, and the two characters whose lowercase is an ASCII letter
SELECT a.id, CASE WHEN a.id % 2 = 0 THEN a.s ELSE b.s END ILIKE 'KIL%' AS kil,
       CASE WHEN a.id % 2 = 1 THEN a.s ELSE b.s END ILIKE '%ELV%' AS elv,
       CASE WHEN a.id > 5 THEN a.s ELSE b.s END ILIKE 'istan%' AS istan,
       CASE WHEN a.id < 6 THEN a.s ELSE b.s END NOT ILIKE 'a_B' AS not_a_b,
       CASE WHEN a.id > 3 THEN b.s ELSE a.s END ILIKE '%SS%SS%' AS ss_ss,
       CASE WHEN a.id > 3 THEN b.s ELSE a.s END ILIKE 'a!%B' ESCAPE '!' AS escaped
FROM sa AS a JOIN sb AS b ON a.id = b.id
ORDER BY a.id;

-- name: like_as_the_whole_where_after_join
-- pushdown: on
SELECT a.id, b.id AS bid FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 4 THEN a.s ELSE b.s END LIKE '%i_%'
ORDER BY a.id;

-- name: not_like_as_the_whole_where_after_join
-- pushdown: on
SELECT COUNT(*) AS n FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 4 THEN a.s ELSE b.s END NOT ILIKE '%i_%';

-- name: like_over_union
SELECT s, s LIKE '%a_b%' AS ab, s ILIKE '%pp%' AS pp, s NOT LIKE '%!%%' ESCAPE '!' AS no_pct
FROM (SELECT s FROM sa UNION ALL SELECT s FROM sb UNION ALL SELECT s FROM sc) AS u;

-- name: like_in_where_over_union
SELECT s FROM (SELECT s FROM sa UNION ALL SELECT s FROM sb UNION ALL SELECT s FROM sc) AS u
WHERE s ILIKE '_I%' OR s LIKE '%p_le%';

-- name: like_on_own_table
SELECT id, s LIKE 'a_b' AS ab, s ILIKE 'k%' AS k, s LIKE 'a!_b' ESCAPE '!' AS escaped
FROM sa ORDER BY id;

-- name: like_counts_after_join
-- pushdown: on
SELECT SUM(CASE WHEN CASE WHEN a.id > 5 THEN a.s ELSE b.s END ILIKE '%i%' THEN 1 ELSE 0 END) AS i,
       COUNT(*) AS n
FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE b.s NOT LIKE '_' OR a.s LIKE '%_%_%';

-- name: ilike_of_a_non_ascii_letter_refused
-- error: NotSupportedError ILIKE '%é%'
SELECT a.id FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 5 THEN a.s ELSE b.s END ILIKE '%é%';

-- name: like_with_a_backslash_refused
-- error: NotSupportedError LIKE 'a\_b'
SELECT a.id FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 5 THEN a.s ELSE b.s END LIKE 'a\_b';

-- name: like_with_a_secret_pattern_refused
-- error: NotSupportedError constant pattern
SELECT a.id FROM sa AS a JOIN sb AS b ON a.id = b.id WHERE a.s LIKE b.s;

-- name: like_pattern_ending_with_the_escape_refused
-- error: ProgrammingError escape character
SELECT a.id FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 5 THEN a.s ELSE b.s END LIKE 'a!' ESCAPE '!';

-- name: day_of_year_and_week_after_join
-- pushdown: on
SELECT a.id, DAYOFYEAR(CASE WHEN a.id % 2 = 0 THEN a.d ELSE b.d END) AS doy,
       WEEK(CASE WHEN a.id % 2 = 1 THEN a.d ELSE b.d END) AS week,
       WEEKOFYEAR(CASE WHEN a.id % 2 = 0 THEN a.d ELSE b.d END) AS week_of_year,
       DAYOFMONTH(CASE WHEN a.id % 3 = 0 THEN a.d ELSE b.d END) AS dom,
       EXTRACT(DOY FROM CASE WHEN a.id > 5 THEN a.d ELSE b.d END) AS edoy,
       EXTRACT(WEEK FROM CASE WHEN a.id > 5 THEN b.d ELSE a.d END) AS eweek,
       EXTRACT(ISODOW FROM CASE WHEN a.id > 5 THEN b.d ELSE a.d END) AS isodow
FROM sa AS a JOIN sb AS b ON a.id = b.id
ORDER BY a.id;

-- name: day_of_year_and_week_over_union
SELECT d, DAYOFYEAR(d) AS doy, WEEK(d) AS w, WEEKOFYEAR(d) AS wy, EXTRACT(ISODOW FROM d) AS iso
FROM (SELECT d FROM sa UNION ALL SELECT d FROM sb UNION ALL SELECT d FROM sc) AS u;

-- name: weeks_grouped_over_union
SELECT WEEK(d) AS w, COUNT(*) AS n
FROM (SELECT d FROM sa UNION ALL SELECT d FROM sb UNION ALL SELECT d FROM sc) AS u
GROUP BY WEEK(d);

-- name: day_of_year_on_own_table
SELECT id, DAYOFYEAR(d) AS doy, WEEK(d) AS w, EXTRACT(DOY FROM d) AS edoy FROM sa ORDER BY id;


-- name: median_and_quartiles_of_decimals_over_union
-- DuckDB keeps the decimal type and truncates the interpolation toward zero
SELECT MEDIAN(p) AS m, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY p) AS q1,
       PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY p) AS q3,
       PERCENTILE_DISC(0.3) WITHIN GROUP (ORDER BY p) AS d3
FROM (SELECT p FROM sa UNION ALL SELECT p FROM sb UNION ALL SELECT p FROM sc) AS u;

-- name: median_of_decimals_grouped_over_union
-- halves of odd cents, negative ones too (-2.875 is -2.87)
SELECT p < 0 AS negative, MEDIAN(p) AS m, COUNT(p) AS n
FROM (SELECT p FROM sa UNION ALL SELECT p FROM sb UNION ALL SELECT p FROM sc) AS u
GROUP BY p < 0;

-- name: median_of_dates_over_union
-- a timestamp, as in DuckDB: halfway between two days is noon
SELECT MEDIAN(d) AS m, PERCENTILE_CONT(0.125) WITHIN GROUP (ORDER BY d) AS q,
       PERCENTILE_DISC(0.3) WITHIN GROUP (ORDER BY d) AS d3
FROM (SELECT d FROM sa UNION ALL SELECT d FROM sb UNION ALL SELECT d FROM sc) AS u;

-- name: median_of_dates_grouped_over_union
SELECT id % 2 AS odd, MEDIAN(d) AS m, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY d) AS q1
FROM (SELECT id, d FROM sa UNION ALL SELECT id, d FROM sb UNION ALL SELECT id, d FROM sc) AS u
GROUP BY id % 2;

-- name: medians_after_join
-- pushdown: on
SELECT a.id % 3 AS g, MEDIAN(CASE WHEN a.id > 5 THEN a.p ELSE b.p END) AS m,
       MEDIAN(CASE WHEN a.id > 5 THEN b.d ELSE a.d END) AS md,
       PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY a.p - b.p) AS q3
FROM sa AS a JOIN sb AS b ON a.id = b.id
GROUP BY a.id % 3;

-- name: median_of_decimals_on_own_table
SELECT MEDIAN(p) AS m, MEDIAN(d) AS md FROM sa;

-- name: percentile_cont_of_a_decimal_at_a_fraction_duckdb_rounds_refused
-- error: NotSupportedError PERCENTILE_CONT(0.3)
SELECT PERCENTILE_CONT(0.3) WITHIN GROUP (ORDER BY p) AS q
FROM (SELECT p FROM sa UNION ALL SELECT p FROM sb) AS u;

-- name: string_min_max_over_union
-- byte-wise as DuckDB: upper case before lower, multi-byte characters last, '' first
SELECT MIN(s) AS lo, MAX(s) AS hi, COUNT(s) AS n
FROM (SELECT s FROM sa UNION ALL SELECT s FROM sb UNION ALL SELECT s FROM sc) AS u;

-- name: string_min_max_grouped_over_union
SELECT p < 0 AS negative, MIN(s) AS lo, MAX(s) AS hi
FROM (SELECT s, p FROM sa UNION ALL SELECT s, p FROM sb UNION ALL SELECT s, p FROM sc) AS u
GROUP BY p < 0
HAVING MIN(s) < 'b';

-- name: string_min_max_of_no_row_over_union
SELECT MIN(s) AS lo, MAX(s) AS hi
FROM (SELECT s FROM sa UNION ALL SELECT s FROM sb) AS u WHERE s IS NULL;

-- name: string_min_max_after_join
-- pushdown: on
SELECT MIN(CASE WHEN a.id > 5 THEN a.s ELSE b.s END) AS lo,
       MAX(CASE WHEN a.id > 5 THEN b.s ELSE a.s END) AS hi,
       MIN(CASE WHEN a.id > 5 THEN a.s ELSE b.s END) = 'Kelvin' AS lo_is_kelvin,
       MAX(CASE WHEN a.id > 5 THEN b.s ELSE a.s END) IN ('pineapple', 'Éclair') AS hi_in
FROM sa AS a JOIN sb AS b ON a.id = b.id;

-- name: string_min_max_grouped_after_join
-- pushdown: on
SELECT a.id % 3 AS g, MIN(CASE WHEN a.id > 5 THEN a.s ELSE b.s END) AS lo,
       MAX(CASE WHEN a.id > 5 THEN b.s ELSE a.s END) AS hi
FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE b.s IS NOT NULL
GROUP BY a.id % 3
ORDER BY g;

-- name: string_min_max_on_own_table
SELECT MIN(s) AS lo, MAX(s) AS hi FROM sa;

-- name: like_escape_of_two_characters_refused
-- error: ProgrammingError ESCAPE '!!'
SELECT a.id FROM sa AS a JOIN sb AS b ON a.id = b.id
WHERE CASE WHEN a.id > 5 THEN a.s ELSE b.s END LIKE 'a!!%' ESCAPE '!!';

-- name: string_min_max_windows_over_union
SELECT id, s, MIN(s) OVER (PARTITION BY id % 3) AS lo, MAX(s) OVER (PARTITION BY id % 3) AS hi,
       MIN(s) OVER (PARTITION BY id % 2 ORDER BY id) AS running_lo,
       MAX(s) OVER (ORDER BY id) AS running_hi
FROM (SELECT id, s FROM sa UNION ALL SELECT id, s FROM sb UNION ALL SELECT id, s FROM sc) AS u;

-- name: string_min_max_windows_after_join
-- pushdown: on
SELECT a.id, MIN(CASE WHEN a.id > 5 THEN a.s ELSE b.s END) OVER (ORDER BY a.id) AS lo,
       MAX(CASE WHEN a.id > 5 THEN b.s ELSE a.s END) OVER (PARTITION BY a.id % 2) AS hi
FROM sa AS a JOIN sb AS b ON a.id = b.id;

-- name: string_min_max_windows_on_own_table
SELECT id, MIN(s) OVER (ORDER BY id) AS lo, MAX(s) OVER (PARTITION BY id % 2) AS hi FROM sa;

-- name: median_of_a_wide_decimal_refused
-- DuckDB's interpolation of 16 digits and more is rounded in doubles (123456789012345678
-- and 123456789012345681 give 123456789012345680): refused rather than computed exactly
-- error: NotSupportedError so many digits
SELECT MEDIAN(CAST(p AS DECIMAL(18, 2))) AS m
FROM (SELECT p FROM sa UNION ALL SELECT p FROM sb) AS u;

-- name: percentile_of_a_date_at_a_fine_fraction_refused
-- error: NotSupportedError PERCENTILE_CONT(0.001953125)
SELECT PERCENTILE_CONT(0.001953125) WITHIN GROUP (ORDER BY d) AS q
FROM (SELECT d FROM sa UNION ALL SELECT d FROM sb) AS u;
