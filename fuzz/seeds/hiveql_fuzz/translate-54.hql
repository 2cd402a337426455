INSERT OVERWRITE TABLE summary SELECT job, count(*) / 2 FROM bank GROUP BY job
