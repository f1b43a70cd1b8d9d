-- catalog: floats/floats.toml
-- party: alice
-- Doubles that are only moved, compared, grouped or picked come back exactly as they
-- went in (-0.0 as 0.0): every block here marked "floats: exact" compares floats with
-- ==, not with the tolerance of computed reals. The data (floats/floats.toml) holds
-- values fixed point would change (-0.02, 0.73, 1e-7, a subnormal, 1e-300) and keys
-- closer together than 2^-16 (0.1, 0.100001, 0.1000001).

-- name: payload_after_join
-- floats: exact
-- the join on k moves x and y; issue 11: -0.02 came back as -0.0200042724609375
SELECT a.id, a.x, b.y FROM fa AS a JOIN fb AS b ON a.k = b.k;

-- name: join_on_float_keys_closer_than_fixed_point
-- floats: exact
SELECT a.id, b.id AS bid, a.x FROM fa AS a JOIN fb AS b ON a.x = b.y;

-- name: left_join_on_float_keys
-- floats: exact
SELECT a.id, a.x, b.y FROM fa AS a LEFT JOIN fb AS b ON a.x = b.y;

-- name: three_party_join_payloads
-- floats: exact
SELECT a.id, a.x, b.y, c.z FROM fa AS a JOIN fb AS b ON a.id = b.id JOIN fc AS c ON b.id = c.id;

-- name: union_of_every_party
-- floats: exact
SELECT v FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb UNION ALL SELECT z FROM fc) AS u;

-- name: min_of_stored_073
-- floats: exact
-- issue 11: MIN of a stored 0.73 gave 0.7299957275390625
SELECT MIN(v) AS lo, MAX(v) AS hi
FROM (SELECT z AS v FROM fc WHERE z > 0.5 UNION ALL SELECT y FROM fb WHERE y > 0.5) AS u;

-- name: min_max_of_everything
-- floats: exact
SELECT MIN(v) AS lo, MAX(v) AS hi, COUNT(v) AS n
FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb UNION ALL SELECT z FROM fc) AS u;

-- name: min_max_per_group
-- floats: exact
SELECT k, MIN(v) AS lo, MAX(v) AS hi
FROM (SELECT k, x AS v FROM fa UNION ALL SELECT k, y FROM fb) AS u
GROUP BY k;

-- name: group_by_a_float
-- floats: exact
SELECT v, COUNT(*) AS n
FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb UNION ALL SELECT z FROM fc) AS u
GROUP BY v;

-- name: count_distinct_floats
SELECT COUNT(DISTINCT v) AS d, COUNT(*) AS n
FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb UNION ALL SELECT z FROM fc) AS u;

-- name: select_distinct_floats
-- floats: exact
SELECT DISTINCT v FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb) AS u;

-- name: order_by_float_top_k
-- floats: exact
SELECT id, v FROM (SELECT id, x AS v FROM fa UNION ALL SELECT id, y FROM fb) AS u
ORDER BY v, id LIMIT 6;

-- name: order_by_float_descending
-- floats: exact
SELECT id, v FROM (SELECT id, x AS v FROM fa UNION ALL SELECT id, z FROM fc) AS u
ORDER BY v DESC, id LIMIT 5;

-- name: filters_on_close_literals
-- floats: exact
SELECT v FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb) AS u
WHERE v > 0.1 AND v <= 0.100001;

-- name: equality_with_a_literal
-- floats: exact
SELECT v, v = 0.1 AS is_tenth, v <> 0.1 AS not_tenth, v IN (0.73, -0.02) AS listed
FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb) AS u;

-- name: comparisons_between_columns
SELECT a.id, a.x < b.y AS lt, a.x >= b.y AS ge, a.x = b.y AS eq
FROM fa AS a JOIN fb AS b ON a.id = b.id;

-- name: tiny_values_are_not_zero
-- floats: exact
SELECT v, v > 0 AS positive, v < 0 AS negative, CAST(v AS BOOLEAN) AS truthy
FROM (SELECT x AS v FROM fa UNION ALL SELECT y FROM fb) AS u;

-- name: case_coalesce_negation_keep_the_bits
-- floats: exact
SELECT id, CASE WHEN v > 0 THEN v ELSE -v END AS magnitude, COALESCE(v, 0.5) AS filled,
       IF(v IS NULL, -0.02, v) AS other, 0.1 AS tenth
