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

-- Aggregates and other rows' values over windows, several specifications in one query.
-- i f m d are PLAINTEXT_AFTER_AGGREGATE to the asker on the others' tables: over a whole
-- partition (no ORDER BY) they may be aggregated, as by a GROUP BY of its keys; a
-- running aggregate, LAG/LEAD and FIRST/LAST_VALUE show single rows' values, so they
-- need a plain argument (the asker's own columns, or id k s). ORDER BY keys are unique
-- in each partition where the result depends on the order of peers.

-- name: window_aggregates_own_table
SELECT id, SUM(i) OVER () AS total, COUNT(*) OVER (PARTITION BY k) AS n_k,
       AVG(f) OVER (PARTITION BY k ORDER BY id) AS running_avg,
       MIN(d) OVER (PARTITION BY k) AS first_day, MAX(m) OVER (ORDER BY id DESC) AS top_m,
       COUNT(ts) OVER (PARTITION BY k ORDER BY id) AS n_ts, SUM(m) OVER (ORDER BY k) AS by_k
FROM t_alice;

-- name: window_other_rows_own_table
SELECT id, LAG(i) OVER (ORDER BY id) AS prev_i, LEAD(f, 2) OVER (PARTITION BY k ORDER BY id) AS f2,
       LAG(m, 1, 0) OVER (PARTITION BY k ORDER BY id) AS prev_m,
       LEAD(d, 1) OVER (ORDER BY id) AS next_d,
       FIRST_VALUE(i) OVER (PARTITION BY k ORDER BY id) AS first_i,
       LAST_VALUE(b) OVER (PARTITION BY k ORDER BY id) AS last_b,
       NTILE(4) OVER (ORDER BY id) AS q4, NTILE(3) OVER (PARTITION BY k ORDER BY id) AS t3,
       NTILE(60) OVER (ORDER BY id) AS many
FROM t_alice
WHERE k IS NOT NULL;

-- name: window_partition_aggregates_union
SELECT id, k, SUM(i) OVER (PARTITION BY k) AS si, AVG(m) OVER (PARTITION BY k) AS am,
       MIN(f) OVER (PARTITION BY k) AS lo, MAX(d) OVER (PARTITION BY k) AS hi,
       COUNT(i) OVER (PARTITION BY k) AS ni, COUNT(*) OVER () AS n
FROM (SELECT id, k, i, m, f, d FROM t_alice UNION ALL SELECT id + 1000 AS id, k, i, m, f, d FROM t_bob) AS u;

-- name: window_running_over_union
-- running aggregates and other rows' values of plain columns
SELECT id, SUM(k) OVER (ORDER BY id) AS running_k, COUNT(*) OVER (PARTITION BY k ORDER BY id) AS rn,
       AVG(id) OVER (PARTITION BY k ORDER BY id DESC) AS a, MIN(id) OVER (PARTITION BY k ORDER BY id) AS lo,
       LAG(id, 1, -1) OVER (PARTITION BY k ORDER BY id) AS prev, LEAD(k, 3) OVER (ORDER BY id) AS k3,
       FIRST_VALUE(id) OVER (PARTITION BY k ORDER BY id DESC) AS top,
       LAST_VALUE(k) OVER (ORDER BY id) AS last_k, NTILE(5) OVER (PARTITION BY k ORDER BY id) AS q
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 1000 AS id, k FROM t_carol) AS u;

-- name: window_running_with_peers_union
-- RANGE frame: rows with the same k are peers, each sees the sum up to its last peer
SELECT id, k, SUM(id) OVER (ORDER BY k) AS upto_k, COUNT(*) OVER (ORDER BY k DESC) AS n_ge,
       MAX(id) OVER (ORDER BY k) AS max_upto
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 1000 AS id, k FROM t_bob) AS u;

-- name: window_several_specs_union
SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn, RANK() OVER (PARTITION BY k ORDER BY id DESC) AS r,
       SUM(i) OVER (PARTITION BY s) AS by_s, COUNT(*) OVER () AS n
