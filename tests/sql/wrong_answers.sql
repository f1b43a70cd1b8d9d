-- catalog: wrong_answers/wrong_answers.toml
-- party: alice
-- The wrong answers of issue 11, each once it was fixed: the engine returned a result
-- without an error that differed from DuckDB's on the plaintext union.

-- name: count_distinct_single_owner_health
-- catalog: ../../catalogs/health.toml
-- party: hospital
-- pushdown: on
-- issue 11 #1: the owner's local SQL dropped DISTINCT (290, 300, 300); under MPC two
-- COUNT(DISTINCT) arguments are not supported yet
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

-- name: sum_distinct_under_mpc_is_refused
-- pushdown: off
-- error: NotSupportedError SUM(DISTINCT
SELECT SUM(DISTINCT g) AS sg FROM people;

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
