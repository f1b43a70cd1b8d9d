-- catalog: ../../catalogs/types.toml
-- party: alice
-- Joins across parties. id and k are PLAINTEXT to everyone, so the planner may use
-- PSI; the same joins run as secret joins in the secure mode (pushdown off) and over
-- keys computed under MPC. ids overlap between neighbours (1-50, 26-75, 51-100); k has
-- duplicates and NULLs.

-- name: inner_join_on_id_two_parties
SELECT a.id, a.k, b.k AS bk FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: inner_join_aggregate_payload
SELECT COUNT(*) AS n, SUM(b.i) AS si, AVG(a.m) AS am
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: left_join_keeps_unmatched
SELECT a.id, b.id AS bid FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id;

-- name: right_join_keeps_unmatched
SELECT a.id AS aid, c.id FROM t_alice AS a RIGHT JOIN t_carol AS c ON a.id = c.id;

-- name: join_with_where_on_both_sides
SELECT a.id, b.s FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE a.k > 1 AND b.k < 8;

-- name: join_then_group_by
SELECT a.k, COUNT(*) AS n, SUM(b.i) AS si
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
GROUP BY a.k;

-- name: comma_join_with_where_key
SELECT COUNT(*) AS n FROM t_alice AS a, t_carol AS c WHERE a.id = c.id;

-- name: join_on_duplicated_keys
SELECT COUNT(*) AS n, SUM(a.id) AS sa FROM t_alice AS a JOIN t_bob AS b ON a.k = b.k;

-- name: join_on_string_keys
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.s = b.s;

-- name: join_on_two_keys
SELECT a.id, a.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id AND a.k = b.k;

-- name: three_party_join
SELECT COUNT(*) AS n, SUM(c.i) AS si
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id JOIN t_carol AS c ON b.id = c.id;

-- name: self_join_local
SELECT COUNT(*) AS n FROM t_alice AS x JOIN t_alice AS y ON x.k = y.k;

-- name: join_after_union
SELECT COUNT(*) AS n, SUM(u.i) AS si
FROM (SELECT id, i FROM t_alice UNION ALL SELECT id, i FROM t_carol) AS u
JOIN t_bob AS b ON u.id = b.id;

-- name: join_no_matches
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_carol AS c ON a.id = c.id + 1000;

-- name: join_order_by_limit
SELECT a.id, b.k FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id ORDER BY a.id DESC LIMIT 5;

-- name: secret_join_on_compare_only_keys
-- c is PLAINTEXT_AFTER_COMPARE, not AFTER_JOIN: no PSI; a secret join (many-to-many)
SELECT COUNT(*) AS n, SUM(b.i) AS si FROM t_alice AS a JOIN t_bob AS b ON a.c = b.c;

-- name: secret_join_pk_fk_on_encrypted_keys
-- secret is ENCRYPTED_ONLY: joined obliviously, only the aggregate is revealed
SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_carol AS c ON a.secret = c.secret;

-- name: left_join_with_conditions_on_both_inputs_in_on
-- a.k > 3 decides whether a left row may match (it is output either way)
SELECT a.id, b.id AS bid, b.k AS bk
FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id AND a.k > 3 AND b.k < 8;

-- name: right_join_with_a_left_condition_in_on
SELECT a.id AS aid, c.id
FROM t_alice AS a RIGHT JOIN t_carol AS c ON a.id = c.id AND c.k <> 2;

-- name: group_by_the_left_owners_keys_after_psi
-- alice groups its own rows (it knows their keys after the PSI join): no sort
SELECT a.k, a.s, COUNT(*) AS n, SUM(b.i) AS si, AVG(b.f) AS af, COUNT(b.m) AS nm
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
GROUP BY a.k, a.s;

-- name: group_by_the_right_owners_expression_after_left_join
SELECT c.k % 2 AS parity, COUNT(*) AS n, SUM(a.i) AS si
FROM t_alice AS a LEFT JOIN t_carol AS c ON a.id = c.id
GROUP BY c.k % 2;

-- name: group_by_after_psi_with_having_and_order
SELECT b.k, SUM(a.m) AS sm, COUNT(*) AS n
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
GROUP BY b.k
HAVING COUNT(*) > 1
ORDER BY sm DESC, b.k;

-- name: group_by_owner_keys_after_psi_and_where
SELECT a.k, COUNT(*) AS n, SUM(b.i) AS si
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id
WHERE b.c > 0 OR a.k = 2
GROUP BY a.k;

-- name: many_to_many_secret_join_by_expansion
-- c repeats on both sides (24 values on 50 rows per table); four tables' rows a side
-- make 40,000 row pairs, above the all-pairs size: the join expands to its 859 rows
SELECT COUNT(*) AS n, SUM(a.i) AS sa, SUM(b.i) AS sb, COUNT(b.f) AS nf
FROM (SELECT c, i FROM t_alice UNION ALL SELECT c, i FROM t_bob
      UNION ALL SELECT c, i FROM t_carol UNION ALL SELECT c, i FROM t_alice) AS a
JOIN (SELECT c, i, f FROM t_bob UNION ALL SELECT c, i, f FROM t_carol
      UNION ALL SELECT c, i, f FROM t_alice UNION ALL SELECT c, i, f FROM t_bob) AS b
  ON a.c = b.c;

-- name: many_to_many_secret_left_join_by_expansion
-- the left rows without a partner (no equal c, or a NULL c) come once, with NULLs
SELECT COUNT(*) AS n, COUNT(b.i) AS nb, SUM(b.i) AS sb, SUM(a.i) AS sa
FROM (SELECT c, i FROM t_alice UNION ALL SELECT c, i FROM t_bob
      UNION ALL SELECT c, i FROM t_carol UNION ALL SELECT c, i FROM t_alice) AS a
LEFT JOIN (SELECT c, i FROM t_bob WHERE k > 2 UNION ALL SELECT c, i FROM t_carol
           UNION ALL SELECT c, i FROM t_alice UNION ALL SELECT c, i FROM t_bob) AS b
  ON a.c = b.c;

-- name: many_to_many_join_of_the_askers_own_rows
SELECT COUNT(*) AS n, SUM(a.i) AS sa, SUM(b.i) AS sb
FROM t_alice AS a JOIN t_alice AS b ON a.c = b.c;
