CREATE TABLE customers (id INT, region STRING);
CREATE TABLE orders (customer_id INT, amount DOUBLE);
INSERT INTO TABLE customers VALUES (1, 'north'), (2, 'south'), (3, 'north');
INSERT INTO TABLE orders VALUES (1, 10.5), (1, 20), (2, 5), (3, 1), (3, 2);
SELECT c.region, count(DISTINCT c.id) AS customers, sum(o.amount) AS total FROM customers c JOIN orders o ON c.id = o.customer_id GROUP BY c.region HAVING sum(o.amount) > 6 ORDER BY total DESC LIMIT 5
