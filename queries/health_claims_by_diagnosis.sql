-- catalog: ../catalogs/health.toml
-- party: insurer
-- Average claim per diagnosis across the hospital's patients and the insurer's claims,
-- largest first, top 10. The two tables are joined by PSI on patient_id (each side may
-- learn the matching ids: PLAINTEXT_AFTER_JOIN); diagnosis is PLAINTEXT for the insurer.
-- (Were it PLAINTEXT_AFTER_GROUP_BY, the group size threshold would be refused here: a
-- patient with several claims is several rows of the join, so a group could pass it
-- with fewer patients than the threshold.)
SELECT p.diagnosis, COUNT(*) AS claims, AVG(c.amount) AS mean_claim
FROM patients AS p
JOIN claims AS c ON p.patient_id = c.patient_id
GROUP BY p.diagnosis
HAVING COUNT(*) >= 4
ORDER BY mean_claim DESC, p.diagnosis
LIMIT 10;
