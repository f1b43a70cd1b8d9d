-- catalog: ../../catalogs/types.toml
-- party: alice
-- Ranking window functions over rows of several parties. id and k are PLAINTEXT
-- (they may be partitioned and ranked); ids are unique within each table.

-- name: row_number_over_union
SELECT id, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 1000 AS id, k FROM t_bob) AS u;

-- name: rank_with_ties
SELECT id, k, RANK() OVER (ORDER BY k) AS r, DENSE_RANK() OVER (ORDER BY k) AS dr
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 1000 AS id, k FROM t_carol) AS u;

-- name: percent_rank_partitioned_desc
-- floats: exact
SELECT id, k, PERCENT_RANK() OVER (PARTITION BY k ORDER BY id DESC) AS pr
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 1000 AS id, k FROM t_bob) AS u;

-- name: window_on_one_partys_table
SELECT id, RANK() OVER (PARTITION BY s ORDER BY k DESC) AS r FROM t_bob;

-- name: window_after_filter
SELECT id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn
FROM (SELECT id, k FROM t_alice WHERE k > 2 UNION ALL SELECT id + 1000 AS id, k FROM t_bob) AS u;
