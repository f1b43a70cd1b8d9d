-- catalog: ../../catalogs/types.toml
-- party: alice
-- FULL OUTER JOIN: the LEFT join, then the right rows without a partner, left columns
-- NULL. On the asker's own table, over a UNION ALL across parties, and across parties.

-- name: full_join_own_table
SELECT a.id, b.id AS bid, b.k FROM t_alice AS a FULL JOIN t_alice AS b ON a.id = b.k;

-- name: full_join_across_parties
SELECT a.id, b.id AS bid FROM t_alice AS a FULL OUTER JOIN t_bob AS b ON a.id = b.id;

-- name: full_join_null_and_duplicate_keys
SELECT a.id, c.id AS cid FROM t_alice AS a FULL JOIN t_carol AS c ON a.k = c.k WHERE a.id < 6 OR a.id IS NULL;

-- name: full_join_on_conditions_gate_each_side
SELECT COUNT(*) AS n, COUNT(a.k) AS ak, COUNT(c.k) AS ck FROM t_alice AS a FULL JOIN t_carol AS c ON a.k = c.k AND c.id > 90 AND a.id < 20;

-- name: full_join_where_above_the_join
SELECT a.id, b.id AS bid FROM t_alice AS a FULL JOIN t_bob AS b ON a.id = b.id WHERE b.id > 70 OR a.id < 3;

-- name: full_join_of_a_union
SELECT a.id, u.id AS uid FROM t_alice AS a FULL JOIN (SELECT id FROM t_bob WHERE id < 40 UNION ALL SELECT id FROM t_carol WHERE id > 95) AS u ON a.id = u.id;

-- name: full_join_aggregated
SELECT COALESCE(a.k, b.k) AS k, COUNT(*) AS n, SUM(b.i) AS si FROM t_alice AS a FULL JOIN t_bob AS b ON a.id = b.id GROUP BY COALESCE(a.k, b.k);

-- name: full_join_after_inner_join
SELECT a.id, b.id AS bid, c.id AS cid FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id FULL JOIN t_carol AS c ON b.id = c.id;

-- name: full_join_payload_refused
-- error: SecurityError t_bob.i
SELECT a.id, b.i FROM t_alice AS a FULL JOIN t_bob AS b ON a.id = b.id;
