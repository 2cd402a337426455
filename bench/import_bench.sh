#!/usr/bin/env bash
# Import throughput: 1,000,000 rows x 15 mixed columns in PostgreSQL and in
# MariaDB (servers started here on loopback in a temp dir, stopped by pid).
# Refinery's <sqoop> import with -m 1 and -m 2 against the databases' own
# export tools: psql "\copy (SELECT ...) TO file CSV" and
# "mysql --batch --quick -e 'SELECT ...' > file". One run each; rows/s and
# ratios (rows, not bytes: the tools write NULLs and quoting differently).
# Usage: bench/import_bench.sh [build dir] [rows]     (run as root or postgres-capable user)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
rows="${2:-1000000}"
refinery="$build/refinery"
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build --target refinery)"; exit 2; }
pgbin="$(ls -d /usr/lib/postgresql/*/bin | tail -1)"
[ -x "$pgbin/postgres" ] && command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || {
  echo "needs postgresql and mariadb-server (scripts/install-deps.sh --test)"; exit 2; }
work="$(mktemp -d /tmp/refinery-import-bench.XXXXXX)"
chmod 755 "$work"
# Stops a server by the pid it wrote itself (postmaster.pid / --pid-file),
# waiting until it is gone.
stop_pid() {  # signal pidfile
  [ -f "$2" ] || return 0
  local pid; pid="$(head -1 "$2")"
  kill "-$1" "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid INT "$work/pg/data/postmaster.pid"
  stop_pid TERM "$work/my/pid"
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }

# ---- servers ----
pg_port="$(free_port)"; my_port="$(free_port)"
mkdir -p "$work/pg" "$work/my"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$work/pg/init.log"
as_pg "$pgbin/postgres" -D "$work/pg/data" -p "$pg_port" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  -c fsync=off -c shared_buffers=256MB >"$work/pg/server.log" 2>&1 &
mariadb-install-db --no-defaults --datadir="$work/my/data" --user=root --auth-root-authentication-method=normal \
  --skip-test-db >"$work/my/init.log" 2>&1
/usr/sbin/mariadbd --no-defaults --datadir="$work/my/data" --socket="$work/my/sock" --port="$my_port" \
  --bind-address=127.0.0.1 --user=root --pid-file="$work/my/pid" --skip-log-bin \
  --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=0 >"$work/my/server.log" 2>&1 &
for _ in $(seq 300); do
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -c 'select 1' postgres >/dev/null 2>&1 &&
    mysql --socket="$work/my/sock" -uroot -e 'select 1' >/dev/null 2>&1 && break
  sleep 0.1
done
psqlc() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
mysqlc() { mysql --socket="$work/my/sock" -uroot "$@"; }

# ---- the table: 15 columns of mixed types ----
echo "loading $rows rows into each server..."
psqlc -c "CREATE DATABASE bench" postgres
psqlc bench <<SQL
CREATE TABLE wide (id BIGINT PRIMARY KEY, a INTEGER, b INTEGER, big BIGINT, price NUMERIC(12,2), ratio DOUBLE PRECISION,
  score REAL, flag BOOLEAN, day DATE, at TIMESTAMP, code CHAR(8), name VARCHAR(40), note TEXT, maybe INTEGER, city VARCHAR(20));
INSERT INTO wide SELECT g, g % 1000, (g * 7) % 100000, g * 1000003, (g % 100000) / 100.0, g / 3.0, (g % 1000) / 7.0,
  g % 2 = 0, DATE '2020-01-01' + (g % 1500)::int, TIMESTAMP '2020-01-01' + g * INTERVAL '1 second',
  substr(md5(g::text), 1, 8), 'name-' || md5(g::text), repeat('x', (g % 20)::int), CASE WHEN g % 5 = 0 THEN NULL ELSE (g % 2000000000)::int END,
  (ARRAY['Lisbon','Porto','Braga','Faro'])[1 + g % 4]
FROM generate_series(1::bigint, $rows::bigint) g;
ANALYZE wide;
SQL
mysqlc -e "CREATE DATABASE bench; CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench-pw';
  GRANT ALL ON bench.* TO 'bench'@'127.0.0.1';"
mysqlc bench <<SQL
CREATE TABLE wide (id BIGINT PRIMARY KEY, a INT, b INT, big BIGINT, price DECIMAL(12,2), ratio DOUBLE, score FLOAT,
  flag BOOLEAN, day DATE, at DATETIME, code CHAR(8), name VARCHAR(40), note TEXT, maybe INT, city VARCHAR(20));
INSERT INTO wide SELECT seq, seq % 1000, (seq * 7) % 100000, seq * 1000003, (seq % 100000) / 100.0, seq / 3.0, (seq % 1000) / 7.0,
  seq % 2 = 0, DATE '2020-01-01' + INTERVAL (seq % 1500) DAY, TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq SECOND,
  substr(md5(seq), 1, 8), concat('name-', md5(seq)), repeat('x', seq % 20), IF(seq % 5 = 0, NULL, seq),
  elt(1 + seq % 4, 'Lisbon','Porto','Braga','Faro')
