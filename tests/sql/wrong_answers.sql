-- catalog: wrong_answers/wrong_answers.toml
-- party: alice
-- The wrong answers of issue 11, each once it was fixed: the engine returned a result
-- without an error that differed from DuckDB's on the plaintext union.

-- name: count_distinct_single_owner_health
-- catalog: ../../catalogs/health.toml
-- party: hospital
-- issue 11 #1: the owner's local SQL dropped DISTINCT (290, 300, 300); under MPC two
-- COUNT(DISTINCT) arguments take one sort each
SELECT COUNT(DISTINCT diagnosis) AS nd, COUNT(DISTINCT sex) AS ns, COUNT(*) AS n FROM patients;

-- name: count_distinct_single_owner_for_another_party
-- catalog: ../../catalogs/health.toml
-- party: insurer
SELECT COUNT(DISTINCT age) AS na, COUNT(age) AS n FROM patients;

-- name: sum_avg_distinct_single_owner
-- pushdown: on
-- SUM/AVG(DISTINCT) run only where the owner computes them (under MPC: NotSupported)
SELECT COUNT(DISTINCT g) AS cg, SUM(DISTINCT g) AS sg, AVG(DISTINCT g) AS ag,
       MIN(DISTINCT x) AS mx, SUM(x) AS sx FROM people;

-- name: sum_distinct_grouped_single_owner
-- pushdown: on
SELECT city, COUNT(DISTINCT g) AS cg, SUM(DISTINCT g) AS sg FROM people GROUP BY city;

-- name: sum_distinct_under_mpc
-- pushdown: off
-- (was refused; now one run of equal values counts once, as COUNT(DISTINCT))
SELECT SUM(DISTINCT g) AS sg, AVG(DISTINCT g) AS ag FROM people;

-- name: min_max_distinct_under_mpc
SELECT MIN(DISTINCT x) AS mn, MAX(DISTINCT x) AS mx FROM people;

-- name: inner_then_right_join_keeps_where_above
-- issue 11 #5: WHERE conjuncts on the inner join's tables were pushed below the RIGHT
-- JOIN, so its NULL-extended rows survived "o.k IS NOT NULL" (9 rows, not 6)
SELECT COUNT(*) AS n FROM people p JOIN orders o ON p.id = o.person
RIGHT JOIN tags t ON o.person = t.person WHERE o.k IS NOT NULL;

-- name: inner_then_right_join_where_equality
SELECT p.id, o.id AS oid, t.tag FROM people p JOIN orders o ON p.id = o.person
RIGHT JOIN tags t ON p.id = t.person WHERE o.k = 1;

-- name: inner_then_right_join_where_is_null
-- rows NULL-extended by the RIGHT JOIN pass "o.k IS NULL", the inner join's rows too
SELECT p.id, t.tag FROM people p JOIN orders o ON p.id = o.person
RIGHT JOIN tags t ON p.id = t.person WHERE o.k IS NULL;

-- name: comma_join_key_from_where_then_right_join
SELECT p.id, t.tag FROM people p, orders o RIGHT JOIN tags t ON o.person = t.person
WHERE p.id = o.person AND p.x > 5;

-- name: left_then_inner_join_where_is_null
SELECT p.id, o.k, t.tag FROM people p LEFT JOIN orders o ON p.id = o.person
JOIN tags t ON p.id = t.person WHERE o.k IS NULL;

-- name: not_in_empty_table_keeps_null_x
-- issue 11 #6: x NOT IN (no rows) is TRUE, also where x is NULL (9 rows, not 12)
SELECT id, x FROM people WHERE x NOT IN (SELECT v FROM empty);

-- name: not_in_subquery_filtering_out_every_row
SELECT id, x FROM people WHERE x NOT IN (SELECT n FROM one_row WHERE n > 5);

-- name: not_in_empty_own_table_counted
SELECT COUNT(*) AS n FROM people WHERE x NOT IN (SELECT x FROM people WHERE id > 100);

-- name: not_in_nonempty_drops_null_x
SELECT id, x FROM people WHERE x NOT IN (SELECT amount FROM orders WHERE amount < 80);

