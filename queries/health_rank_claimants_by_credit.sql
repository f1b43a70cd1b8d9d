-- catalog: ../catalogs/health.toml
-- party: insurer
-- The insurer ranks its approved claims by the claimant's credit score at the bank:
-- credit_score is REVEAL_RANK for the insurer, so it sees the rank, never the score.
SELECT c.claim_id, c.amount,
       RANK() OVER (ORDER BY a.credit_score DESC) AS credit_rank
FROM claims AS c
JOIN accounts AS a ON c.patient_id = a.customer_id
WHERE c.approved
ORDER BY credit_rank, c.claim_id
LIMIT 15;
