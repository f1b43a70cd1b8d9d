-- catalog: ../catalogs/health.toml
-- party: hospital
-- Do patients who defaulted at the bank cost the hospital more? defaulted is
-- PLAINTEXT_AFTER_GROUP_BY for the hospital; the bank's income only enters an average.
SELECT a.defaulted, COUNT(*) AS patients, AVG(p.cost) AS mean_cost,
       AVG(a.income) AS mean_income
FROM patients AS p
JOIN accounts AS a ON p.patient_id = a.customer_id
GROUP BY a.defaulted;