-- name: not_in_with_a_null_in_the_subquery
SELECT COUNT(*) AS n FROM people WHERE id NOT IN (SELECT person FROM tags);

-- name: having_scalar_subquery_one_row_table
-- party: bob
-- issue 11 #2: the subquery in HAVING was given the outer query's aggregates (no rows)
SELECT city, COUNT(*) AS n FROM people GROUP BY city
HAVING COUNT(*) > (SELECT COUNT(*) FROM one_row);

-- name: having_scalar_subquery_of_another_party
-- issue 11 #8: the HAVING subquery was sent to the outer table's owner
-- ("party alice: Catalog Error: Table with name orders does not exist")
SELECT city, COUNT(*) AS n FROM people GROUP BY city
HAVING COUNT(*) > (SELECT COUNT(*) / 5 FROM orders);

-- name: having_scalar_subquery_on_a_join
-- issue 11 #2: on a join the subquery's columns were "unknown" (TPC-H Q11's shape)
SELECT p.city, COUNT(*) AS n FROM people p JOIN orders o ON p.id = o.person GROUP BY p.city
HAVING SUM(o.amount) > (SELECT SUM(o2.amount) FROM orders o2 JOIN people p2 ON o2.person = p2.id) / 4;

-- name: having_scalar_subquery_with_a_where_of_its_own
SELECT city, SUM(x) AS sx FROM people GROUP BY city
HAVING SUM(x) > (SELECT MAX(amount) FROM orders WHERE k = 1) AND COUNT(*) > 1;

-- name: having_scalar_subquery_health_q11_shape
-- catalog: ../../catalogs/health.toml
-- party: insurer
SELECT c.status, SUM(c.amount) AS total FROM claims c JOIN patients p ON c.patient_id = p.patient_id
GROUP BY c.status
HAVING SUM(c.amount) > (SELECT SUM(c2.amount) * 0.1 FROM claims c2 JOIN patients p2 ON c2.patient_id = p2.patient_id);

-- name: having_scalar_subquery_health_other_owner
-- catalog: ../../catalogs/health.toml
-- party: hospital
SELECT diagnosis, COUNT(*) AS n FROM patients GROUP BY diagnosis
HAVING COUNT(*) > (SELECT COUNT(*) / 20 FROM accounts);

-- name: scalar_subquery_added_to_an_aggregate_over_no_rows
-- issue 11 #7: the subquery's value was taken as MAX over the (no) input rows: NULL
SELECT COUNT(*) + (SELECT COUNT(*) FROM orders WHERE k = 1) AS n FROM people WHERE id > 100;

-- name: scalar_subquery_beside_grouped_aggregates
SELECT city, SUM(x) - (SELECT MAX(amount) FROM orders) AS d, (SELECT n FROM one_row) AS one
FROM people GROUP BY city;

-- name: scalar_subquery_inside_an_aggregate
SELECT COUNT(*) AS n, SUM(x * (SELECT n FROM one_row)) AS s FROM people WHERE id > 100;

-- name: scalar_subquery_of_an_empty_table_in_an_aggregate_query
SELECT COUNT(*) AS n, (SELECT MAX(v) FROM empty) AS m FROM people;

-- name: distinct_order_by_the_expression_of_an_alias_on_a_join
-- issue 11 #8: ORDER BY items were matched to the select list by alias only, so this
-- was refused ("with SELECT DISTINCT, ORDER BY items must be in the select list")
SELECT DISTINCT a.g AS c0 FROM people a JOIN orders o ON a.id = o.person ORDER BY a.g;

-- name: distinct_order_by_the_expression_of_an_alias
SELECT DISTINCT g + 1 AS c0 FROM people ORDER BY g + 1 DESC;

-- name: order_by_an_aggregate_of_the_select_list
SELECT city AS c, COUNT(*) AS n FROM people GROUP BY city ORDER BY COUNT(*) DESC, city;

-- name: order_by_alias_before_expression
SELECT g AS x, x AS g FROM people ORDER BY g, x;

