CREATE TABLE s (region STRING, amount INT);
INSERT INTO TABLE s VALUES ('n', 10), ('n', 30), ('s', 5), ('s', 7), ('s', 9);
SELECT region, amount, row_number() OVER (PARTITION BY region ORDER BY amount DESC) AS rn, sum(amount) OVER (PARTITION BY region) AS total, round(stddev_pop(amount) OVER (PARTITION BY region), 3) FROM s ORDER BY region, amount
