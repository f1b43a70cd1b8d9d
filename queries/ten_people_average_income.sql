-- catalog: ../catalogs/ten_people.toml
-- party: judy
-- The average income of ten people, each their own party; judy (a data party) asks.
-- The three computing parties learn only how many rows each party shared.
SELECT AVG(income) AS avg_income, COUNT(*) AS people
FROM (
    SELECT income FROM alice_income
    UNION ALL
    SELECT income FROM bob_income
    UNION ALL
    SELECT income FROM carol_income
    UNION ALL
    SELECT income FROM dave_income
    UNION ALL
    SELECT income FROM erin_income
    UNION ALL
    SELECT income FROM frank_income
    UNION ALL
    SELECT income FROM grace_income
    UNION ALL
    SELECT income FROM heidi_income
    UNION ALL
    SELECT income FROM ivan_income
    UNION ALL
    SELECT income FROM judy_income
) AS incomes;