-- name: in_subquery_on_a_join_key_across_parties
-- issue 11 #9: refused through the planner's own deduplication ('GROUP BY "__in0" would
-- show party alice ...'), while the same question as a JOIN ran
SELECT id, city FROM people WHERE id IN (SELECT person FROM orders);

-- name: in_subquery_with_duplicates_and_a_filter_of_its_own
SELECT COUNT(*) AS n, SUM(x) AS sx FROM people WHERE id IN (SELECT person FROM orders WHERE amount > 30);

-- name: exists_on_a_join_key_across_parties
SELECT id FROM people p WHERE EXISTS (SELECT 1 FROM orders o WHERE o.person = p.id AND o.k = 1);

-- name: not_exists_on_a_join_key_across_parties
SELECT id FROM people p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.person = p.id);

-- name: not_in_on_a_join_key_across_parties
-- catalog: wrong_answers/wrong_answers_person.toml
SELECT COUNT(*) AS n FROM people WHERE id NOT IN (SELECT person FROM orders WHERE person IS NOT NULL);

-- name: in_subquery_of_an_encrypted_only_column_counted
-- aggregated, as the same JOIN: the secret join shows nobody which rows match
SELECT COUNT(*) AS n FROM people WHERE id IN (SELECT secret FROM orders);

-- name: in_subquery_of_an_encrypted_only_column_refused
-- error: SecurityError orders.secret
SELECT id FROM people WHERE id IN (SELECT secret FROM orders);

-- name: in_subquery_health_claimants
-- catalog: ../../catalogs/health.toml
-- party: hospital
SELECT COUNT(*) AS n, AVG(age) AS a FROM patients
WHERE patient_id IN (SELECT patient_id FROM claims WHERE status = 'approved');

-- name: single_owner_scalar_subquery_with_no_row_is_null
-- found with issue 11: where one owner runs the query and its scalar subquery, the
-- subquery was a CROSS JOIN in the owner's SQL: no row of it dropped every row
SELECT id, (SELECT x FROM people WHERE id > 100) AS y FROM people;

-- name: single_owner_scalar_subquery_in_where_with_no_row
SELECT id FROM people WHERE x > (SELECT x FROM people WHERE id > 100) OR id = 1;

-- name: single_owner_scalar_subquery_with_one_row
SELECT id, (SELECT x FROM people WHERE id = 3) AS y FROM people WHERE id < 3;

-- name: single_owner_scalar_subquery_with_two_rows_is_an_error
-- error: DataError row
-- ... and two rows of it repeated every row (24 rows), where SQL raises an error
SELECT x + (SELECT x FROM people WHERE id < 3) AS y FROM people;

-- name: scalar_subquery_of_another_party_with_two_rows_is_an_error
-- error: DataError row
SELECT x + (SELECT amount FROM orders WHERE id < 3) AS y FROM people;

-- name: join_where_constant_scalar_subquery_of_another_party
-- found by the tester (11.8-where): a subquery naming no column looked like a condition
-- on one join input and was inlined into that owner's local SQL, where the subquery's
-- table does not exist ("party carol could not run step s1")
SELECT p.id, o.id AS oid FROM people p JOIN orders o ON p.id = o.person
WHERE o.amount > (SELECT 50 FROM one_row);

-- name: join_where_count_star_subquery_of_another_party
SELECT p.id, o.amount FROM people p JOIN orders o ON p.id = o.person
WHERE o.amount > (SELECT COUNT(*) * 20 FROM tags);

-- name: join_on_constant_scalar_subquery
SELECT p.id, o.amount FROM people p JOIN orders o ON p.id = o.person
AND p.x < (SELECT COUNT(*) * 10 FROM tags);

-- name: join_where_in_constant_subquery
SELECT p.id, o.k FROM people p JOIN orders o ON p.id = o.person
WHERE o.k IN (SELECT 1 FROM one_row);

-- name: left_join_where_constant_scalar_subquery
SELECT p.id, o.amount FROM people p LEFT JOIN orders o ON p.id = o.person
WHERE p.x > (SELECT COUNT(*) FROM tags);