FROM seq_1_to_$rows;
SQL
cols="id, a, b, big, price, ratio, score, flag, day, at, code, name, note, maybe, city"

# ---- peers ----
# Peak resident memory (MB) of a command, measured by GNU time into a file.
peak() { echo "$(( $(cat "$1") / 1024 ))"; }
t0=$(now); /usr/bin/time -f %M -o "$work/pg.rss" psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q bench -c "\\copy (SELECT $cols FROM wide) TO '$work/pg.csv' CSV"; t1=$(now)
pg_peer=$(echo "$t1 - $t0" | bc -l)
t0=$(now); /usr/bin/time -f %M -o "$work/my.rss" mysql --socket="$work/my/sock" -uroot --batch --quick bench -e "SELECT $cols FROM wide" > "$work/my.tsv"; t1=$(now)
my_peer=$(echo "$t1 - $t0" | bc -l)

# ---- Refinery: one workflow app per run ----
mkdir -p "$work/home"
printf 'bench-pw' > "$work/bench.pw"
"$refinery" --home "$work/home" fs -put "$work/bench.pw" /user/bench/bench.pw >/dev/null 2>&1 ||
  { mkdir -p "$work/home/fs/user/bench"; cp "$work/bench.pw" "$work/home/fs/user/bench/bench.pw"; }
run_refinery() {  # name connect user mappers
  local app="$work/app-$1-m$4"
  mkdir -p "$app"
  cat > "$app/workflow.xml" <<XML
<workflow-app xmlns="uri:oozie:workflow:0.5" name="import-$1"><start to="imp"/>
<action name="imp"><sqoop xmlns="uri:oozie:sqoop-action:0.2"><job-tracker>local</job-tracker><name-node>hdfs://n</name-node>
<command>import --connect $2 --username $3 --password-file /user/bench/bench.pw --table wide --target-dir /raw/$1-m$4 --delete-target-dir -m $4</command>
</sqoop><ok to="end"/><error to="k"/></action><kill name="k"><message>\${wf:errorMessage(wf:lastErrorNode())}</message></kill><end name="end"/></workflow-app>
XML
  echo "oozie.wf.application.path=file://$app" > "$app/job.properties"
  echo "user.name=bench" >> "$app/job.properties"
  local t0 t1
  t0=$(now)
  /usr/bin/time -f %M -o "$work/$1-m$4.rss" \
    "$refinery" --home "$work/home" job -config "$app/job.properties" -run >"$app/run.log" 2>&1 || true
  t1=$(now)
  grep -q SUCCEEDED "$app/run.log" || { echo "refinery import $1 -m $4 failed:" >&2; cat "$app/run.log" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}
# PostgreSQL auth is trust: any password works; MariaDB checks it.
pg_m1=$(run_refinery pg "jdbc:postgresql://127.0.0.1:$pg_port/bench" postgres 1)
pg_m2=$(run_refinery pg "jdbc:postgresql://127.0.0.1:$pg_port/bench" postgres 2)
my_m1=$(run_refinery my "jdbc:mysql://127.0.0.1:$my_port/bench" bench 1)
my_m2=$(run_refinery my "jdbc:mysql://127.0.0.1:$my_port/bench" bench 2)

rate() { echo "$rows / $1" | bc -l | xargs printf '%.0f'; }
ratio() { echo "$2 / $1" | bc -l | xargs printf '%.2f'; }
printf '\n%-34s %10s %12s %8s %9s\n' "import of $rows rows x 15 cols" "seconds" "rows/s" "ratio" "peak MB"
printf '%-34s %10.2f %12s %8s %9s\n' "psql \\copy (CSV)" "$pg_peer" "$(rate "$pg_peer")" "1.00" "$(peak "$work/pg.rss")"
printf '%-34s %10.2f %12s %8s %9s\n' "refinery sqoop postgresql -m 1" "$pg_m1" "$(rate "$pg_m1")" "$(ratio "$pg_m1" "$pg_peer")" "$(peak "$work/pg-m1.rss")"
printf '%-34s %10.2f %12s %8s %9s\n' "refinery sqoop postgresql -m 2" "$pg_m2" "$(rate "$pg_m2")" "$(ratio "$pg_m2" "$pg_peer")" "$(peak "$work/pg-m2.rss")"
printf '%-34s %10.2f %12s %8s %9s\n' "mysql --batch --quick" "$my_peer" "$(rate "$my_peer")" "1.00" "$(peak "$work/my.rss")"
printf '%-34s %10.2f %12s %8s %9s\n' "refinery sqoop mariadb -m 1" "$my_m1" "$(rate "$my_m1")" "$(ratio "$my_m1" "$my_peer")" "$(peak "$work/my-m1.rss")"
printf '%-34s %10.2f %12s %8s %9s\n' "refinery sqoop mariadb -m 2" "$my_m2" "$(rate "$my_m2")" "$(ratio "$my_m2" "$my_peer")" "$(peak "$work/my-m2.rss")"
echo "(ratio = peer seconds / refinery seconds; > 1 means Refinery is faster. Refinery times include process start, planning and the atomic publish.)"
