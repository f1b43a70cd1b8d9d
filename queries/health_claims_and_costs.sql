-- catalog: ../catalogs/health.toml
-- party: insurer
-- The insurer compares what hospital stays cost with what it pays out in claims, without
-- seeing a single admission: cost is PLAINTEXT_AFTER_AGGREGATE for the insurer.
SELECT AVG(x) AS mean_amount,
       SUM(x) AS total_amount,
       COUNT(x) AS amounts
FROM (
    SELECT cost AS x FROM patients
    UNION ALL
    SELECT amount AS x FROM claims
) AS amounts;