-- name: three_way_join_where_constant_scalar_subquery
SELECT p.id, t.tag FROM people p JOIN orders o ON p.id = o.person JOIN tags t ON t.person = p.id
WHERE t.tag <> (SELECT 'b' FROM empty) OR o.k = (SELECT MAX(n) - 1 FROM one_row);

-- name: left_join_on_subquery_refused
-- error: NotSupportedError subquery in the ON condition
SELECT p.id, o.amount FROM people p LEFT JOIN orders o ON p.id = o.person
AND o.amount > (SELECT 50 FROM one_row);

-- name: int_div_truncates_toward_zero
-- found by the tester (11.new-div-rounds): the plan wrote a DIV b in sqlglot's default
-- dialect, CAST(a / b AS BIGINT), which the engine read back as a rounded quotient
-- (7 DIV 2 gave 4, 2 DIV 3 gave 1)
SELECT id, x DIV 3 AS q, -x DIV 7 AS r, x DIV g AS s, (x DIV 4) DIV 3 AS t, x DIV 0 AS z FROM people;

-- name: int_div_over_a_union_of_parties
SELECT v DIV 7 AS q, COUNT(*) AS n
FROM (SELECT x AS v FROM people UNION ALL SELECT amount FROM orders) AS u GROUP BY v DIV 7;

-- name: int_div_after_a_join
SELECT p.id, o.amount DIV p.g AS q, (o.amount - p.x) DIV 3 AS r FROM people p
JOIN orders o ON p.id = o.person;

