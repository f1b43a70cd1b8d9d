-- catalog: ../catalogs/demo.toml
-- The average income over three parties' tables. The sum and the count are computed
-- on secret shares; only the asker (by default the first party) learns the average,
-- and no party sees another party's rows.
SELECT AVG(income) AS avg_income
FROM (
    SELECT income FROM alice_income
    UNION ALL
    SELECT income FROM bob_income
    UNION ALL
    SELECT income FROM carol_income
) AS incomes;