FROM (SELECT id, x AS v FROM fa UNION ALL SELECT id, y FROM fb) AS u;

-- name: percentile_of_floats
-- floats: exact
SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY v) AS median,
       PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY v) AS p90
FROM (SELECT x AS v FROM fa UNION ALL SELECT z FROM fc) AS u;

-- name: window_rank_by_float
-- floats: exact
SELECT id, v, RANK() OVER (ORDER BY v) AS r, DENSE_RANK() OVER (ORDER BY v) AS dr
FROM (SELECT id, x AS v FROM fa UNION ALL SELECT id, y FROM fb) AS u;

-- name: percent_rank_is_a_correctly_rounded_quotient
-- floats: exact
SELECT id, PERCENT_RANK() OVER (ORDER BY v) AS pr
FROM (SELECT id, x AS v FROM fa UNION ALL SELECT id, y FROM fb) AS u
WHERE v IS NOT NULL;

-- name: scalar_subquery_of_a_maximum
-- floats: exact
SELECT id, x FROM fa WHERE x < (SELECT MAX(z) FROM fc WHERE z < 1);

-- name: avg_of_money
-- floats: exact
-- issue 11: AVG of decimal(10,2) amounts gave 25871.779998779297
SELECT AVG(amt) AS a
FROM (SELECT amt FROM fa WHERE id <= 2 UNION ALL SELECT amt FROM fc WHERE id = 1) AS u;

-- name: avg_of_money_everywhere
-- floats: exact
SELECT AVG(amt) AS a, COUNT(amt) AS n
FROM (SELECT amt FROM fa UNION ALL SELECT amt FROM fc) AS u;

-- name: avg_of_money_per_group
-- floats: exact
SELECT g, AVG(amt) AS a
FROM (SELECT id % 3 AS g, amt FROM fa UNION ALL SELECT id % 3, amt FROM fc) AS u
GROUP BY g;

-- name: avg_after_psi_join_grouped_by_owner
-- floats: exact
SELECT a.k, AVG(c.amt) AS a FROM fa AS a JOIN fc AS c ON a.id = c.id GROUP BY a.k;

-- name: division_of_money_by_a_constant
-- floats: exact
SELECT id, amt / 3 AS third FROM (SELECT id, amt FROM fa UNION ALL SELECT id, amt FROM fc) AS u;

-- name: division_of_money
-- DuckDB divides the nearest doubles of the decimals (19.99 / 0.07 is 285.5714285714285);
-- the engine divides the decimals themselves (285.57142857142856, the nearest double)
SELECT id, amt / 0.07 AS per_rate, amt / id AS per_id
FROM (SELECT id, amt FROM fa UNION ALL SELECT id, amt FROM fc) AS u;

-- name: computed_floats_within_the_bound
-- arithmetic on floats runs in fixed point: within the suite's tolerance, not exact
SELECT id, v * 2 AS twice, v + 1 AS plus, v / 4 AS quarter
FROM (SELECT id, x AS v FROM fa WHERE x < 1000 UNION ALL SELECT id, y FROM fb WHERE y > -1000) AS u;

-- name: quotients_of_stored_reals
-- floats: exact
-- issue 11 (11.new-small-divisor): a quotient by a small real was off by up to
-- 2^-17 / |b| relatively (-2.68 / 0.001 gave -2661.15), and by a real below 2^-17 NULL
-- (its fixed point is 0). Reals only moved since they were stored are divided from
-- their bits: the answer is IEEE-754's quotient (x / 0 is NULL); 1e-300 and 5e-324 as
-- divisors would be past the range the engine computes in (next case)
SELECT a.id, a.x / b.y AS q, b.y / a.x AS r, a.x / 0.001 AS per_milli, 1 / b.y AS inv,
       a.k / b.y AS per_y, -a.x / b.y AS negated
FROM fa AS a JOIN fb AS b ON a.k = b.k
WHERE (a.x IS NULL OR a.x <> 5e-324) AND (b.y IS NULL OR b.y <> 1e-300);

-- name: quotients_of_stored_reals_over_a_union
-- floats: exact
-- pushdown: off
SELECT u.v / 0.03 AS per_rate, 7 / u.v AS inverse, u.v / u.v AS one
FROM (SELECT x AS v FROM fa WHERE x > 1e-200 OR x < -1e-200
      UNION ALL SELECT z FROM fc) AS u;

