-- catalog: adversary_reals/adversary_reals.toml
-- party: alice
-- Adversarial cases for quotients and products of stored reals computed from their
-- bits (mpc/float_parts.py, float_division.py, float_product.py), and where reals meet
-- integers, decimals and literals: each block here was a wrong answer, a spurious
-- error or an InternalError found by the adversary review of those commits, and is
-- fixed (comparisons and quotients by keys for int64, decimal and constant operands,
-- a CASE's range checks only where its branch is taken, literals no fixed point holds
-- refused clearly). The comment of each block says what the engine did.

-- name: stored_real_compared_with_an_int64_column
-- floats: exact
-- a.x = 1e-300 against b.n = 0: the engine says equal (and not greater): an int64
-- column has no float key, so compare() (engine/secure_expr.py, `exactly` needs both
-- keys) compares the real's fixed-point form, which is 0
SELECT a.id, a.x = b.n AS e, a.x > b.n AS g FROM ra AS a JOIN rb AS b ON a.id = b.id
WHERE a.id IN (5, 17);

-- name: quotient_of_stored_reals_compared_with_an_int64_column
-- floats: exact
-- 0.30000000000000004 / 0.1 is 3.0000000000000004 (its key is exact), but against the
-- int64 a.n = 3 it is compared in fixed point: equal, not greater; 1e-310 > 0 is false
SELECT a.id, a.x / b.y AS q, a.x / b.y = a.n AS e, a.x / b.y > b.n AS g
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id IN (5, 17);

-- name: stored_real_compared_with_a_computed_integer
-- floats: exact
SELECT a.id, a.x = b.n - b.n AS e, a.x / b.y > b.k - b.k AS g
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id IN (5, 6, 8, 16);

-- name: stored_real_compared_with_a_decimal
-- catalog: floats/floats.toml
-- floats: exact
-- fa.x = 1e-7 (id 4) and -1e-7 (id 5) against the decimal 0.00: equal in fixed point
-- (a decimal has no float key either), DuckDB compares the doubles
SELECT a.id, a.x = c.amt - c.amt AS e, a.x > c.amt - c.amt AS g
FROM fa AS a JOIN fc AS c ON a.id = c.id;

-- name: case_guarding_a_quotient_past_the_range_is_an_error
-- floats: exact
-- spurious error (DuckDB answers): 1e14 / 0.5 (id 10) is past 2^46, but CASE never
-- picks it. choose() evaluates every branch over every row, and _real_result (as
-- visit_Div for fixed point, 0113787 and before) appends the out-of-range bit of each
-- row that is there, whatever the CASE picks: the bit also tells the asker that an
-- unpicked branch was out of range. (A WHERE a.id <> 10 instead answers; the
-- conditional-aggregate idiom SUM(CASE WHEN a.id <> 10 THEN a.x / b.y END) fails alike.)
SELECT a.id, CASE WHEN a.id <> 10 THEN a.x / b.y END AS q
FROM ra AS a JOIN rb AS b ON a.id = b.id;

