-- catalog: ../catalogs/health.toml
-- party: bank
-- Money in all three parties' tables at once: hospital costs, insurance claims (refunds
-- are negative) and bank balances (overdrafts are negative). Each owner shares its
-- column; the three-party sum and count run under MPC.
SELECT SUM(x) AS total,
       COUNT(*) AS amounts,
       SUM(CASE WHEN x < 0 THEN 1 ELSE 0 END) AS negative_amounts,
       MAX(x) AS largest
FROM (
    SELECT cost AS x FROM patients WHERE cost IS NOT NULL
    UNION ALL
    SELECT amount AS x FROM claims
    UNION ALL
    SELECT balance AS x FROM accounts
) AS money;