-- name: quotient_by_a_tiny_real_is_past_the_range
-- error: DataError is out of the range the engine computes in
-- 1e-300 / 5e-324 (about 2e23): the operands' bits give the quotient's exponent exactly
SELECT a.id, b.y / a.x AS q FROM fa AS a JOIN fb AS b ON a.k = b.k WHERE a.x < 1e-200;

-- name: products_of_stored_reals
-- floats: exact
-- issue 11 (11.new-tiny-reals): a real below 2^-17 entered a product as 0 (1e-6 * 1e6
-- gave 0), and every real was rounded to 2^-16 first (19.99 * 1000 would be
-- 19990.0055). Reals only moved since they were stored are multiplied from their bits:
-- the answer is IEEE-754's product, and it is a real like a stored one: divided or
-- multiplied again, it is DuckDB's step by step; subnormal and underflowing results
-- too (5e-324 * 1e-300 is 0.0, 5e-324 * 1000 is 4.94e-321)
SELECT a.id, a.x * b.y AS p, a.x * 1000 AS thousand, a.k * b.y AS ky,
       -a.x * b.y AS negated, b.y * 0.5 AS half, a.x * b.y / 3 AS third
FROM fa AS a JOIN fb AS b ON a.k = b.k;

-- name: products_and_quotients_step_by_step
-- floats: exact
SELECT a.id, (a.x / b.y) * b.y AS back, a.x * b.y * b.y AS twice, a.x / b.y / 7 AS seventh
FROM fa AS a JOIN fb AS b ON a.k = b.k
WHERE (a.x IS NULL OR a.x <> 5e-324) AND (b.y IS NULL OR b.y <> 1e-300);

-- name: product_of_stored_reals_past_the_range
-- error: DataError is out of the range the engine computes in
-- pushdown: off
SELECT id, x * 1e300 AS p FROM fa;

-- name: sum_and_avg_of_floats
SELECT SUM(v) AS s, AVG(v) AS a
FROM (SELECT x AS v FROM fa WHERE x < 1 UNION ALL SELECT y FROM fb WHERE y < 1 AND y > -1) AS u;

-- name: products_of_large_reals
-- found by the tester (11.new-float-product): the product of two fixed-point words
-- carries 32 fractional bits and left the ring at |x y| = 2^31 (46341.0 * 46341.0 gave
-- -2147479015.0); now each word is split into whole and fraction first
SELECT id, u * v AS p, -u * v AS q, u * u AS uu, u * v * 2 AS p2, u * 1.000001 AS s FROM fbig;

-- name: products_of_a_large_real_and_an_integer
SELECT id, u * n AS p, n * v AS q FROM fbig;

-- name: products_of_large_reals_after_a_join
SELECT b.id, b.u * a.k AS p, b.u * b.v + a.id AS q, b.u * a.k * a.k AS r FROM fbig b JOIN fa a ON a.id = b.id;

-- name: products_of_large_reals_over_a_union
SELECT w * w AS p FROM (SELECT u AS w FROM fbig UNION ALL SELECT k FROM fa) AS t;

-- name: large_decimals_as_reals
-- decimal -> float64 multiplied the scaled integer by 2^16 first, out of the ring for
-- decimal(18,2) values of 1.4e12
SELECT id, CAST(d AS DOUBLE) AS f, d * 0.5 AS h, CAST(d AS DOUBLE) * 2.5 AS p FROM fbig;

-- name: large_reals_as_decimals
SELECT id, CAST(u * v AS DECIMAL(18,2)) AS c FROM fbig;

-- name: percentile_cont_picks_a_value_exactly
-- pushdown: off
-- floats: exact
-- found by the tester (11.new-percentile-float-exact): PERCENTILE_CONT(0) and (1) came
-- back as their fixed-point values (-28.7 as -28.699996948242188); a percentile that
-- falls on one row keeps that row's bits
SELECT PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY x) AS p0,
       PERCENTILE_CONT(1) WITHIN GROUP (ORDER BY x) AS p1,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x) AS p5 FROM fa WHERE id NOT IN (1, 12);

-- name: percentile_cont_picks_a_value_exactly_over_a_union
-- party: carol
-- floats: exact
SELECT PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY u.w) AS p0,
       PERCENTILE_CONT(1) WITHIN GROUP (ORDER BY u.w) AS p1,
       PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY u.w) AS p75