FROM (SELECT id, k, s, i FROM t_alice UNION ALL SELECT id + 1000 AS id, k, s, i FROM t_carol) AS u;

-- name: window_sum_over_nothing
-- was refused as "window functions together with GROUP BY"
SELECT id, SUM(i) OVER () AS total, AVG(f) OVER () AS mean
FROM (SELECT id, i, f FROM t_bob UNION ALL SELECT id + 1000 AS id, i, f FROM t_carol) AS u;

-- name: window_after_join
SELECT a.id, SUM(b.i) OVER (PARTITION BY a.k) AS si, COUNT(*) OVER (PARTITION BY b.k) AS n,
       LAG(b.k) OVER (ORDER BY a.id) AS prev_bk, ROW_NUMBER() OVER (PARTITION BY a.k ORDER BY b.id) AS rn,
       FIRST_VALUE(a.i) OVER (PARTITION BY b.k ORDER BY a.id) AS own_first
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: window_running_sum_of_an_aggregate_only_column
-- neighbours' differences would show each row's i
-- error: SecurityError t_bob.i
SELECT id, SUM(i) OVER (ORDER BY id) AS running
FROM (SELECT id, i FROM t_alice UNION ALL SELECT id + 1000 AS id, i FROM t_bob) AS u;

-- name: window_lag_of_an_aggregate_only_column
-- error: SecurityError t_bob.i
SELECT id, LAG(i) OVER (ORDER BY id) AS prev
FROM (SELECT id, i FROM t_alice UNION ALL SELECT id + 1000 AS id, i FROM t_bob) AS u;

-- name: window_first_value_of_an_encrypted_column
-- error: SecurityError secret
SELECT id, FIRST_VALUE(secret) OVER (PARTITION BY k ORDER BY id) AS first_secret
FROM (SELECT id, k, secret FROM t_alice UNION ALL SELECT id + 1000 AS id, k, secret FROM t_bob) AS u;

-- name: window_max_of_an_encrypted_column
-- error: SecurityError secret
SELECT id, MAX(secret) OVER (PARTITION BY k) AS top_secret
FROM (SELECT id, k, secret FROM t_alice UNION ALL SELECT id + 1000 AS id, k, secret FROM t_bob) AS u;

-- name: window_with_group_by_not_supported
-- error: NotSupportedError window functions together with GROUP BY
SELECT k, SUM(COUNT(*)) OVER () AS total FROM t_alice GROUP BY k;

-- Window frames written out that mean the engine's frame (sql/window_frames.py): the
-- default RANGE frame, a whole-partition frame of an aggregate or FIRST_VALUE, any frame
-- of a ranking; sliding ROWS frames (with ORDER BY) of SUM, COUNT, AVG, MIN and MAX run
-- as such, and RANGE frames from the current row (with offsets: at the owner only);
-- other frames are refused by name.

