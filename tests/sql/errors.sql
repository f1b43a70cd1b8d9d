-- catalog: ../../catalogs/types.toml
-- party: alice
-- Queries that must not run: refused by the CCL (SecurityError, before any data moves),
-- SQL the engine does not support yet (NotSupportedError naming the construct), and
-- user mistakes (ProgrammingError).

-- name: secret_sum
-- error: SecurityError secret
SELECT SUM(secret) AS s FROM t_bob;

-- name: secret_count
-- error: SecurityError secret
SELECT COUNT(secret) AS n
FROM (SELECT secret FROM t_alice UNION ALL SELECT secret FROM t_bob) AS u;

-- name: secret_rows
-- error: SecurityError secret
SELECT secret FROM t_carol;

-- name: secret_inside_case
-- error: SecurityError secret
SELECT SUM(CASE WHEN secret > 0 THEN 1 ELSE 0 END) AS n FROM t_bob;

-- name: secret_in_where_under_group_by
-- Each group's count would show how many of its rows have "secret < x": comparison
-- results of an ENCRYPTED_ONLY column
-- error: SecurityError secret
SELECT k, COUNT(*) AS n FROM t_bob WHERE secret < 500000000 GROUP BY k;

-- name: secret_in_where_under_min_of_own_rows
-- MIN of a column the asker sees row by row tells which row passed
-- error: SecurityError secret
SELECT MIN(id) AS first FROM t_bob WHERE secret < 500000000;

-- name: aggregate_only_column_as_rows
-- error: SecurityError t_bob.i
SELECT i FROM t_bob;

-- name: aggregate_only_column_rows_of_union
-- error: SecurityError PLAINTEXT_AFTER_AGGREGATE
SELECT f FROM (SELECT f FROM t_alice UNION ALL SELECT f FROM t_bob) AS u;

-- name: aggregate_only_column_compared_in_rows
-- error: SecurityError t_carol.i
SELECT id, i > 0 AS positive FROM t_carol;

-- name: aggregate_only_column_filters_rows
-- error: SecurityError t_bob.i
SELECT id FROM t_bob WHERE i > 0;

-- name: aggregate_only_column_with_limit
-- error: SecurityError t_carol.f
SELECT f FROM t_carol LIMIT 1;

-- name: compare_only_column_as_rows
-- error: SecurityError t_bob.c
SELECT c FROM t_bob;

-- name: compare_only_column_summed
-- error: SecurityError t_bob.c
SELECT SUM(c) AS s FROM t_bob;

-- name: compare_only_column_counted
-- COUNT(col) is an aggregate of col: it needs PLAINTEXT_AFTER_AGGREGATE
-- error: SecurityError t_bob.c
SELECT COUNT(c) AS n FROM t_bob;

-- name: mixed_levels_in_one_union_column
-- error: SecurityError
SELECT MAX(x) AS top FROM (SELECT i AS x FROM t_bob UNION ALL SELECT c AS x FROM t_carol) AS q;

-- name: mixed_levels_in_one_expression
-- error: SecurityError
SELECT SUM(i * c) AS s FROM t_bob;

-- name: another_asker_same_refusal
-- party: bob
-- error: SecurityError t_alice.m
SELECT id, m FROM t_alice;

-- name: group_by
SELECT k, COUNT(*) AS n FROM t_alice GROUP BY k;

-- name: group_by_over_union
SELECT k, SUM(i) AS s
FROM (SELECT k, i FROM t_alice UNION ALL SELECT k, i FROM t_bob) AS u
GROUP BY k;

-- name: order_by
SELECT id FROM t_alice ORDER BY id;

-- name: order_by_over_union
SELECT id, k FROM (SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob) AS u ORDER BY k, id LIMIT 5;

-- name: explicit_join
SELECT a.id FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: left_join
SELECT COUNT(*) AS n FROM t_alice AS a LEFT JOIN t_carol AS c ON a.k = c.k;

-- name: comma_join
-- a cross join: no longer an error (see join_order.sql)
SELECT COUNT(*) AS n FROM t_alice, t_bob;

-- name: having_without_group_by
SELECT COUNT(*) AS n FROM t_alice HAVING COUNT(*) > 1;

-- name: select_distinct
SELECT DISTINCT k FROM t_alice;

-- name: union_distinct
-- no longer an error (see set_operations.sql)
SELECT id FROM t_alice UNION SELECT id FROM t_bob;

-- name: window_function
-- error: NotSupportedError CUME_DIST
SELECT id, CUME_DIST() OVER (ORDER BY id) AS c FROM t_alice;

-- name: correlated_subquery
-- error: NotSupportedError does not aggregate
SELECT id FROM t_alice AS a WHERE k > (SELECT b.k FROM t_bob AS b WHERE b.id = a.id);