FROM (SELECT x AS w FROM fa UNION ALL SELECT y FROM fb) AS u;

-- name: percentile_cont_picks_a_value_exactly_after_a_join
-- floats: exact
SELECT a.k, PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY b.y) AS p0,
       PERCENTILE_CONT(1) WITHIN GROUP (ORDER BY b.y) AS p1
FROM fa a JOIN fb b ON a.id = b.id GROUP BY a.k;

-- name: percentile_cont_interpolates_between_values
-- party: carol
SELECT PERCENTILE_CONT(0.3) WITHIN GROUP (ORDER BY u.w) AS p
FROM (SELECT x AS w FROM fa UNION ALL SELECT y FROM fb) AS u;

-- name: cast_of_stored_reals_near_ties_by_their_owner
-- DuckDB rounds the double times 10^s (0.135 to 0.14, 1.005 to 1.00), a BIGINT to
-- even (2.5 to 2, 2.5000001 to 3); fixed point (2^-16) would round 0.135 down, 1.005
-- up and 2.5000001 to 2: the owner casts, also with pushdown off (known bug
-- 11.new-cast-real-near-tie)
SELECT id, CAST(t AS DECIMAL(10,2)) AS c, CAST(t AS BIGINT) AS i, CAST(t AS DECIMAL(10,0)) AS d
FROM ta;

-- name: cast_of_stored_reals_near_ties_for_another_party
-- party: bob
SELECT id, CAST(t AS DECIMAL(10,2)) AS c, CAST(t AS BIGINT) AS i FROM ta WHERE id < 6;

-- name: cast_of_stored_reals_near_ties_over_a_union
-- party: carol
-- each branch's owner casts its own reals, before they are shared
SELECT u.id, CAST(u.t AS DECIMAL(10,2)) AS c, CAST(u.t AS BIGINT) AS i,
       CAST(u.t AS DECIMAL(10,0)) AS d
FROM (SELECT id, t FROM ta UNION ALL SELECT id, t FROM tb) AS u;

-- name: cast_of_stored_reals_near_ties_after_a_join
-- party: carol
SELECT a.id, CAST(a.t AS DECIMAL(10,2)) AS c, CAST(b.t AS BIGINT) AS i,
       SUM(CAST(b.t AS DECIMAL(10,2))) OVER () AS s
FROM ta AS a JOIN tb AS b ON a.id = b.id;

-- name: cast_of_a_picked_real_near_a_tie
-- party: carol
-- MAX picks 2.675 under MPC: its fixed-point form could not tell the side of the tie
-- (it was refused); the cast is DuckDB's x * 10^s of the double's bits, rounded exactly
SELECT CAST(MAX(u.t) AS DECIMAL(10,2)) AS c FROM (SELECT t FROM ta UNION ALL SELECT t FROM tb) AS u;

-- name: cast_of_a_picked_real_away_from_ties
-- party: carol
SELECT CAST(MAX(u.t) AS DECIMAL(10,1)) AS c, CAST(MAX(u.t) AS BIGINT) AS i,
       CAST(MIN(u.t) AS DECIMAL(10,1)) AS d
FROM (SELECT t FROM ta UNION ALL SELECT t FROM tb) AS u;

-- name: cast_of_picked_reals_at_and_near_ties_to_integers
-- party: carol
-- MIN and MAX pick under MPC: 2.5 and -3.5 are ties (to even for BIGINT, away from
-- zero for DECIMAL(p,0)), 2.5000001 and -2.5000001 have the same fixed-point form as
-- the ties, and their keys tell the side
SELECT u.id, CAST(MAX(u.t) AS BIGINT) AS i, CAST(MIN(u.t) AS DECIMAL(10,0)) AS d
FROM (SELECT id, t FROM ta UNION ALL SELECT id, t FROM tb) AS u GROUP BY u.id;

-- Stored reals with no fixed-point form (fn.w: NaN, +-inf, 1e20): at their owner they are
-- DuckDB's; where they would meet other parties' values their owner refuses to share
-- them (NotSupportedError naming the column) before anything is sent: MPC computes in
-- fixed point, and DuckDB's NaN (the greatest, equal to itself) and inf + -inf are not
-- what it would compute