-- name: decimal_div_at_the_owner_and_under_mpc
-- catalog: floats/floats.toml
-- found by the tester (11.new-div-owner): DuckDB's // divides decimals and reals without
-- truncating (2.5 // 2 = 1.25), so the owner's BIGINT result failed to convert
SELECT id, amt DIV 2 AS q, -amt DIV 7 AS r, amt DIV 0.03 AS s, amt DIV 0 AS z FROM fa;

-- name: decimal_div_after_a_join
-- catalog: floats/floats.toml
SELECT a.id, a.amt DIV c.amt AS q, (a.amt + c.amt) DIV 3 AS r FROM fa a JOIN fc c ON a.id = c.id;

-- name: float_div_at_the_owner
-- catalog: floats/floats.toml
-- pushdown: on
SELECT id, x DIV 0.3 AS q, (x * 10) DIV 3 AS r FROM fa;

-- name: div_by_a_real_at_the_owner
-- catalog: floats/floats.toml
-- pushdown: on
-- found by the tester (11.new-div-float-owner): the owner computed a DIV b with a real
-- operand as the exact multiple's quotient, (a - a % b) // b, which the remainder of an
-- inexact divisor spoils (37.00 DIV 0.001 gave 36999); it is TRUNC(a / b)
SELECT id, amt DIV x AS q, x DIV 0.001 AS r, (amt * 10) DIV (x + 0.001) AS s FROM fa WHERE x <> 5e-324;

-- name: div_by_a_real_at_the_owner_for_another_party
-- catalog: floats/floats.toml
-- party: bob
-- pushdown: on
SELECT id, amt DIV x AS q, 37.00 DIV (x * 0 + 0.001) AS r FROM fa WHERE x <> 5e-324;

-- name: percentile_cont_two_argument_form_is_refused
-- catalog: floats/floats.toml
-- found by the tester (5025:6): DuckDB's PERCENTILE_CONT(x, p) was taken for a column
-- outside GROUP BY ("must appear in GROUP BY"); it is refused by name
-- error: NotSupportedError PERCENTILE_CONT(x, 0.5) (write PERCENTILE_CONT(0.5) WITHIN GROUP
SELECT PERCENTILE_CONT(x, 0.5) AS p FROM fa;

-- name: percentile_disc_two_argument_form_is_refused
-- catalog: floats/floats.toml
-- error: NotSupportedError PERCENTILE_DISC(x, 0.25)
SELECT k, PERCENTILE_DISC(x, 0.25) AS p FROM fa GROUP BY k;

-- name: float_div_under_mpc_is_refused
-- catalog: floats/floats.toml
-- pushdown: off
-- error: NotSupportedError DIV of a float64
SELECT id, x DIV 0.3 AS q FROM fa;

-- name: bare_null_item_over_a_union_of_parties
-- party: carol
-- found by the tester (11.new-null-item): the select list pushed into the UNION ALL
-- branches typed each branch's NULL again, as 'null', which no share has
SELECT v, NULL AS x FROM (SELECT x AS v FROM people UNION ALL SELECT amount FROM orders) AS u;

-- name: null_expressions_over_a_union_of_parties
SELECT COALESCE(NULL, v) AS y, NULL + v AS z, CASE WHEN v > 50 THEN NULL END AS w
FROM (SELECT x AS v FROM people UNION ALL SELECT amount FROM orders) AS u;

-- name: bare_null_item_after_a_join
SELECT p.id, NULL AS x FROM people p JOIN orders o ON p.id = o.person;

-- name: order_by_a_constant_empty_string_with_limit
-- party: bob
-- found by the tester (11.new-constant-sort-key): '' has no bytes, so the sort under MPC
-- had no key at all ("sort needs at least one key"); every row ties
SELECT '' AS c0 FROM people ORDER BY c0 DESC LIMIT 4;

-- name: order_by_a_constant_empty_string_then_a_column
SELECT '' AS c0, o.amount FROM people p JOIN orders o ON p.id = o.person
ORDER BY c0, o.amount DESC LIMIT 3;

-- name: order_by_a_constant_empty_string_over_a_union
SELECT '' AS c0, v FROM (SELECT x AS v FROM people UNION ALL SELECT amount FROM orders) AS u
ORDER BY c0 DESC, v LIMIT 5;

-- name: chained_joins_on_decimal_keys_of_different_scales
-- found by the tester (11.new-join-key-types): each join named its cast keys __jk0.l,
-- __jk0.r, so the second join's cast took the first one's name and type ("join keys
-- ... need one type")
SELECT c.id, a.id AS aid, b.id AS bid FROM dec_c c JOIN dec_a a ON c.m = a.m2
JOIN dec_b b ON a.m = b.m;

-- name: chained_joins_on_decimal_key_expressions
SELECT COUNT(*) AS n FROM dec_c c JOIN dec_a a ON c.m + 0 = a.m2 * 1 JOIN dec_b b ON a.m * 1 = b.m + 0;

-- name: chained_left_joins_on_decimal_keys_with_conditions
SELECT c.id, a.id AS aid, b.id AS bid FROM dec_c c LEFT JOIN dec_a a ON c.m = a.m2 AND a.id > 1
LEFT JOIN dec_b b ON a.m = b.m AND b.id < 4;

-- name: join_then_in_subquery_on_decimal_keys
SELECT c.id, a.id AS aid FROM dec_c c JOIN dec_a a ON c.m = a.m2 WHERE a.m IN (SELECT m FROM dec_b);

-- name: percentile_disc_for_another_party_at_the_owner
-- party: bob
-- pushdown: on
-- found by the random tester: with total semantics (the owner does not ask) TRY was put
-- around QUANTILE_DISC, and DuckDB allows no aggregate inside TRY
SELECT PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY -x) AS q, g,
       PERCENTILE_DISC(1) WITHIN GROUP (ORDER BY x) AS top FROM people GROUP BY g;

-- name: percentile_disc_for_another_party_over_a_union
-- party: carol
SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY v) AS med
FROM (SELECT x AS v FROM people UNION ALL SELECT amount AS v FROM orders) AS u;

-- name: percentile_disc_for_another_party_after_a_join
-- party: bob
SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY p.x + p.g) AS med
FROM people p JOIN tags t ON p.id = t.person;

