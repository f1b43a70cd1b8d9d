-- catalog: ../catalogs/health.toml
-- party: insurer
-- What do the hospital's patients aged 65 and over cost, and how much of it comes from
-- stays longer than a week? The filter and the CASE run on secret shares; the insurer
-- only learns the totals.
SELECT COUNT(*) AS admissions,
       SUM(cost) AS total_cost,
       SUM(CASE WHEN length_of_stay > 7 THEN cost ELSE 0 END) AS long_stay_cost,
       SUM(CASE WHEN length_of_stay > 7 THEN cost ELSE 0 END) * 100 / SUM(cost) AS long_stay_pct,
       AVG(COALESCE(length_of_stay, 0)) AS mean_stay_days
FROM patients
WHERE age >= 65 AND cost IS NOT NULL;
