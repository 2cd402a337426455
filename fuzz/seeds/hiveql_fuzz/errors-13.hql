CREATE EXTERNAL TABLE raw (a INT) LOCATION '/user/rawzone/none';
SELECT * FROM raw
