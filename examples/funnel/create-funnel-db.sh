#!/usr/bin/env bash
# Builds the demo source database funnel_db with table mysql_funnel, loaded
# from examples/data/bank_marketing.csv (UCI Bank Marketing, CC BY 4.0).
#
#   create-funnel-db.sh [--refinery PATH]     SQLite (embedded default): writes
#       /db/funnel_db.sqlite and /db/funnel_db.password into the data home's
#       file-system root ($REFINERY_HOME, else ~/.refinery), as job.properties
#       expects. Replaces an existing copy.
#   create-funnel-db.sh --mysql [mysql client options]
#       MariaDB/MySQL: creates database funnel_db and table mysql_funnel with
#       the `mysql` client (e.g. --mysql -h 127.0.0.1 -u root); for
#       job-mysql.properties.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
csv="$here/../data/bank_marketing.csv"
columns='age INTEGER, job TEXT, marital TEXT, education TEXT, `default` TEXT, balance INTEGER,
  housing TEXT, loan TEXT, contact TEXT, day INTEGER, month TEXT, duration INTEGER,
  campaign INTEGER, pdays INTEGER, previous INTEGER, poutcome TEXT, y TEXT'

if [[ "${1:-}" == "--mysql" ]]; then
  shift
  mysql --local-infile=1 "$@" <<SQL
CREATE DATABASE IF NOT EXISTS funnel_db CHARACTER SET utf8mb4;
USE funnel_db;
DROP TABLE IF EXISTS mysql_funnel;
CREATE TABLE mysql_funnel (${columns//TEXT/VARCHAR(32)});
LOAD DATA LOCAL INFILE '$csv' INTO TABLE mysql_funnel
  FIELDS TERMINATED BY ',' LINES TERMINATED BY '\n' IGNORE 1 LINES;
SELECT COUNT(*) AS rows_loaded FROM mysql_funnel;
SQL
  exit 0
fi

refinery="${REFINERY:-$here/../../build/refinery}"
if [[ "${1:-}" == "--refinery" ]]; then refinery="$2"; fi
command -v sqlite3 >/dev/null || { echo "create-funnel-db.sh: sqlite3 is missing (apt-get install sqlite3)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# SQLite's .import converts each value by the column's declared type.
sqlite3 "$work/funnel_db.sqlite" <<SQL
CREATE TABLE mysql_funnel (${columns//\`/\"});
.import --csv --skip 1 $csv mysql_funnel
SQL
# SQLite has no users: the file is there so one workflow reads SQLite and MySQL alike.
printf '%s' 'sqlite-needs-no-password' > "$work/funnel_db.password"
"$refinery" fs -mkdir -p /db
"$refinery" fs -put -f "$work/funnel_db.sqlite" /db/funnel_db.sqlite
"$refinery" fs -put -f "$work/funnel_db.password" /db/funnel_db.password
echo "funnel_db: $(sqlite3 "$work/funnel_db.sqlite" 'SELECT COUNT(*) FROM mysql_funnel') rows in table mysql_funnel (/db/funnel_db.sqlite)"
