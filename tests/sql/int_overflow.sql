-- catalog: int_overflow/int_overflow.toml
-- party: alice
-- int64 and decimal +, -, * and negation under MPC at and past the int64 range: the
-- ring computes mod 2^64, so 2^62 * 2 was -2^63 and 2^62 + 2^62 too, where DuckDB
-- raises "Overflow in multiplication of INT64". Each operation's exact result is
-- checked (mpc/int_overflow.py): inside the range it is DuckDB's answer, up to -2^63
-- and 2^63 - 1 exactly; past it the asker gets the out-of-range DataError (the one bit
-- it learns with its result), never a wrapped value. A CASE or IF branch that is not
-- taken is not checked (DuckDB does not compute it there).

-- name: products_at_the_ends_of_the_range
-- pushdown: off
-- -2^62 * 2, -2^31 * 2^32 and -2^63 * 1 are -2^63; 3037000499^2 is just below 2^63
SELECT a.id, a.n * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (3, 6, 7, 10, 11, 13);

-- name: product_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- 2^62 * 2 = 2^63 (it was -2^63)
SELECT a.id, a.n * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 1;

-- name: product_just_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- 3037000500^2 = 2^63 + 145474193 (both under 2^32: the low halves' product wraps)
SELECT a.n * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 5;

-- name: product_of_halves_at_2_63_is_an_error
-- error: DataError is out of the range the engine computes in
-- 2^31 * 2^32 = 2^63, positive (-2^31 * 2^32 = -2^63 is in range, above)
SELECT a.n * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 9;

-- name: minimum_times_minus_one_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT a.n * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 12;

-- name: large_products_are_errors
-- error: DataError is out of the range the engine computes in
-- 2^62 * (2^62 - 1): both high halves are not 0
SELECT a.n * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 2;

-- name: sums_and_differences_at_the_ends_of_the_range
-- pushdown: off
-- 2^62 + (2^62 - 1) = 2^63 - 1, -2^62 + -2^62 = -2^63, (-2^63 + 1) - 1 = -2^63
SELECT a.id, a.n + b.n AS s, a.n - b.n AS d
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id IN (2, 4, 7, 13);

-- name: sum_of_a_column_with_itself_at_the_minimum
-- pushdown: off
SELECT a.id, a.n + a.n AS t, b.n - a.n AS d FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (3, 7);

-- name: sum_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- (2^62 + 1) + (2^62 - 1) = 2^63
SELECT a.n + b.n AS s FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 8;

-- name: difference_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- -2^63 - 1
SELECT a.n - b.n AS d FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 11;

-- name: difference_of_opposite_signs_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- 2 - (-2^63)
SELECT b.n - a.n AS d FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 11;

-- name: sum_with_a_constant
-- pushdown: off
-- 2^62 + (2^62 - 1) = 2^63 - 1; -2^63 + 0 and 2^62 - 2^62 - 2^62
SELECT a.id, a.n + 4611686018427387903 AS s, b.n - 9223372036854775807 AS d
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id IN (1, 2, 11, 13);

-- name: sum_with_a_constant_past_the_range_is_an_error
-- error: DataError
SELECT a.id, a.n + 4611686018427387904 AS s FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id = 2;

-- name: constant_minus_a_column_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- -2 - (2^63 - 1) (b.n + a.n is 2^63 - 1 at id 2)
SELECT -2 - (b.n + a.n) AS d FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 2;

-- name: products_with_constants
-- pushdown: off
-- -2^62 * 2 and 2 * -2^62 are -2^63
SELECT a.id, a.n * 2 AS p, b.n * -4611686018427387904 AS q, 3 * b.n AS r
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 3;

-- name: minimum_times_constants
-- pushdown: off
SELECT a.id, a.n * 1 AS p, b.n * -9223372036854775807 AS q, a.n * 0 AS r
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 11;

-- name: product_with_a_constant_past_the_range_is_an_error
-- error: DataError
SELECT a.n * 2 AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 1;

-- name: product_with_minus_one_past_the_range_is_an_error
-- error: DataError
SELECT -1 * a.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 11;

-- name: negation_of_the_minimum_is_an_error
-- error: DataError is out of the range the engine computes in
-- -(-2^62 * 2) = 2^63: the product is in range, its negation is not
SELECT -(a.n * b.n) AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 3;

-- name: abs_of_the_minimum_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT ABS(a.n * b.n) AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 3;

-- name: negation_in_range
-- pushdown: off
-- -(-2^63 + 2) and -(-2^63 + 1); ABS(-2^63 + 2)
SELECT a.id, -(a.n * b.n + 1) AS p, -ABS(a.n + b.n) AS q FROM oa AS a JOIN ob AS b
ON a.id = b.id WHERE a.id IN (4, 7, 10, 13);

-- name: overflow_in_where_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT a.id FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.n * b.n > 0;

-- name: where_on_products_in_range
-- pushdown: off
SELECT a.id FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (3, 6, 7, 10) AND a.n * b.n <> 35;

-- name: overflow_in_a_case_branch_not_taken
-- pushdown: off
-- ids 1, 2, 5, 8, 9 and 12 overflow in the ELSE, 11 in the THEN: none is taken there
SELECT a.id, CASE WHEN a.id IN (1, 2, 5, 9, 12) THEN 0 WHEN a.id = 11 THEN -1
                  ELSE a.n * b.n - (a.n + b.n - a.n) * 0 END AS p,
       CASE WHEN a.id = 11 THEN 0 ELSE a.n - b.n END AS d
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id <> 8;

-- name: overflow_in_an_if_branch_not_taken
-- pushdown: off
SELECT a.id, IF(a.id IN (1, 2, 5, 8, 9, 12), NULL, a.n * b.n) AS p
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: overflow_in_a_case_condition_not_reached
-- pushdown: off
-- the second condition overflows at id 1, where the first is true
SELECT a.id, CASE WHEN a.id IN (1, 2, 5, 8, 9, 12) THEN 0 WHEN a.n * b.n = 35 THEN 1
                  ELSE 2 END AS c
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: overflow_in_a_case_branch_taken_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT a.id, CASE WHEN a.id IN (2, 5, 9, 12) THEN 0 ELSE a.n * b.n END AS p
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: overflow_in_a_group_key_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT a.n + b.n AS s, COUNT(*) AS c FROM oa AS a JOIN ob AS b ON a.id = b.id
GROUP BY a.n + b.n;

-- name: group_keys_at_the_ends_of_the_range
-- pushdown: off
SELECT a.n * b.n AS p, COUNT(*) AS c FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (3, 6, 10, 11, 13) GROUP BY a.n * b.n;

-- name: overflow_in_a_sum_argument_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT SUM(a.n * b.n) AS s FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id IN (5, 6);

-- name: decimal_arithmetic_in_range
-- pushdown: off
SELECT a.id, a.d * b.d AS p, a.d + b.d AS s, a.d - b.d AS d, -a.d AS m, a.d * 3 AS q
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id IN (1, 2, 3, 7, 13);

-- name: decimal_product_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- 500000000000 * 500000000000 unscaled (DuckDB: overflow in multiplication of DECIMAL)
SELECT a.d * b.d AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 4;

-- name: decimal_times_a_constant_past_the_range_is_an_error
-- error: DataError
-- -9999999999999999 unscaled times 10^6
SELECT a.d * 1000000 AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 6;

-- name: decimal_times_an_integer_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- 100 (1.00 unscaled) times 2^62 - 1: refused, where DuckDB's DECIMAL(38,2) holds it
SELECT a.d * b.n AS p FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 8;

-- name: decimal_rescaled_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- 9e17 at scale 2 is 9e19 unscaled: refused, where DuckDB's DECIMAL(21,2) holds it
-- (README: a decimal's unscaled integer stays in int64)
SELECT a.k + b.d AS s FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id = 1;

-- name: decimal_rescaled_in_range
-- pushdown: off
SELECT a.id, a.k + b.d AS s, a.k * b.d AS p FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (2, 3, 7, 13);

-- name: decimal_rescaled_in_a_case_branch_not_taken
-- pushdown: off
-- the CASE is a DECIMAL at scale 2: a.k (9e17 at id 1) is cast to it where it is the
-- ELSE, which id 1 does not take
SELECT a.id, CASE WHEN a.id = 1 THEN 0.25 ELSE a.k END AS c
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: decimal_rescaled_in_a_case_branch_taken_is_an_error
-- error: DataError
-- (with pushdown alice computes the CASE, and 9e19 unscaled cannot be shared)
SELECT a.id, CASE WHEN a.id = 2 THEN 0.25 ELSE a.k END AS c
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- Comparisons of int64 values whose difference is 2^63 or more (issue 11): x < y was
-- the sign of x - y, which wraps there (-2^63 < 1 was false).

-- name: comparison_of_opposite_extremes
-- pushdown: off
SELECT a.id AS i, b.id AS j, a.n < b.n AS lt, a.n >= b.n AS ge FROM oa AS a, ob AS b
WHERE a.id IN (1, 8, 11, 12, 13) AND b.id IN (2, 11, 12, 13);

-- name: where_on_opposite_extremes
-- pushdown: off
SELECT a.id AS i, b.id AS j FROM oa AS a, ob AS b WHERE a.n < b.n AND b.id IN (2, 11, 13);

-- name: between_opposite_extremes
-- pushdown: off
SELECT a.id AS i, b.id AS j FROM oa AS a, ob AS b
WHERE b.n BETWEEN a.n AND 4611686018427387904 AND b.id IN (2, 11, 12);

-- name: comparisons_with_constants_at_the_ends
-- pushdown: off
SELECT a.id, a.n < 1 AS neg, a.n > 4611686018427387904 AS big,
       a.n <= -9223372036854775808 AS least, b.n > -9223372036854775807 AS above
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: inequality_join_at_the_ends
-- pushdown: off
SELECT a.id AS i, b.id AS j FROM oa AS a JOIN ob AS b ON a.n > b.n AND a.id = b.id;

-- name: min_and_max_at_the_ends
-- pushdown: off
SELECT MIN(a.n) AS lo, MAX(a.n) AS hi, MIN(b.n) AS blo, MAX(b.n) AS bhi
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: min_and_max_by_group_at_the_ends
-- pushdown: off
SELECT a.id % 3 AS g, MIN(a.n) AS lo, MAX(a.n) AS hi, COUNT(*) AS c
FROM oa AS a JOIN ob AS b ON a.id = b.id GROUP BY a.id % 3;

-- name: group_keys_at_both_ends_sorted
-- pushdown: off
SELECT a.n AS k, COUNT(*) AS c, MIN(b.n) AS lo FROM oa AS a JOIN ob AS b ON a.id = b.id
GROUP BY a.n ORDER BY a.n;

-- name: order_by_at_both_ends
-- pushdown: off
SELECT a.id, a.n FROM oa AS a JOIN ob AS b ON a.id = b.id ORDER BY a.n DESC, a.id LIMIT 8;

-- name: window_min_and_max_at_the_ends
-- pushdown: off
SELECT a.id, MIN(a.n) OVER (ORDER BY a.id) AS lo,
       MAX(a.n) OVER (ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS hi
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- name: case_on_opposite_extremes
-- pushdown: off
SELECT a.id, CASE WHEN a.n < b.n THEN 'lt' ELSE 'ge' END AS c,
       CASE WHEN a.n > b.n THEN a.n ELSE b.n END AS g
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- PERCENTILE_CONT and MEDIAN of integers interpolate in fixed point, which holds values
-- below 2^47: past that the asker's out-of-range error, never the wrapped value (known
-- bug 11.new-percentile-cont-int-past-2-47, seed 71001:47: 2^62 came back as 0.0)

-- name: percentile_cont_of_an_integer_past_2_47_is_an_error
-- pushdown: off
-- error: DataError is out of the range the engine computes in
SELECT PERCENTILE_CONT(1) WITHIN GROUP (ORDER BY u.n) AS p
FROM (SELECT n FROM oa WHERE id IN (1, 7) UNION ALL SELECT n FROM ob WHERE id = 7) AS u;

-- name: percentile_cont_by_group_past_2_47_is_an_error
-- pushdown: off
-- error: DataError is out of the range the engine computes in
SELECT u.g, MEDIAN(u.n) AS m
FROM (SELECT id % 2 AS g, n FROM oa WHERE id IN (2, 5, 7) UNION ALL
      SELECT id % 2 AS g, n FROM ob WHERE id = 7) AS u GROUP BY u.g;

-- name: percentile_cont_of_integers_below_2_47
-- pushdown: off
SELECT u.g, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY u.n) AS p, MEDIAN(u.n) AS m
FROM (SELECT id % 2 AS g, n FROM oa WHERE id IN (5, 6, 7, 9, 10) UNION ALL
      SELECT id % 2 AS g, n FROM ob WHERE id = 7) AS u GROUP BY u.g;

-- SUM and AVG over a window check each frame's total as a grouped SUM does (seed
-- 90232:27: AVG OVER of 2^53 + 1 gave 1.0): past the range the row is out of range, and
-- only a row the result keeps makes the error

