CREATE TABLE src (job STRING, age INT);
INSERT INTO TABLE src VALUES ('admin', 30), ('admin', 40), ('tech', 25);
CREATE TABLE summary AS SELECT job, count(*), avg(age) AS mean_age FROM src GROUP BY job;
SELECT job, _c1, mean_age FROM summary ORDER BY job
