SET hivevar:word=hello;
SET my.threshold=2;
SELECT '${word}', ${hiveconf:my.threshold} + ${limit}