-- name: cast_real_to_decimal_rounds_half_away
-- found by the tester (11.new-cast-real-to-decimal): under MPC a real cast to DECIMAL(p,0)
-- rounded to even (2.5 gave 2, DuckDB 3); DuckDB rounds DOUBLE -> DECIMAL half away from
-- zero at every scale, DOUBLE -> BIGINT to even, DECIMAL -> BIGINT or fewer digits half away
SELECT id, CAST(x / 20 AS DECIMAL(10,0)) AS d0, CAST(-x / 20 AS DECIMAL(10,0)) AS n0,
       CAST(x / 80 AS DECIMAL(10,2)) AS d2, CAST(-x / 16 AS DECIMAL(10,1)) AS n1,
       CAST(x / 20 AS BIGINT) AS i, CAST(-x / 20 AS INTEGER) AS ni FROM people;

-- name: cast_real_to_decimal_over_a_union_of_parties
SELECT CAST(v / 20 AS DECIMAL(10,0)) AS d0, CAST(-v / 80 AS DECIMAL(10,2)) AS d2,
       CAST(v / 20 AS BIGINT) AS i
FROM (SELECT x AS v FROM people UNION ALL SELECT amount FROM orders) AS u;

-- name: cast_real_to_decimal_after_a_join
SELECT p.id, CAST(p.x / 20 AS DECIMAL(10,0)) AS d0, CAST(-o.amount / 40 AS DECIMAL(10,0)) AS n0,
       CAST(p.x / 80 AS DECIMAL(10,2)) AS d2, CAST(o.amount / 40 AS BIGINT) AS i,
       CAST(2.5e0 AS INTEGER) AS k, CAST(-3.5e0 AS BIGINT) AS k2, CAST(0.125e0 AS DECIMAL(5,2)) AS k3,
       CAST(p.x + 0.5e0 AS INTEGER) AS k4
FROM people p JOIN orders o ON p.id = o.person;

-- name: cast_decimal_to_fewer_digits_and_integer
SELECT id, CAST(m AS INTEGER) AS i, CAST(-m AS BIGINT) AS ni, CAST(m2 AS DECIMAL(7,0)) AS d0,
       CAST(-m2 AS DECIMAL(7,0)) AS n0, CAST(m AS DECIMAL(5,1)) AS d1 FROM dec_a;

-- name: cast_decimal_to_fewer_digits_over_a_union_of_parties
SELECT CAST(v AS INTEGER) AS i, CAST(-v AS DECIMAL(10,0)) AS n0, CAST(v * 1.05 AS DECIMAL(10,1)) AS d1
FROM (SELECT m AS v FROM dec_a UNION ALL SELECT m FROM dec_b UNION ALL SELECT m FROM dec_c) AS u;

-- name: cast_decimal_to_fewer_digits_after_a_join
SELECT a.id, CAST(a.m2 + b.m AS INTEGER) AS i, CAST(-(a.m2 * b.m) AS DECIMAL(10,1)) AS d1,
       CAST(b.m - a.m2 AS DECIMAL(10,0)) AS d0
FROM dec_a a JOIN dec_b b ON a.id = b.id;

-- name: inner_unequal_on_then_right_join
-- found by the tester (11.new-unequal-on-then-right-join): an inner join's ON comparison
-- other than an equality was applied above a later RIGHT JOIN, dropping the rows that
-- join NULL-extends (0 rows for 11); it filters the inner join's pairs only
SELECT t.tag, p.id AS pid, o.id AS oid FROM people p JOIN orders o ON p.id = o.person AND p.x < o.amount
RIGHT JOIN tags t ON t.person = p.id;

-- name: inner_unequal_on_without_key_then_right_join
SELECT t.tag, p.id AS pid FROM people p JOIN one_row r ON p.x > r.n * 60
RIGHT JOIN tags t ON t.person = p.id;

-- name: inner_unequal_on_then_full_join
SELECT t.tag, p.id AS pid, o.amount FROM people p JOIN orders o ON p.id = o.person AND o.amount > p.x
FULL JOIN tags t ON t.person = o.person;

-- name: inner_unequal_on_then_left_join
SELECT p.id AS pid, o.id AS oid, t.tag FROM people p JOIN orders o ON p.id = o.person AND o.amount <> p.x * 10
LEFT JOIN tags t ON t.person = p.id;

