-- catalog: ../../catalogs/health.toml
-- party: hospital
-- Questions across the hospital (patients), the insurer (claims) and the bank (accounts)
-- of catalogs/health.toml. Every query here is allowed by the CCL for its asker.

-- name: average_amount_across_hospital_and_insurer
SELECT AVG(x) AS mean_amount, COUNT(x) AS n
FROM (SELECT cost AS x FROM patients UNION ALL SELECT amount AS x FROM claims) AS u;

-- name: three_party_union_sum
-- party: bank
SELECT SUM(x) AS total, MIN(x) AS lo, MAX(x) AS hi
FROM (SELECT cost AS x FROM patients UNION ALL SELECT amount AS x FROM claims
      UNION ALL SELECT balance AS x FROM accounts) AS u;

-- name: elderly_patients_costs
-- party: insurer
SELECT SUM(cost) AS total, AVG(length_of_stay) AS mean_stay, MAX(cost) AS top, COUNT(*) AS n
FROM patients
WHERE age >= 65;

-- name: approved_claims_total
SELECT SUM(amount) AS approved_total, COUNT(*) AS n FROM claims WHERE approved = TRUE;

-- name: denied_claims_count
SELECT COUNT(*) AS n FROM claims WHERE status = 'denied';

-- name: claim_statuses_are_plaintext
SELECT status FROM claims WHERE status IN ('appealed', 'pending');

-- name: claim_statuses_limit
SELECT status FROM claims LIMIT 3;

-- name: mean_and_gross_claims
-- party: bank
SELECT SUM(amount) / COUNT(amount) AS mean_claim,
       SUM(amount) - SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS gross,
       SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS refunds
FROM claims;

-- name: income_statistics
-- party: insurer
SELECT AVG(income) AS mean, MIN(income) AS lo, MAX(income) AS hi,
       SUM(CASE WHEN income < 0 THEN 1 ELSE 0 END) AS losses
FROM accounts;

-- name: overdrawn_flags
-- party: insurer
-- balance is PLAINTEXT_AFTER_COMPARE for the insurer: comparisons may be revealed
SELECT balance < 0 AS overdrawn, balance > 100000 AS rich FROM accounts;

-- name: overdrawn_count
-- party: insurer
SELECT COUNT(*) AS n FROM accounts WHERE balance < 0;

-- name: defaults_count
SELECT COUNT(*) AS n, AVG(income) AS mean_income FROM accounts WHERE defaulted;

-- name: coalesce_missing_values
-- party: insurer
SELECT SUM(COALESCE(age, 0)) AS ages, AVG(COALESCE(cost, 0)) AS mean_cost,
       COUNT(*) - COUNT(age) AS unknown_age
FROM patients;

-- name: long_stay_costs
-- party: insurer
SELECT SUM(CASE WHEN length_of_stay > 7 THEN cost ELSE 0 END) AS long_stay_cost,
       SUM(CASE WHEN length_of_stay <= 7 THEN cost END) AS short_stay_cost,
       AVG(IF(length_of_stay = 0, cost, NULL)) AS day_case_mean
FROM patients;

-- name: claims_in_2022
-- party: bank
SELECT COUNT(*) AS n, SUM(amount) AS total
FROM claims
WHERE claim_date BETWEEN CAST('2022-01-01' AS DATE) AND CAST('2022-12-31' AS DATE);

-- name: claims_filed_since_2023
SELECT COUNT(*) AS n FROM claims WHERE filed_at >= CAST('2023-01-01 00:00:00' AS DATETIME);

-- name: diabetes_and_hypertension_costs
-- party: bank
SELECT AVG(cost) AS mean_cost, COUNT(*) AS n FROM patients WHERE diagnosis IN ('E11', 'I10');

-- name: filtered_union_branches
SELECT AVG(x) AS mean, COUNT(*) AS n
FROM (SELECT cost AS x FROM patients WHERE age > 50
      UNION ALL SELECT amount AS x FROM claims WHERE amount > 0) AS u;

-- name: own_claims_every_column
-- party: insurer
SELECT * FROM claims WHERE claim_id < 5020;

-- name: nothing_over_a_million
-- party: bank
SELECT SUM(amount) AS total, COUNT(*) AS n, AVG(amount) AS mean FROM claims WHERE amount > 1000000;

-- name: income_in_thousands
-- party: hospital
SELECT AVG(income / 1000) AS k_income, SUM(income * 1.1) AS raised, MAX(-income) AS worst_loss
FROM accounts;

-- name: ratio_of_two_parties_totals
-- party: bank
SELECT SUM(x) / SUM(y) AS cost_per_claimed
FROM (SELECT cost AS x, 0 AS y FROM patients UNION ALL SELECT 0 AS x, amount AS y FROM claims) AS u;

-- name: peer_frames_of_a_rank_only_column
-- the twin of health_errors' RANGE offsets over credit scores: peers show only the order
-- party: insurer
SELECT COUNT(*) OVER (ORDER BY credit_score RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS peers,
  RANK() OVER (ORDER BY credit_score) AS r
FROM accounts;
