-- The seed's hiveCreateTable.sql: an external table over this run's raw-zone
-- snapshot (the Sqoop import's comma-separated part files), then a summary of
-- the data's quality kept as a table beside it. ${SNAPSHOT_DIR} comes from the
-- workflow's <param>.
DROP TABLE IF EXISTS funnel_raw;
CREATE EXTERNAL TABLE funnel_raw (
  age INT, job STRING, marital STRING, education STRING, `default` STRING, balance INT,
  housing STRING, loan STRING, contact STRING, day INT, month STRING, duration INT,
  campaign INT, pdays INT, previous INT, poutcome STRING, y STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
LOCATION '${SNAPSHOT_DIR}';

-- One row per outcome: how many calls, who was called, how.
DROP TABLE IF EXISTS funnel_summary;
CREATE TABLE funnel_summary AS
SELECT y,
       COUNT(*) AS calls,
       ROUND(AVG(age), 1) AS mean_age,
       MIN(age) AS min_age,
       MAX(age) AS max_age,
       ROUND(AVG(balance), 0) AS mean_balance,
       ROUND(AVG(campaign), 2) AS mean_campaign,
       SUM(CASE WHEN pdays < 0 THEN 1 ELSE 0 END) AS never_contacted,
       SUM(CASE WHEN job = 'unknown' OR education = 'unknown' THEN 1 ELSE 0 END) AS unknown_job_or_education
FROM funnel_raw
GROUP BY y;

-- Printed into the action's log.
SELECT * FROM funnel_summary ORDER BY y;