-- name: frame_default_range_own_table
SELECT id, SUM(i) OVER (PARTITION BY k ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM t_alice;

-- name: frame_whole_partition_aggregates_own_table
SELECT id, SUM(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS s,
  COUNT(*) OVER (PARTITION BY k ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n FROM t_alice;

-- name: frame_of_a_ranking_and_first_value
SELECT id, ROW_NUMBER() OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS r,
  FIRST_VALUE(k) OVER (PARTITION BY s ORDER BY id ROWS UNBOUNDED PRECEDING) AS f FROM t_alice;

-- name: frame_whole_partition_over_union
SELECT u.id, SUM(u.k) OVER (PARTITION BY u.s ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS s
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id, k, s FROM t_bob) AS u;

-- name: frame_whole_partition_after_join
SELECT a.id, MAX(b.k) OVER (PARTITION BY a.s ORDER BY a.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS m
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- Sliding ROWS frames. Under MPC SUM and COUNT are differences of prefix sums at rows a
-- public distance away (clipped to the partition), MIN and MAX of a bounded frame a
-- segmented scan over every row's candidates. The ORDER BY keys are unique (a ROWS
-- frame over peers has no one answer).

-- name: frame_sliding_sums_own_table
SELECT id, SUM(i) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s2,
  SUM(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS s21,
  COUNT(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) AS c13,
  AVG(f) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS a31,
  COUNT(*) OVER (PARTITION BY k ORDER BY id ROWS 2 PRECEDING) AS n2,
  SUM(m) OVER (PARTITION BY s ORDER BY id DESC ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS mrest,
  SUM(i) OVER (ORDER BY k, id ROWS UNBOUNDED PRECEDING) AS running,
  AVG(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING) AS au2
FROM t_alice;

-- A bound of 0 rows after one on the same side: an empty frame in DuckDB, written back
-- into the owner's SQL as "0 FOLLOWING" (PostgreSQL and DuckDB refuse "3 FOLLOWING AND
-- CURRENT ROW"; seed 1:0 of the random tester)
-- name: frame_empty_zero_bound_after_the_same_side
SELECT id, MAX(k) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 0 FOLLOWING) AS f,
  SUM(i) OVER (ORDER BY id ROWS BETWEEN 0 PRECEDING AND 2 PRECEDING) AS p,
  COUNT(*) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 0 FOLLOWING) AS c,
  SUM(i) OVER (ORDER BY id ROWS BETWEEN 0 FOLLOWING AND 1 FOLLOWING) AS z
FROM t_alice;

-- name: frame_empty_zero_bound_after_a_join
SELECT a.id, MIN(b.k) OVER (ORDER BY a.id ROWS BETWEEN 2 FOLLOWING AND 0 FOLLOWING) AS f
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: frame_sliding_extremes_own_table
SELECT id, MIN(i) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS lo,
  MAX(f) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS hi,
  MIN(d) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING) AS dl,
  MAX(m) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) AS mm,
  MAX(b) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS bb,
  MIN(ts) OVER (PARTITION BY s ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 5 FOLLOWING) AS t35
FROM t_alice;

-- name: frame_sliding_over_union
SELECT u.id, SUM(u.k) OVER (PARTITION BY u.s ORDER BY u.id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS s,
  MIN(u.k) OVER (ORDER BY u.id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS lo,
  MAX(u.id) OVER (PARTITION BY u.k ORDER BY u.id ROWS BETWEEN 3 FOLLOWING AND UNBOUNDED FOLLOWING) AS hi,
  COUNT(u.k) OVER (ORDER BY u.id DESC ROWS BETWEEN 4 PRECEDING AND 2 PRECEDING) AS n
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 100, k, s FROM t_bob) AS u;

-- name: frame_sliding_of_every_type_over_union
-- catalog: ../../catalogs/types_open.toml
SELECT u.id, SUM(u.i) OVER (ORDER BY u.id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS si,
  AVG(u.m) OVER (PARTITION BY u.k ORDER BY u.id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS am,
  MAX(u.f) OVER (PARTITION BY u.k ORDER BY u.id ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) AS mf,
  MIN(u.d) OVER (ORDER BY u.id ROWS BETWEEN UNBOUNDED PRECEDING AND 3 FOLLOWING) AS md,
  MAX(u.ts) OVER (PARTITION BY u.s ORDER BY u.id ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING) AS mt
FROM (SELECT id, k, s, i, m, f, d, ts FROM t_alice UNION ALL
      SELECT id + 100, k, s, i, m, f, d, ts FROM t_carol) AS u;

-- name: frame_sliding_after_join
SELECT a.id, SUM(a.k + b.k) OVER (ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS s,
  AVG(b.k) OVER (PARTITION BY a.k ORDER BY a.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r,
  MIN(b.id) OVER (PARTITION BY b.s ORDER BY a.id ROWS BETWEEN 2 PRECEDING AND 0 FOLLOWING) AS lo
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: frame_sliding_after_join_of_aggregate_only_values
-- catalog: ../../catalogs/types_open.toml
SELECT a.id, SUM(a.i * b.i) OVER (PARTITION BY b.k ORDER BY a.id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS s,
  MAX(b.f) OVER (ORDER BY b.id ROWS BETWEEN 2 FOLLOWING AND 4 FOLLOWING) AS mf
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- RANGE frames from the current row's first peer: to its last peer, or to the
-- partition's end (under MPC: the prefix before the first peer, copied over the peers)

-- name: frame_range_from_the_current_row_own_table
SELECT id, SUM(i) OVER (PARTITION BY s ORDER BY k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest,
  COUNT(*) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS peers,
  AVG(f) OVER (ORDER BY k DESC RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS pa,
  MIN(d) OVER (PARTITION BY s ORDER BY k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS md,
  MAX(m) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS mm
FROM t_alice;

-- name: frame_range_from_the_current_row_over_union
SELECT u.id, SUM(u.id) OVER (PARTITION BY u.s ORDER BY u.k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest,
  MAX(u.id) OVER (ORDER BY u.k RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS top,
  MIN(u.k) OVER (PARTITION BY u.s ORDER BY u.k DESC RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS lo
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 100, k, s FROM t_bob) AS u;

-- name: frame_range_from_the_current_row_after_join
SELECT a.id, COUNT(b.k) OVER (ORDER BY a.k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS n,
  SUM(a.k + b.k) OVER (PARTITION BY b.s ORDER BY a.k RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS s
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: frame_wide_bounded_extreme_runs_at_the_owner
-- every row's frame is scanned as rows of its own under MPC: at most 64 rows there
-- secure-error: NotSupportedError more than 64 rows
SELECT id, MAX(i) OVER (ORDER BY id ROWS BETWEEN 40 PRECEDING AND 40 FOLLOWING) AS m FROM t_alice;

-- name: frame_inverted_is_empty
-- a frame that starts after its end has no rows: SUM NULL, COUNT 0
SELECT id, SUM(k) OVER (PARTITION BY s ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 1 FOLLOWING) AS s,
  COUNT(*) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 3 PRECEDING) AS c,
  MAX(k) OVER (ORDER BY id ROWS BETWEEN 4 FOLLOWING AND 1 FOLLOWING) AS m,
  LAST_VALUE(k) OVER (ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 1 FOLLOWING) AS l,
  NTH_VALUE(k, 1) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 5 PRECEDING) AS n
FROM t_alice;

-- name: frame_inverted_to_the_current_row_is_empty
-- DuckDB reads the bounds as written: 3 FOLLOWING AND 0 FOLLOWING and 0 PRECEDING AND
-- 1 PRECEDING are frames that start after their end (fuzz 50104:383), not errors
SELECT u.id, SUM(u.k) OVER (ORDER BY u.id ROWS BETWEEN 3 FOLLOWING AND 0 FOLLOWING) AS s,
  COUNT(*) OVER (PARTITION BY u.s ORDER BY u.id ROWS BETWEEN 0 PRECEDING AND 1 PRECEDING) AS c,
  MIN(u.k) OVER (ORDER BY u.id ROWS BETWEEN 1 FOLLOWING AND 0 FOLLOWING) AS m,
  FIRST_VALUE(u.k) OVER (ORDER BY u.id ROWS BETWEEN 2 FOLLOWING AND 0 FOLLOWING) AS f,
  SUM(u.k) OVER (ORDER BY u.id ROWS BETWEEN 0 FOLLOWING AND 0 FOLLOWING) AS here
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 100, k, s FROM t_bob) AS u;

-- name: frame_from_following_to_the_current_row
-- error: ProgrammingError cannot end before it
SELECT id, SUM(k) OVER (ORDER BY id ROWS BETWEEN 0 FOLLOWING AND CURRENT ROW) AS s FROM t_alice;

-- name: frame_from_following_to_preceding
-- error: ProgrammingError cannot end before it
SELECT id, SUM(k) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING) AS s FROM t_alice;

-- name: frame_rows_without_order_refused
-- a ROWS frame over rows in no order has no one answer
-- error: NotSupportedError window frame
SELECT id, SUM(i) OVER (PARTITION BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t_alice;

-- name: frame_range_with_offsets_runs_at_the_owner
-- the rows whose key is within the offsets of the current row's: only the owner's
-- database computes them
-- secure-error: NotSupportedError runs only in the owner's database
SELECT id, SUM(i) OVER (ORDER BY k RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS s,
  COUNT(*) OVER (PARTITION BY s ORDER BY i DESC RANGE BETWEEN 100 PRECEDING AND 50 FOLLOWING) AS c,
  MAX(f) OVER (ORDER BY f RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING) AS m,
  AVG(m) OVER (ORDER BY m RANGE BETWEEN CURRENT ROW AND 1000 FOLLOWING) AS a
FROM t_alice;

-- name: frame_range_with_an_offset_over_dates_refused
-- error: NotSupportedError numeric ORDER BY key
SELECT id, SUM(i) OVER (ORDER BY d RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t_alice;

-- name: frame_range_with_an_offset_over_two_keys_refused
-- error: NotSupportedError exactly one ORDER BY key
SELECT id, SUM(i) OVER (ORDER BY k, id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t_alice;

-- name: frame_range_with_an_offset_over_union_refused
-- error: NotSupportedError runs only in the owner's database
SELECT u.id, SUM(u.k) OVER (ORDER BY u.id RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS s
FROM (SELECT id, k FROM t_alice UNION ALL SELECT id + 100, k FROM t_bob) AS u;

-- name: frame_sliding_sum_of_an_aggregate_only_column
-- a one-row frame is the row's value
-- error: SecurityError t_bob.i
SELECT id, SUM(i) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING) AS prev
FROM (SELECT id, i FROM t_alice UNION ALL SELECT id + 1000 AS id, i FROM t_bob) AS u;

-- NTH_VALUE(x, n): the n-th row of the frame (the default one, or the whole partition)

-- name: nth_value_own_table
SELECT id, NTH_VALUE(i, 2) OVER (PARTITION BY k ORDER BY id) AS n2,
  NTH_VALUE(f, 3) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n3,
  NTH_VALUE(d, 1) OVER (PARTITION BY k) AS n1,
  NTH_VALUE(b, 4) OVER (PARTITION BY s ORDER BY id DESC) AS nb
FROM t_alice;

-- name: nth_value_of_a_string_runs_at_the_owner
-- secure-error: NotSupportedError of a string column across parties
SELECT id, NTH_VALUE(s, 2) OVER (ORDER BY id) AS ns FROM t_alice;

-- name: nth_value_over_union
SELECT u.id, NTH_VALUE(u.k, 2) OVER (PARTITION BY u.s ORDER BY u.id) AS n2,
  NTH_VALUE(u.id, 5) OVER (PARTITION BY u.k ORDER BY u.id RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n5
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 100, k, s FROM t_bob) AS u;

-- name: nth_value_after_join
SELECT a.id, NTH_VALUE(b.id, 2) OVER (PARTITION BY a.k ORDER BY a.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n2,
  NTH_VALUE(a.k + b.k, 3) OVER (ORDER BY b.id) AS n3
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: nth_value_of_an_aggregate_only_column
-- error: SecurityError t_bob.i
SELECT id, NTH_VALUE(i, 2) OVER (ORDER BY id) AS second
FROM (SELECT id, i FROM t_alice UNION ALL SELECT id + 1000 AS id, i FROM t_bob) AS u;

-- name: nth_value_of_row_zero
-- error: ProgrammingError NTH_VALUE counts rows from 1
SELECT id, NTH_VALUE(i, 0) OVER (ORDER BY id) AS x FROM t_alice;

-- FIRST_VALUE, LAST_VALUE and NTH_VALUE over ROWS frames: NULL where the frame is empty
-- or short (FIRST_VALUE over UNBOUNDED PRECEDING AND 1 PRECEDING is NULL on the first
-- row: that frame is no other way of writing the partition's first row)

-- name: frame_values_own_table
SELECT id, FIRST_VALUE(i) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS f0,
  FIRST_VALUE(f) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS f1,
  LAST_VALUE(d) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS l1,
  LAST_VALUE(m) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS l2,
  NTH_VALUE(i, 2) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS n2,
  NTH_VALUE(b, 3) OVER (PARTITION BY s ORDER BY id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS n3,
  NTH_VALUE(ts, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 3 PRECEDING) AS n4,
  FIRST_VALUE(k) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) AS f5
FROM t_alice;

-- name: frame_values_over_union
SELECT u.id, FIRST_VALUE(u.k) OVER (PARTITION BY u.s ORDER BY u.id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS f,
  LAST_VALUE(u.id) OVER (PARTITION BY u.k ORDER BY u.id ROWS BETWEEN 1 FOLLOWING AND 4 FOLLOWING) AS l,
  NTH_VALUE(u.k, 3) OVER (ORDER BY u.id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS n
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 100, k, s FROM t_bob) AS u;

-- name: frame_values_after_join
SELECT a.id, LAST_VALUE(b.k) OVER (ORDER BY a.id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS l,
  NTH_VALUE(a.k + b.k, 2) OVER (PARTITION BY b.s ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) AS n,
  FIRST_VALUE(b.id) OVER (PARTITION BY a.k ORDER BY a.id ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) AS f
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: frame_values_with_ranges_refused
-- error: NotSupportedError window frame
SELECT id, LAST_VALUE(i) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS x FROM t_alice;

-- A NULL that LAG/LEAD or arithmetic computed under MPC keeps a value of some row under
-- its NULL bit (fuzz 30014:24): the secure ORDER BY (kept under MPC by a LIMIT) sorted
-- the NULLs by it instead of by the next key, and the NULLs of a window's PARTITION BY or
-- ORDER BY key were not one partition or one run of peers.

-- name: lead_nulls_tie_in_order_by_limit_own_table
SELECT id, LEAD(k, 2) OVER (PARTITION BY s ORDER BY id) AS k2 FROM t_alice
ORDER BY k2, id LIMIT 6;

-- name: lead_nulls_tie_in_order_by_limit_union
SELECT id, s, LEAD(k, 2) OVER (PARTITION BY s ORDER BY id) AS k2
FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 1000 AS id, k, s FROM t_bob) AS u
ORDER BY k2, id LIMIT 8;

-- name: computed_nulls_tie_in_order_by_limit_after_join
SELECT a.id, a.k + b.k AS kk, LEAD(b.s) OVER (PARTITION BY a.k ORDER BY a.id) AS next_bs
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id ORDER BY next_bs, kk, a.id LIMIT 6;

-- name: computed_nulls_one_partition_and_peers_after_join
SELECT a.id, ROW_NUMBER() OVER (PARTITION BY a.k + b.k ORDER BY a.id) AS rn,
       RANK() OVER (ORDER BY a.k - b.k) AS r
FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id;

-- name: lead_nulls_one_partition_union
SELECT id, ROW_NUMBER() OVER (PARTITION BY k2 ORDER BY id) AS rn
FROM (SELECT id, LEAD(k, 2) OVER (PARTITION BY s ORDER BY id) AS k2
      FROM (SELECT id, k, s FROM t_alice UNION ALL SELECT id + 1000 AS id, k, s FROM t_carol) AS u) AS w;

-- A window over no rows (fuzz 50153:491: the bool came back as a ring word, and the
-- comparison above it failed): each function's column keeps its type's form.
-- name: windows_over_no_rows_union
SELECT COUNT(*) AS n FROM (
  SELECT LAST_VALUE(p) OVER (PARTITION BY k ORDER BY id) AS lp,
         LAG(s) OVER (ORDER BY id) AS ls
  FROM (SELECT id, k, s, k > 2 AS p FROM t_alice WHERE k > 1000
        UNION ALL SELECT id + 1000 AS id, k, s, k > 2 AS p FROM t_bob WHERE k > 1000) AS u
) AS w WHERE lp = FALSE OR ls = 'a';
