-- catalog: ../../catalogs/health.toml
-- party: hospital
-- CCL refusals and unsupported SQL on catalogs/health.toml.

-- name: compare_only_balance_in_a_union_sum
-- party: insurer
-- error: SecurityError accounts.balance
SELECT SUM(x) AS total
FROM (SELECT cost AS x FROM patients UNION ALL SELECT amount AS x FROM claims
      UNION ALL SELECT balance AS x FROM accounts) AS u;

-- name: encrypted_credit_score
-- error: SecurityError credit_score
SELECT AVG(credit_score) AS mean FROM accounts;

-- name: reveal_rank_is_not_plaintext
-- party: insurer
-- error: SecurityError credit_score
SELECT credit_score FROM accounts;

-- name: encrypted_claim_ids
-- error: SecurityError claim_id
SELECT claim_id FROM claims;

-- name: join_key_without_a_join
-- error: SecurityError patient_id
SELECT patient_id FROM claims;

-- name: group_by_level_without_group_by
-- party: insurer
-- error: SecurityError sex
SELECT sex FROM patients;

-- name: encrypted_column_in_where_under_group_by
-- party: bank
-- smoker is ENCRYPTED_ONLY to the bank: per-group sums would show which rows it selects
-- error: SecurityError smoker
SELECT diagnosis, SUM(cost) AS total FROM patients WHERE smoker GROUP BY diagnosis;

-- name: group_by_diagnosis
-- party: insurer
SELECT diagnosis, AVG(cost) AS mean FROM patients GROUP BY diagnosis;

-- name: join_patients_and_claims
-- party: insurer
SELECT SUM(c.amount) AS total FROM patients AS p JOIN claims AS c ON p.patient_id = c.patient_id;

-- name: join_payload_is_not_revealed_by_a_scalar_subquery
-- party: bank
-- error: SecurityError patients.sex
-- sex is PLAINTEXT_AS_JOIN_PAYLOAD to the bank; a scalar subquery is joined on as a one-
-- row relation, which made every column of the outer query a "join payload" and plain
SELECT sex, (SELECT COUNT(*) FROM accounts) AS n FROM patients;

-- name: join_payload_is_not_revealed_by_a_scalar_subquery_in_where
-- party: bank
-- error: SecurityError patients.sex
SELECT sex FROM patients WHERE age > (SELECT MIN(credit_score) FROM accounts) - 1000;

-- name: range_frame_offsets_show_distances_of_a_rank_only_column
-- the insurer may see the order of credit scores, not how far apart they are: a RANGE
-- frame with an offset counts the scores within a distance of each one
-- party: insurer
-- error: SecurityError distances between values of source column 'accounts.credit_score'
SELECT COUNT(*) OVER (ORDER BY credit_score RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS near
FROM accounts;