-- name: string_function_under_mpc
-- every step after the scans under MPC, where UPPER has no protocol: refused when
-- planned, naming the function (with pushdown, alice computes it: functions.sql)
-- pushdown: off
-- error: NotSupportedError UPPER()
SELECT UPPER(s) AS loud FROM t_alice;

-- name: string_function_of_two_parties
-- error: NotSupportedError UPPER()
SELECT UPPER(CONCAT(a.s, b.s)) AS loud FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: function_outside_the_owner_list
-- GETENV would run at bob, for alice: only the listed functions run at an owner
-- error: NotSupportedError GETENV
SELECT GETENV('HOME') AS home FROM t_bob;

-- name: function_named_as_written
-- pushdown: off
-- error: NotSupportedError ATAN2()
SELECT ATAN2(k, 2) AS p FROM t_alice;

-- name: date_format_named_as_written
-- error: NotSupportedError DATE_FORMAT()
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE DATE_FORMAT(a.d + b.k, '%Y') = '2000';

-- name: interval_of_two_parties_refused_when_planned
-- catalog: ../../catalogs/types_open.toml
-- the amount is bob's, the date alice's: no protocol, refused before the PSI join runs
-- error: NotSupportedError INTERVAL
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.d + INTERVAL b.k DAY > b.d;

-- name: aggregate_over_a_window
-- no longer an error (once said "window functions together with GROUP BY"): see
-- types_windows.sql
SELECT id, SUM(k) OVER () AS total FROM t_alice;

-- name: misspelt_select
-- error: ProgrammingError 'SELEC' does not begin a statement
SELEC x;

-- name: create_table_as_select
-- error: NotSupportedError tables are not created by queries
CREATE TABLE t AS SELECT 1;

-- name: having_names_the_aggregate
-- error: SecurityError MAX(secret) > 5
SELECT k FROM t_bob GROUP BY k HAVING MAX(secret) > 5;

-- name: condition_names_the_subquery
-- error: SecurityError i > (subquery)
SELECT id FROM t_bob WHERE i > (SELECT AVG(i) FROM t_carol);

-- name: function_on_a_wrong_type
-- error: ProgrammingError UPPER
SELECT UPPER(i) AS loud FROM t_alice;

-- name: unknown_table
-- error: ProgrammingError no_such_table
SELECT id FROM no_such_table;

-- name: unknown_column
-- error: ProgrammingError no_such_column
SELECT no_such_column FROM t_alice;

-- name: unknown_alias
-- error: ProgrammingError unknown table or alias 'a' in 'a.id'
-- (was "unknown column 'id' ... (did you mean 'id'?)": the column exists, the alias not)
SELECT a.id FROM t_alice AS c;

-- name: syntax_error
-- error: ProgrammingError
SELEC id FROM t_alice;

-- name: string_plus_number
-- error: ProgrammingError
SELECT s + 1 AS x FROM t_alice;

-- name: union_of_different_widths
-- error: ProgrammingError
SELECT id, k FROM t_alice UNION ALL SELECT id FROM t_bob;

-- name: group_key_only_after_aggregate
-- i is PLAINTEXT_AFTER_AGGREGATE to alice: grouping by it would show its values
-- error: SecurityError t_bob.i
SELECT i, COUNT(*) AS n FROM t_bob GROUP BY i;

-- name: order_by_aggregate_only_column
-- the order of the rows would rank bob's i for alice
-- error: SecurityError t_bob.i
SELECT id FROM t_bob ORDER BY i;

-- name: join_on_aggregate_only_key
-- i is PLAINTEXT_AFTER_AGGREGATE: which of bob's rows match would show
-- error: SecurityError t_bob.i
SELECT a.id FROM t_alice AS a JOIN t_bob AS b ON a.i = b.i;

-- name: full_outer_join
-- error: NotSupportedError FULL JOIN with a condition
SELECT COUNT(*) AS n FROM t_alice AS a FULL OUTER JOIN t_bob AS b ON a.id = b.id AND a.k < b.k;

-- name: rank_over_aggregate_only_column
-- i is PLAINTEXT_AFTER_AGGREGATE, not REVEAL_RANK: its ranks may not be shown
-- error: SecurityError t_bob.i
SELECT id, RANK() OVER (ORDER BY i) AS r FROM t_bob;

-- A subquery the planner does not take out of an expression would run at one owner,
-- over another party's table: refused before any data moves (builder's last check).
-- name: in_subquery_in_having
-- error: NotSupportedError in HAVING
SELECT k, COUNT(*) AS n FROM t_alice GROUP BY k HAVING k IN (SELECT k FROM t_bob);

-- MySQL's TIMESTAMP is a time in the session's time zone (sqlglot's TIMESTAMPTZ): named
-- as written, with what to write instead (where the engine types it; an owner's own
-- query is its database's to run)
-- name: timestamp_literal_names_datetime
-- pushdown: off
-- error: NotSupportedError DATETIME
SELECT id FROM t_alice WHERE ts < TIMESTAMP '2020-01-01 00:00:00';
