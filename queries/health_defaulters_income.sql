-- catalog: ../catalogs/health.toml
-- party: hospital
-- The hospital asks the bank's data: how many accounts defaulted, and their average
-- income and balance. defaulted may only select rows (PLAINTEXT_AFTER_GROUP_BY); income
-- and balance are revealed only as aggregates.
SELECT COUNT(*) AS defaulted_accounts,
       AVG(income) AS mean_income,
       AVG(balance) AS mean_balance,
       MIN(income) AS lowest_income
FROM accounts
WHERE defaulted;