-- name: decimal_column_divided_by_a_small_stored_real
-- catalog: floats/floats.toml
-- issue 11.new-small-divisor for a decimal operand (fixed: keyed): _keys_of_reals took
-- the exact path only for a real with a key, an int64 or a constant, so a decimal
-- column divides fixed-point words: 0.10 / 1e-7 is NULL (1e-7 is 0 in fixed point;
-- DuckDB 1000000.0000000001), 25871.77 / 0.1 is 258701.91 (DuckDB 258717.7, off by
-- 15.8: past the suite's tolerance), and -99.95 / 1e-300 is NULL where it is past the
-- range (DuckDB -9.995e301): never the out-of-range error
SELECT a.id, a.amt / b.y AS q FROM fa AS a JOIN fb AS b ON a.id = b.id WHERE a.id IN (1, 6);

-- name: stored_real_divided_by_an_infinite_literal
-- error: NotSupportedError not a finite double
-- pushdown: off
-- 1e309 is the double inf: its key (2^63 - 2^52) was split by float_parts as a normal
-- double 2^1024, so 0.1 / 1e309 was 5.56e-310 (DuckDB 0.0). Refused now, as an infinite
-- parameter is
SELECT a.id, a.x / 1e309 AS q FROM ra AS a JOIN rb AS b ON a.id = b.id;

-- name: zero_times_an_infinite_literal
-- error: NotSupportedError not a finite double
-- pushdown: off
-- 0.0 * 1e309 is NaN to DuckDB, it was 0.0 here (the product of a zero operand is 0)
SELECT a.id, a.x * 1e309 AS p FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id = 14;

-- name: stored_real_compared_with_an_infinite_literal
-- error: NotSupportedError
-- pushdown: off
-- an InternalError (OverflowError: cannot convert float infinity to integer, in
-- const_word via compare -> align -> materialize); a + 1e309 too. DuckDB answers
-- (False, True); the parameter path refuses inf with a NotSupportedError
SELECT a.id, a.x = 1e309 AS e, a.x < 1e309 AS l FROM ra AS a JOIN rb AS b ON a.id = b.id;

-- name: stored_reals_and_quotients_compared_with_a_large_literal
-- floats: exact
-- pushdown: off
-- an InternalError (OverflowError: Python int too large to convert to C long): a
-- literal of 2^47 or more (1e15, 1e20, 1e300) has no fixed-point word, and compare()
-- -> align() -> materialize() makes one with const_word even where both sides are
-- then compared by their keys; CASE / COALESCE with such a literal too. A sentinel
-- like 1e15 is common in a filter: WHERE a.x / b.y < 1e15
SELECT a.id, a.x < 1e20 AS l, a.x / b.y > -1e15 AS g, a.x * b.y = 1e300 AS e
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id <> 10;

-- name: coalesce_of_a_stored_real_with_a_large_literal
-- error: NotSupportedError in arithmetic over secret data
-- pushdown: off
-- an InternalError (OverflowError in const_word): a column that holds 1e300 has no
-- fixed-point value for arithmetic further on, so it is refused, clearly
SELECT a.id, COALESCE(a.x, 1e300) AS c, CASE WHEN a.id = 2 THEN 1e20 ELSE a.x / b.y END AS d
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id <> 10;

-- name: random_pairs_divided_and_multiplied_from_their_bits
-- floats: exact
-- pushdown: off
-- (passes: a regression guard) 400 random pairs (subnormals, reals near 2^-1022, short
-- decimals, wide exponents): quotient and product are IEEE-754's, bit for bit; a
-- 3,014-pair run with products at exact ties (odd 27-bit integers) passed too
SELECT d.id, d.x / f.y AS q, d.x * f.y AS p FROM rd AS d JOIN rf AS f ON d.id = f.id;

-- name: int64_past_2_47_as_a_real_is_past_the_range
-- error: DataError is out of the range the engine computes in
-- pushdown: off
-- a.n = 2^53 + 1 (id 9): CAST to DOUBLE under MPC was n 2^16 mod 2^64 = 2^16, i.e. 1.0,
-- n / 1e10 was 1e-10 (DuckDB 900719.9254740992): the int64 -> fixed-point cast had no
-- range check. Now past 2^47 it is the out-of-range error, never a wrapped value
SELECT id, CAST(n AS DOUBLE) AS d, n / 1e10 AS q, n / 2.5 AS h, n * 1e-10 AS p
FROM ra WHERE id = 9;

-- name: int64_cast_to_a_real_divided_by_a_small_stored_real
-- issue 11.new-small-divisor through CAST(k AS DOUBLE) / y: the cast dropped to fixed
-- point without a key, so the divisor was rounded to 2^-16: 16 / 1e-5 was 1048576.0
-- (DuckDB 1599999.9999999998), 11 / 0.001 was 10922.67. The cast now carries the key of
-- the nearest double (k * 1.0 / y, a decimal's quotient: below, keyed too)
SELECT a.id, CAST(a.k AS DOUBLE) / b.y AS q, a.k / b.y AS s
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id IN (5, 11, 16);

-- Values out of range in rows the result does not keep (engine/kept_range.py): 1e14 /
-- 0.5 (id 10) is past 2^46. The range check of a value went to the query's one bit on
-- every row the value was computed for, so a row that a WHERE above a CTE or a derived
-- table (not pushed below its projection), a LIMIT, a join or a semi-join leaves out
-- made the query fail where DuckDB answers. Now a value's bit goes with its row and
-- counts only where the result keeps the row; a filter, key or order that uses the
-- value counts wherever the rows go. Each block was a spurious DataError.

-- name: quotient_past_the_range_in_a_row_a_filter_above_a_cte_leaves_out
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT id, q FROM t WHERE id <> 10;

-- name: quotient_past_the_range_in_a_row_a_filter_above_a_derived_table_leaves_out
-- floats: exact
SELECT t.id, t.q * 2 AS d FROM (SELECT a.id, a.x / b.y AS q FROM ra AS a
JOIN rb AS b ON a.id = b.id) AS t WHERE t.id < 10 OR t.id > 10;

-- name: quotient_past_the_range_in_a_row_limit_leaves_out
-- floats: exact
SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id ORDER BY a.id LIMIT 3;

-- name: quotient_past_the_range_in_a_row_a_join_leaves_out
-- floats: exact
-- rc has ids 1 to 5 only; and the semi-join of IN (...) alike
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT t.id, t.q, c.z FROM t JOIN rc AS c ON t.id = c.id;

-- name: quotient_past_the_range_in_a_row_a_semi_join_leaves_out
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT id, q FROM t WHERE id IN (SELECT id FROM rc);

-- name: quotient_past_the_range_in_a_row_a_left_join_and_a_filter_leave_out
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT t.id, t.q, c.z FROM t LEFT JOIN rc AS c ON t.id = c.id WHERE t.id <> 10;

-- name: quotient_past_the_range_in_a_row_a_filter_above_a_union_leaves_out
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT u.id, u.q FROM (SELECT id, q FROM t UNION ALL SELECT id, q * 2 FROM t) AS u
WHERE u.id <> 10;

-- name: quotient_past_the_range_in_a_row_a_filter_leaves_out_before_a_window
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT id, q, ROW_NUMBER() OVER (ORDER BY id) AS r FROM t WHERE id <> 10;

-- name: quotient_past_the_range_in_a_case_branch_above_a_cte_not_taken
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT id, CASE WHEN id <> 10 THEN q END AS q FROM t;

-- name: quotient_past_the_range_in_a_row_a_filter_leaves_out_before_an_aggregate
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT COUNT(*) AS n, SUM(q) AS s, MAX(q) AS m FROM t WHERE id <> 10;

-- name: quotient_past_the_range_in_a_column_the_result_does_not_keep
-- floats: exact
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT id FROM t WHERE id > 8;

-- name: quotient_past_the_range_in_a_row_a_filter_above_a_cte_keeps_is_an_error
-- error: DataError is out of the range the engine computes in
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT id, q FROM t WHERE id > 8;

-- name: filter_on_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- row 10 decides what the filter keeps: its quotient is no value to decide on, whatever
-- a later filter keeps
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id
           WHERE a.x / b.y > 1)
SELECT id, q FROM t WHERE id <> 10;

-- name: order_by_a_quotient_past_the_range_before_limit_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id ORDER BY q DESC LIMIT 1;

-- name: limit_keeping_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id ORDER BY a.id LIMIT 10;

-- name: left_join_keeping_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT t.id, t.q, c.z FROM t LEFT JOIN rc AS c ON t.id = c.id;

-- name: union_keeping_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT u.id, u.q FROM (SELECT id, q FROM t WHERE id < 3 UNION ALL SELECT id, q FROM t
WHERE id = 10) AS u;

-- name: aggregate_of_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT COUNT(*) AS n, MAX(q) AS m FROM t WHERE id > 5;

-- name: distinct_of_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
-- DISTINCT compares the value: the row's group is not known
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT DISTINCT q FROM t;

-- name: join_on_a_quotient_past_the_range_is_an_error
-- error: DataError is out of the range the engine computes in
WITH t AS (SELECT a.id, a.x / b.y AS q FROM ra AS a JOIN rb AS b ON a.id = b.id)
SELECT t.id, c.z FROM t JOIN rc AS c ON t.q = c.id;

-- Reals meeting integers and decimals where rows are matched (joins, IN, semi-joins)
-- and integers and decimals with real constants: DuckDB casts the integer or decimal
-- to DOUBLE; each block was a wrong answer where that side had only fixed point

-- name: stored_real_joined_on_a_computed_integer
-- floats: exact
-- 1e-300 and 5e-324 matched c.id - c.id = 0 in fixed point; 0.0 and -0.0 match it
SELECT a.id, a.x, c.id AS cid FROM ra AS a JOIN rc AS c ON a.x = c.id - c.id;

-- name: quotient_of_stored_reals_joined_on_an_int64_column
-- floats: exact
-- 3.0000000000000004 (id 17) and 1e-310 (id 5) must not match n = 3 and n = 0; -0.0
-- (id 15) matches n = 0
SELECT a.id, a.x / b.y AS q, b2.id AS nid
FROM ra AS a JOIN rb AS b ON a.id = b.id JOIN rb AS b2 ON a.x / b.y = b2.n
WHERE a.id <> 10;

-- name: stored_reals_and_quotients_in_a_list_of_integers
-- floats: exact
-- an int64 in a list of real constants too: 1 is not 1.0000001e0 (fixed point: equal)
SELECT a.id, a.x IN (0, 1, 3) AS i, a.x / b.y IN (0, 1, 3) AS j,
       a.k IN (1.0000001e0, 2e0) AS l
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id <> 10;

-- name: stored_real_in_a_subquery_of_computed_integers
-- floats: exact
SELECT a.id FROM ra AS a WHERE a.x IN (SELECT id - id FROM rc);

-- name: quotient_in_a_subquery_of_integers
-- floats: exact
SELECT a.id FROM ra AS a JOIN rb AS b ON a.id = b.id
WHERE a.id <> 10 AND a.x / b.y IN (SELECT n FROM rb);

-- name: stored_real_not_in_a_subquery_of_computed_integers
-- floats: exact
SELECT a.id FROM ra AS a
WHERE a.x NOT IN (SELECT id - id FROM rc) AND a.x IS NOT NULL;

-- name: stored_real_semi_and_anti_joined_on_computed_integers
-- floats: exact
SELECT a.id,
       EXISTS (SELECT 1 FROM rc AS c WHERE c.id - c.id = a.x) AS e,
       NOT EXISTS (SELECT 1 FROM rb AS b WHERE b.n = a.x) AS ne
FROM ra AS a;

-- name: int64_times_a_decimal_one_divided_by_a_small_stored_real
-- floats: exact
-- k * 1.0 is a DECIMAL(21,1) to DuckDB: its quotient by y = 1e-5 divided fixed-point
-- words (16 / 1e-5 was 1048576.0, DuckDB 1599999.9999999998); a decimal of more than
-- 15 digits had no key. Products and quotients of integers and real constants are
-- DuckDB's doubles too (7 / 0.3 was 23.333333333333332: the exact rational rounded,
-- DuckDB divides by the double 0.3), and keep their bits: (k / 0.1) / y, k * 1e0 / y
SELECT a.id, a.k * 1.0 / b.y AS q, a.k / 0.3 AS r, a.k * 1e-1 AS p,
       a.k * 1e0 / b.y AS s, (a.k / 0.1) / b.y AS t, 1.5 / a.k AS u