-- name: nan_and_infinities_of_own_table
-- pushdown: on
-- floats: exact
SELECT id, w, w > 0 AS pos, w = w AS same FROM fn ORDER BY w, id;

-- name: nan_and_infinities_of_own_table_grouped
-- pushdown: on
-- floats: exact
SELECT w, COUNT(*) AS n, MIN(w) AS lo FROM fn GROUP BY w ORDER BY w;

-- name: nan_and_infinities_over_union_refused
-- error: NotSupportedError a real that is NaN, infinite
SELECT MAX(v) AS hi FROM (SELECT w AS v FROM fn UNION ALL SELECT y FROM fb) AS u;

-- name: nan_and_infinities_after_join_refused
-- error: NotSupportedError NaN, infinite
SELECT a.id, a.w, b.y FROM fn AS a JOIN fb AS b ON a.k = b.k ORDER BY a.id;

-- name: nan_and_infinities_in_sum_after_join_refused
-- error: NotSupportedError NaN, infinite
SELECT SUM(a.w + b.y) AS s FROM fn AS a JOIN fb AS b ON a.k = b.k;

-- name: avg_by_a_sum_of_small_reals
-- pushdown: off
-- found by the tester (11.new-computed-small-divisor): SUM of reals was a fixed-point
-- sum, 0.001 entering as 66 2^-16 (AVG(id) / SUM(f) of one row (15, 0.001) gave
-- 14894.5, DuckDB 15000); now the sum is exact from the doubles' bits, with its own
SELECT AVG(id) / SUM(f) AS q, 15 / SUM(f) AS r FROM fs WHERE id = 1;

-- name: sum_of_thousandths
-- floats: exact
-- pushdown: off
-- 0.001 + 0.001 + 0.001 is 0.003 both ways (DuckDB adds in order, here exactly and
-- rounded once)
SELECT SUM(f) AS s, AVG(f) AS a, AVG(id) / SUM(f) AS q FROM fs WHERE g = 1;

-- name: sum_and_avg_of_reals_per_group
-- pushdown: off
SELECT g, SUM(f) AS s, AVG(f) AS a, COUNT(f) AS n, AVG(id) / SUM(f) AS q
FROM fs WHERE g <> 5 GROUP BY g ORDER BY g;

-- name: sum_of_reals_of_two_parties_per_group
SELECT g, SUM(v) AS s, AVG(v) AS a, SUM(v) * 1000 AS m
FROM (SELECT g, f AS v FROM fs WHERE g <> 5 UNION ALL SELECT k, x FROM fa WHERE k < 5) AS u
GROUP BY g ORDER BY g;

-- name: sum_of_reals_of_two_parties
SELECT SUM(v) AS s, AVG(v) AS a, 1 / SUM(v) AS r
FROM (SELECT f AS v FROM fs WHERE g IN (1, 6) UNION ALL SELECT y FROM fb WHERE y < 1) AS u;

-- name: distinct_sum_of_reals
SELECT SUM(DISTINCT v) AS s, AVG(DISTINCT v) AS a, COUNT(DISTINCT v) AS n
FROM (SELECT f AS v FROM fs WHERE g IN (1, 6) UNION ALL SELECT y FROM fb WHERE y < 1) AS u;

-- name: divide_by_a_sum_that_cancels_to_zero
-- pushdown: off
-- 1e10 + 3 - 1e10 - 3 and 0.5 + 0.25 - 0.75 are exactly 0: x / 0 is NULL
SELECT g, SUM(f) AS s, 1 / SUM(f) AS q FROM fs WHERE g IN (2, 3) GROUP BY g ORDER BY g;

-- name: sum_of_no_reals_is_null
-- pushdown: off
SELECT SUM(f) AS s, AVG(f) AS a, COUNT(f) AS n FROM fs WHERE g = 4 OR g > 6;

-- name: sum_of_no_reals_per_group_is_null
-- pushdown: off
SELECT g, SUM(f) AS s, AVG(f) AS a FROM fs WHERE g = 4 GROUP BY g;

-- name: sum_of_reals_past_2_47
-- error: DataError is out of the range the engine computes in
-- pushdown: off
-- 1e14 + 1e14 is past 2^47 (about 1.4e14), which a computed real must stay below
SELECT SUM(f) AS s FROM fs WHERE g = 5;

