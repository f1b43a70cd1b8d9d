-- catalog: parties/five.toml
-- party: dave
-- Federations of more than three parties (tests/sql/parties): alice, bob and carol
-- compute, dave and erin are data parties (five.toml); in four.toml alice is the data
-- party and dave, bob, carol compute. Data parties ask (their result is opened to them
-- alone) and computing parties ask; data parties' rows are shared in.

-- name: data_party_asks_union_with_computing_owner
SELECT AVG(age) AS mean_age, COUNT(*) AS n, SUM(age) AS total
FROM (SELECT age FROM a_people UNION ALL SELECT age FROM d_people) AS u;

-- name: computing_party_asks_union_of_data_parties
-- party: alice
SELECT SUM(x) AS total, MIN(x) AS lo, MAX(x) AS hi, COUNT(x) AS n
FROM (SELECT age AS x FROM d_people UNION ALL SELECT amount AS x FROM e_orders) AS u;

-- name: data_party_asks_psi_with_computing_owner
SELECT COUNT(*) AS n, SUM(cost) AS total
FROM d_people JOIN b_visits ON d_people.id = b_visits.id;

-- name: psi_between_two_data_parties_asked_by_one
-- party: erin
SELECT COUNT(*) AS n, SUM(amount) AS total, AVG(age) AS mean_age
FROM d_people JOIN e_orders ON d_people.id = e_orders.id;

-- name: psi_between_two_data_parties_asked_by_computing
-- party: bob
SELECT COUNT(*) AS n, SUM(amount) AS total
FROM d_people JOIN e_orders ON d_people.id = e_orders.id;

-- name: data_party_asks_another_data_partys_plaintext
SELECT tag FROM e_orders WHERE tag <> 'red';

-- name: computing_party_reads_a_data_partys_plaintext
-- party: alice
SELECT DISTINCT tag FROM e_orders ORDER BY tag;

-- name: data_party_asks_its_own_table
SELECT name, age FROM d_people WHERE age > 50;

-- name: strings_opened_to_a_data_party
-- party: erin
SELECT name FROM (SELECT name FROM a_people UNION ALL SELECT name FROM d_people) AS u
ORDER BY name;

-- name: floats_opened_to_a_computing_party
-- party: alice
-- floats: exact
SELECT name, score FROM d_people WHERE score > 0 ORDER BY score;

-- name: float_average_to_a_data_party
-- party: erin
SELECT AVG(score) AS mean_score, MIN(score) AS lo, COUNT(score) AS n FROM d_people;

-- name: group_by_a_data_partys_column_for_another
SELECT tag, SUM(amount) AS total, COUNT(*) AS n FROM e_orders GROUP BY tag ORDER BY tag;

-- name: group_by_after_psi_of_data_parties
SELECT tag, COUNT(*) AS n FROM d_people JOIN e_orders ON d_people.id = e_orders.id
GROUP BY tag ORDER BY tag;

-- name: three_owners_union_ordered_limit
-- party: erin
SELECT x FROM (SELECT name AS x FROM a_people UNION ALL SELECT name AS x FROM d_people
               UNION ALL SELECT tag AS x FROM e_orders) AS u
WHERE x IS NOT NULL ORDER BY x DESC LIMIT 4;

-- name: helper_learns_no_plaintext
-- party: carol
-- error: SecurityError ENCRYPTED_ONLY
SELECT SUM(age) AS total FROM d_people;

-- name: four_data_party_asks
-- catalog: parties/four.toml
-- party: alice
SELECT AVG(age) AS mean_age, COUNT(*) AS n
FROM (SELECT age FROM a_people UNION ALL SELECT age FROM d_people) AS u;

-- name: four_computing_party_asks_psi_with_data_party
-- catalog: parties/four.toml
-- party: bob
SELECT COUNT(*) AS n, SUM(d_people.age) AS total FROM a_people JOIN d_people ON a_people.id = d_people.id;

-- name: four_data_party_asks_join_of_computing_owners
-- catalog: parties/four.toml
-- party: alice
SELECT COUNT(*) AS n, SUM(cost) AS total, MAX(age) AS oldest
FROM d_people JOIN b_visits ON d_people.id = b_visits.id;