FROM ra AS a JOIN rb AS b ON a.id = b.id WHERE a.id IN (3, 5, 7, 11, 16);

-- name: decimal_times_a_decimal_one_divided_by_a_small_stored_real
-- catalog: floats/floats.toml
-- floats: exact
-- amt * 1.0 is a DECIMAL(12,3): 0.10 * 1.0 / 1e-7 was NULL (1e-7 is 0 in fixed
-- point); CAST(amt AS DOUBLE) under MPC was its fixed-point value (0.01 opened as
-- 0.010000228881835938)
SELECT a.id, a.amt * 1.0 / b.y AS q, a.amt / 0.3 AS r, a.amt * 1e-1 AS p,
       CAST(a.amt AS DOUBLE) AS c, a.amt = 1.2345600000000001e3 AS e
FROM fa AS a JOIN fb AS b ON a.id = b.id WHERE a.id <> 8;

-- name: stored_real_joined_on_a_decimal_column
-- catalog: floats/floats.toml
-- floats: exact
-- with pushdown off the decimal key was cast under MPC to fixed point: 0.00 matched
-- 1e-7 and 1e-300 (ids 6, 8)
SELECT a.id, b.id AS bid, b.y FROM fa AS a JOIN fb AS b ON a.amt = b.y;

-- name: stored_real_in_semi_joins_of_computed_decimals
-- catalog: floats/floats.toml
-- floats: exact
-- amt - amt (0.00) matched 1e-7, -1e-7 and 5e-324 in fixed point, in both modes (the
-- distinct keys of a semi-join are cast under MPC)
SELECT a.id, a.x IN (SELECT amt - amt FROM fc) AS i,
       EXISTS (SELECT 1 FROM fc AS c WHERE c.amt - c.amt = a.x) AS e
FROM fa AS a;

-- name: stored_real_not_in_computed_decimals
-- catalog: floats/floats.toml
-- floats: exact
SELECT a.id FROM fa AS a
WHERE a.x NOT IN (SELECT amt - amt FROM fc WHERE amt IS NOT NULL) AND a.x IS NOT NULL;