-- name: window_sum_in_range_at_2_62
-- pushdown: off
SELECT a.id, SUM(a.n) OVER (ORDER BY a.id) AS s FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (1, 3, 7);

-- name: window_sum_past_the_range_is_an_error
-- pushdown: off
-- error: DataError is out of the range the engine computes in
SELECT a.id, SUM(a.n) OVER (ORDER BY a.id) AS s FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (1, 2);

-- name: window_avg_past_2_46_is_an_error
-- pushdown: off
-- error: DataError is out of the range the engine computes in
SELECT a.id, AVG(a.n) OVER (PARTITION BY a.id) AS m FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE a.id IN (1, 7);

-- name: window_rows_frame_sum_past_the_range_is_an_error
-- pushdown: off
-- error: DataError is out of the range the engine computes in
SELECT a.id, SUM(a.n) OVER (ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s
FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id IN (1, 2, 3);

-- name: window_sum_past_the_range_in_a_row_left_out
-- pushdown: off
-- row 2's frame (2^62 + 2^62) is past the range; rows 1 and 3 (2^62 - 2^62) are not
SELECT w.id, w.s FROM (
  SELECT a.id, SUM(a.n) OVER (ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s
  FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE a.id IN (1, 2, 3)) AS w
WHERE w.id <> 2;

-- a decimal an owner computes and shares has more than 18 digits where it is past 2^63
-- units (2.25 - n is a DECIMAL(21,2)): the asker's own is its out-of-range error at once;
-- another owner's is NULL there (total semantics, as a real without a fixed-point value
-- is), never a failure that depends on its data (seed 90278:23: "a decimal value does not
-- fit in 64 bits", an internal error)

-- name: wide_decimal_computed_by_its_owner_past_the_range
-- error: DataError is out of the range the engine computes in
SELECT COUNT(*) AS c FROM oa AS a JOIN ob AS b ON a.id = b.id WHERE b.n <> 2.25 - a.n;

-- name: wide_decimal_computed_by_another_owner_in_range
-- party: bob
SELECT COUNT(*) AS c FROM oa AS a JOIN ob AS b ON a.id = b.id
WHERE b.n <> 2.25 - a.n AND a.id IN (5, 6, 7);

-- a decimal against a decimal or an integer literal: the literal's scaled word is
-- public, so the wide comparison takes one sign bit fewer; at, just above and below the
-- values (1.50 and 1.00 are stored, -99999999999999.99 the least)

-- name: decimal_against_literals
-- pushdown: off
SELECT a.id, a.d > 1.5 AS gt, a.d >= 1.50 AS ge, a.d < 1 AS lt, a.d <= 1.00 AS le,
       a.d BETWEEN -99999999999999.99 AND 1.49 AS inside, 2 > a.d AS flipped,
       a.k < -1 AS below, a.k > 899999999999999999 AS above
FROM oa AS a JOIN ob AS b ON a.id = b.id;

-- a wide decimal another owner computes from an aggregate or a window (a SUM it shares)
-- is NULL past the range with the error bit, as the same SUM under MPC would be: the
-- asker's out-of-range error, never a NULL (review of seed 90278:23's fix: a derived
-- table's SUM was taken for a row's value)

-- name: wide_decimal_sum_of_another_owner_in_a_derived_table_past_the_range
-- party: bob
-- pushdown: on
-- error: DataError is out of the range the engine computes in
SELECT w.g, w.s FROM (SELECT id % 2 AS g, SUM(CAST(k AS DECIMAL(30,0)) * 100) AS s
                      FROM oa GROUP BY id % 2) AS w JOIN ob AS b ON w.g = b.id;

-- name: wide_decimal_window_sum_of_another_owner_past_the_range
-- party: bob
-- pushdown: on
-- error: DataError is out of the range the engine computes in
SELECT w.id, w.s FROM (SELECT id, SUM(CAST(k AS DECIMAL(30,0)) * 100) OVER (ORDER BY id) AS s
                       FROM oa) AS w JOIN ob AS b ON w.id = b.id WHERE b.id < 4;

-- name: wide_decimal_sum_of_another_owner_in_range
-- party: bob
-- pushdown: on
SELECT w.g, w.s FROM (SELECT id % 2 AS g, SUM(CAST(k AS DECIMAL(30,0)) * 100) AS s
                      FROM oa WHERE id > 1 GROUP BY id % 2) AS w JOIN ob AS b ON w.g = b.id;

-- a decimal literal past 2^63 units in a comparison under MPC: refused, naming it (it
-- was an OverflowError)
-- name: decimal_literal_past_the_range_under_mpc_is_refused
-- pushdown: off
-- error: NotSupportedError past the int64 range
SELECT a.id, a.d < 100000000000000000 AS lt FROM oa AS a JOIN ob AS b ON a.id = b.id;
