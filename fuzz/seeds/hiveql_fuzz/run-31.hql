CREATE TABLE v (g STRING, x DOUBLE);
INSERT INTO TABLE v VALUES ('a', 1), ('a', 2), ('a', 3), ('a', 4), ('b', 10), ('b', NULL);
SELECT g, count(x), variance(x), var_samp(x), stddev_pop(x), stddev_samp(x), percentile(x, 0.5), percentile_approx(x, 0.25), collect_set(x), avg(x) FROM v GROUP BY g ORDER BY g
