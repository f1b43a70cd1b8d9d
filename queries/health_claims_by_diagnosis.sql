-- catalog: ../catalogs/health.toml
-- party: insurer
-- Average claim per diagnosis across the hospital's patients and the insurer's claims,
-- largest first, top 10. The two tables are joined by PSI on patient_id (each side may
-- learn the matching ids: PLAINTEXT_AFTER_JOIN); diagnosis is PLAINTEXT_AFTER_GROUP_BY
-- for the insurer, so it may group by it without seeing any patient's diagnosis; groups
-- of fewer than 4 rows would be left out anyway (the default group size threshold).
SELECT p.diagnosis, COUNT(*) AS claims, AVG(c.amount) AS mean_claim
FROM patients AS p
JOIN claims AS c ON p.patient_id = c.patient_id
GROUP BY p.diagnosis
HAVING COUNT(*) >= 4
ORDER BY mean_claim DESC, p.diagnosis
LIMIT 10;