-- name: inner_one_side_on_then_right_join
SELECT t.tag, p.id AS pid, o.id AS oid FROM people p
JOIN orders o ON p.id = o.person AND o.amount > 50 AND p.x < 100
RIGHT JOIN tags t ON t.person = o.person;

-- name: inner_unequal_on_then_right_join_with_where
SELECT t.tag, p.id AS pid FROM people p JOIN orders o ON p.id = o.person AND p.x <= o.amount
RIGHT JOIN tags t ON t.person = p.id WHERE t.tag <> 'c' OR p.id IS NULL;

-- name: inner_unequal_on_then_right_join_own_tables
-- the asker's own tables: its local SQL with pushdown on, the secret plan with it off
SELECT q.id AS qid, a.id AS aid FROM dec_a a JOIN people p ON a.id = p.id AND p.x > a.m * 3
RIGHT JOIN people q ON q.id = a.id;

-- name: decimal_supertype_past_38_digits_own_table
-- catalog: ../../catalogs/types.toml
-- party: alice
-- 10156:22: values of DECIMAL(38,2) and DECIMAL(4,3) become DECIMAL(38,2) in DuckDB (the
-- integer digits are kept, the fraction rounded: 1.125 is 1.13), not DECIMAL(38,3)
SELECT k, CASE WHEN k % 2 = 0 THEN SUM(m) ELSE 1.125 END AS v,
       COALESCE(SUM(CASE WHEN k % 2 = 0 THEN m END), -0.005) AS w FROM t_alice GROUP BY k;

-- name: decimal_supertype_past_38_digits_union
-- catalog: ../../catalogs/types.toml
-- party: alice
SELECT u.k, CASE WHEN u.k % 2 = 0 THEN SUM(u.m) ELSE 1.125 END AS v
FROM (SELECT k, m FROM t_alice UNION ALL SELECT k, m FROM t_bob) AS u GROUP BY u.k;

-- name: decimal_supertype_past_38_digits_join
-- catalog: ../../catalogs/types.toml
-- party: alice
SELECT a.k, CASE WHEN a.k % 2 = 0 THEN SUM(b.m) ELSE -1.125 END AS v
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id GROUP BY a.k;

-- name: decimal_supertype_past_38_digits_set_operation
-- catalog: ../../catalogs/types.toml
-- party: alice
SELECT SUM(m) AS v FROM t_alice UNION ALL SELECT MAX(1.125) AS v FROM t_bob;

-- name: decimal_comparison_keeps_the_scale
-- catalog: ../../catalogs/types.toml
-- party: alice
-- a comparison does not round: SUM(m) (DECIMAL(38,2)) against 3 decimals
SELECT k, SUM(m) > 1.125 AS gt FROM t_alice GROUP BY k;

-- name: round_of_a_div_at_the_owner_keeps_bigint
-- catalog: floats/floats.toml
-- party: bob
-- pushdown: on
-- 30254:4: the planner typed an owner function over a DIV by binding DuckDB's // (a
-- double or decimal for reals and decimals) where the owner's SQL casts each DIV to
-- BIGINT: ROUND(x DIV amt, 1) was typed a double, DuckDB's answer is BIGINT
SELECT id, ROUND(x DIV amt, 1) AS r, ROUND(amt DIV 2, 1) AS s, ABS(amt DIV 3) AS t
FROM fa WHERE x <> 5e-324 AND amt <> 0;

-- partial SUMs of one owner's UNION ALL branches, DECIMAL(38,2) and DECIMAL(38,3),
-- merged in its own SQL: DuckDB's supertype of the two is DECIMAL(38,2), which rounded
-- away the third digit; each branch is now cast to the plan's type (seed 90128:17: AVG
-- 22.8 for 22.7855)
-- name: partial_sums_of_one_owners_union_keep_the_fraction
-- pushdown: on
-- party: bob
SELECT SUM(u.x) AS s, AVG(u.x) AS a, COUNT(u.x) AS n
FROM (SELECT m2 AS x FROM dec_a UNION ALL SELECT m + 0.001 AS x FROM dec_a) AS u;
