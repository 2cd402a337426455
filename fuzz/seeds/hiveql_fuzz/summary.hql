-- summary of the raw zone
SET hive.exec.compress.output=false;
SET hivevar:limit=${n};
ADD JAR /tmp/x.jar;
USE default;
/* totals; per job */
SELECT job, count(*) AS n, round(avg(age), 2), percentile_approx(age, 0.5), stddev(age), variance(age),
       collect_set(marital), concat_ws('|', collect_set(marital))
FROM (SELECT 'admin' AS job, 30 AS age, 'single' AS marital UNION ALL SELECT 'pilot', 41, 'married') t
GROUP BY job HAVING count(*) > 0 ORDER BY n DESC LIMIT ${hivevar:limit};
SELECT datediff('${date}', '2024-01-01'), date_add('${date}', 3), to_date('2024-02-03 04:05:06'),
       year('${date}'), month('${date}'), from_unixtime(0), unix_timestamp('2024-01-01 00:00:00'),
       regexp_extract('a=b', '(\\w)=(\\w)', 2), split('a;b', ';')[0], size(split('a,b', ',')),
       row_number() OVER (ORDER BY 1), CAST('12' AS INT), nvl(NULL, 1), if(1 < 2, 'y', 'n'), floor(2.5), ceil(2.5);