-- name: sum_of_reals_past_2_47_per_group
-- error: DataError is out of the range the engine computes in
-- pushdown: off
SELECT g, SUM(f) AS s FROM fs GROUP BY g;

-- name: sum_of_reals_below_2_47_beside_a_filtered_one
-- pushdown: off
-- the filtered rows do not count: their sum is no error
SELECT SUM(f) AS s FROM fs WHERE g = 5 AND id = 12;

-- name: sum_of_reals_per_group_of_the_key_owner
-- after the join alice knows every row's k: she groups (one product per group), and
-- bob's reals are summed there from their bits
SELECT a.k, SUM(b.f) AS s, AVG(b.f) AS m, AVG(a.id) / SUM(b.f) AS q
FROM fa AS a JOIN fs AS b ON a.id = b.id WHERE b.g IN (1, 3, 6) GROUP BY a.k ORDER BY a.k;

-- name: distinct_sum_of_no_reals_is_null
-- pushdown: off
SELECT SUM(DISTINCT f) AS s, AVG(DISTINCT f) AS a FROM fs WHERE g > 6;

-- name: sum_of_negative_zero
-- -0.0 (with a NULL beside it) sums to 0.0, which SQL compares as DuckDB's -0.0
SELECT SUM(v) AS s, AVG(v) AS a
FROM (SELECT x AS v FROM fa WHERE id = 12 UNION ALL SELECT f FROM fs WHERE g = 4) AS u;

-- name: quotient_by_a_sum_of_small_reals
-- floats: exact
-- found by the tester (11.new-fixed-point-small-divisor): + and - of reals were fixed
-- point, so 15 / (f + f) of f = 0.001 divided 131 2^-16 (about 7504.6, DuckDB 7500); now
-- a sum or difference of reals with bits is IEEE-754's own, rounded once, with a key
SELECT id / (f + f) AS q, 15 / (f + f) AS r, 1 / (f - 0.0005) AS s FROM fs WHERE id = 1;

-- name: sums_and_differences_of_stored_reals
-- floats: exact
-- 0.1 + 0.2 is 0.30000000000000004 (as DuckDB), x - x is 0, tiny and subnormal reals keep
-- their bits (5e-324 + 5e-324 is 1e-323, 1e-300 - 1e-300 is 0)
SELECT a.id, a.x + b.y AS s, a.x - b.y AS d, a.x - a.x AS zero, a.x + a.x AS twice,
       a.x + 0.2 AS plus_const, a.k + b.y AS int_plus, a.amt - a.x AS dec_minus,
       (a.x + b.y) + b.y AS chain, 0.1 + a.x - a.x AS cancel, -(a.x - b.y) AS neg
FROM fa AS a JOIN fb AS b ON a.k = b.k;

-- name: sums_of_reals_step_by_step
-- floats: exact
-- (f + f) + f rounds twice, as DuckDB: 0.001 + 0.001 + 0.001 is 0.003, and
-- 0.1 + -0.02 + 1e-07 is 0.08010000000000002 each step rounded
SELECT id, (f + f) + f AS three, f + f - f AS back, (f + f) * 1000 AS scaled,
       f + 1e-20 AS tiny, f - 3 AS minus_int FROM fs WHERE f IS NOT NULL AND f < 1e13;

-- name: comparisons_of_sums_of_reals
-- floats: exact
SELECT a.id, a.x FROM fa AS a JOIN fb AS b ON a.k = b.k
WHERE a.x + b.y = 0.30000000000000004 OR a.x + b.y > 0.7 OR a.x - b.y < -0.11;

-- name: group_by_a_sum_of_reals
-- floats: exact
-- pushdown: off
SELECT f + f AS s, COUNT(*) AS n, SUM(f + f) AS t FROM fs WHERE f IS NOT NULL AND f < 1e13
GROUP BY f + f ORDER BY s;

-- name: sum_of_reals_past_the_range
-- error: DataError is out of the range the engine computes in
-- pushdown: off
-- 1e14 + 1e14 is past 2^47
SELECT id, f + f AS s FROM fs WHERE g = 5;

-- name: sum_of_reals_past_the_range_where_not_taken
-- floats: exact
-- pushdown: off
SELECT id, CASE WHEN f < 1e13 THEN f + f ELSE 0 END AS s FROM fs WHERE f IS NOT NULL;
