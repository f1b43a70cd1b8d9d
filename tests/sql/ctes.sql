-- catalog: ../../catalogs/types.toml
-- party: alice
-- WITH: common table expressions, inlined as the subqueries they abbreviate; on the
-- asker's own table, over a UNION ALL across parties, and after a cross-party join.

-- name: cte_own_table
WITH big AS (SELECT id, k, i FROM t_alice WHERE i > 0)
SELECT id, k FROM big WHERE k > 1;

-- name: cte_column_names
WITH c(a, b) AS (SELECT id, k FROM t_alice)
SELECT a, b FROM c WHERE b IS NOT NULL;

-- name: cte_used_twice_self_join
WITH c AS (SELECT id, k FROM t_alice)
SELECT x.id, y.k FROM c AS x JOIN c AS y ON x.id = y.id WHERE x.k > 2;

-- name: cte_nested
WITH a AS (SELECT id, k FROM t_alice WHERE id < 40), b AS (SELECT id, k FROM a WHERE k > 1)
SELECT COUNT(*) AS n, SUM(k) AS sk FROM b;

-- name: cte_over_union
WITH u AS (SELECT id, k, i FROM t_alice UNION ALL SELECT id, k, i FROM t_bob UNION ALL SELECT id, k, i FROM t_carol)
SELECT k, COUNT(*) AS n, SUM(i) AS si FROM u GROUP BY k;

-- name: cte_union_used_twice
WITH u AS (SELECT id, k FROM t_bob UNION ALL SELECT id, k FROM t_carol)
SELECT COUNT(*) AS n FROM t_alice AS a WHERE a.k IN (SELECT k FROM u) AND a.id > (SELECT MIN(id) FROM u);

-- name: cte_after_join
WITH j AS (SELECT a.id, a.k, b.i FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id)
SELECT k, COUNT(*) AS n, SUM(i) AS si FROM j GROUP BY k;

-- name: cte_join_of_two_ctes
WITH a AS (SELECT id, k FROM t_alice), c AS (SELECT id, i FROM t_carol)
SELECT COUNT(*) AS n, SUM(c.i) AS si FROM a JOIN c ON a.k = c.id;

-- name: cte_inner_with_shadows
WITH c AS (SELECT id FROM t_bob)
SELECT COUNT(*) AS n FROM (WITH c AS (SELECT id FROM t_carol) SELECT id FROM c) AS x WHERE x.id > 70;

-- name: cte_secret_refused
-- error: SecurityError secret
WITH c AS (SELECT id, secret FROM t_bob)
SELECT secret FROM c;

-- name: cte_recursive_refused
-- error: NotSupportedError WITH RECURSIVE
WITH RECURSIVE r AS (SELECT id FROM t_alice) SELECT id FROM r;
