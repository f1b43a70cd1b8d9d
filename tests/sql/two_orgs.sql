-- catalog: ../../catalogs/two_orgs.toml
-- party: bank
-- Two organisations and a compute-only helper (catalogs/two_orgs.toml): either
-- organisation asks; the helper may ask nothing of their data.

-- name: bank_asks_spend_of_shared_customers
SELECT COUNT(*) AS purchases, SUM(amount) AS spent, AVG(amount) AS mean
FROM customers JOIN purchases ON customers.customer_id = purchases.customer_id;

-- name: bank_asks_spend_by_category_of_low_scores
SELECT category, SUM(amount) AS spent, COUNT(*) AS n
FROM customers JOIN purchases ON customers.customer_id = purchases.customer_id
WHERE credit_score IS NOT NULL GROUP BY category ORDER BY category;

-- name: retailer_asks_income_of_its_buyers
-- party: retailer
SELECT AVG(income) AS mean_income, COUNT(*) AS n
FROM customers JOIN purchases ON customers.customer_id = purchases.customer_id
WHERE credit_score >= 600;

-- name: retailer_asks_total_of_both_sides
-- party: retailer
SELECT SUM(x) AS total FROM (SELECT income AS x FROM customers
                             UNION ALL SELECT amount AS x FROM purchases) AS u;

-- name: helper_asks_for_an_aggregate
-- party: helper
-- error: SecurityError ENCRYPTED_ONLY
SELECT SUM(amount) AS s FROM purchases;

-- name: helper_asks_for_a_join_count
-- party: helper
-- A size, which every computing party learns of any join of the two (as in SCQL,
-- sizes are not protected; EXPLAIN lists it): no column value
SELECT COUNT(*) AS n FROM customers JOIN purchases
ON customers.customer_id = purchases.customer_id;
