#!/usr/bin/env bash
# Many short workflows: N workflows (default 1,000) of three fs actions
# (mkdir, touchz, touchz) submitted at once (8 HTTP clients on keep-alive
# connections) to one `refinery server` with its state in SQLite, to one with
# its state in PostgreSQL, and to three servers sharing one PostgreSQL store
# and one data home, the submissions spread over them (doc/operations.md,
# "Several servers"). PostgreSQL is a throwaway server started here (initdb
# in a temp dir, a free loopback port, stopped by its pid). For each: submit
# time, time until every workflow ended, completion throughput (workflows/s),
# wall time per action, and the mean action duration the store recorded
# (end_ms - start_ms of the fs actions), side by side with the ratios.
# Usage: bench/many_workflows_bench.sh [build dir] [workflows] [workers]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
count="${2:-1000}"
workers="${3:-4}"
refinery="$build/refinery"
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build --target refinery refinery_plugins)"; exit 2; }
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"
[ -n "$pgbin" ] && [ -x "$pgbin/postgres" ] || { echo "needs postgresql (scripts/install-deps.sh --test)"; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/refinery-many-wf-bench.XXXXXX")"
chmod 755 "$work"
server_pids=()
stop_servers() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  server_pids=()
}
stop_pg() {
  [ -f "$work/pg/data/postmaster.pid" ] || return 0
  local pid; pid="$(head -1 "$work/pg/data/postmaster.pid")"
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  stop_servers
  stop_pg
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }

mkdir -p "$work/app"
cat > "$work/app/workflow.xml" <<'XML'
<workflow-app xmlns="uri:oozie:workflow:0.5" name="many">
  <global><name-node>hdfs://n</name-node></global>
  <start to="a"/>
  <action name="a"><fs><mkdir path="/b/${wf:id()}"/></fs><ok to="b"/><error to="k"/></action>
  <action name="b"><fs><touchz path="/b/${wf:id()}/one"/></fs><ok to="c"/><error to="k"/></action>
  <action name="c"><fs><touchz path="/b/${wf:id()}/two"/></fs><ok to="end"/><error to="k"/></action>
  <kill name="k"><message>x</message></kill>
  <end name="end"/>
</workflow-app>
XML
actions_per_workflow=3

# ---- the throwaway PostgreSQL ----
pg_port="$(free_port)"
mkdir -p "$work/pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$work/pg/init.log"
as_pg "$pgbin/postgres" -D "$work/pg/data" -p "$pg_port" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  >"$work/pg/server.log" 2>&1 &
for _ in $(seq 300); do psql -h 127.0.0.1 -p "$pg_port" -U postgres -c 'select 1' postgres >/dev/null 2>&1 && break; sleep 0.1; done
psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c 'CREATE DATABASE one' -c 'CREATE DATABASE three' postgres
pg_url="postgresql://postgres@127.0.0.1:$pg_port"

# submit <urls, comma-separated> <token> <body>: POSTs $count submissions from 8
# client threads over keep-alive connections, round-robin over the URLs. (One
# curl process per request measured curl's start-up, ~36 ms, not the server.)
submit() {
  python3 - "$1" "$2" "$3" "$count" 8 <<'PY'
import http.client, sys, threading, urllib.parse
urls, token, body = sys.argv[1].split(","), sys.argv[2], sys.argv[3].encode()
count, clients = int(sys.argv[4]), int(sys.argv[5])
lock, taken, errors = threading.Lock(), [0], []
def client():
    connections = {}
    while True:
        with lock:
            index = taken[0]
            if index >= count: return
            taken[0] += 1
        url = urllib.parse.urlsplit(urls[index % len(urls)])
        connection = connections.setdefault(url.netloc, http.client.HTTPConnection(url.hostname, url.port, timeout=60))
        try:
            connection.request("POST", url.path + "/v2/jobs?action=start", body,
                               {"Authorization": "Bearer " + token, "Content-Type": "application/xml"})
            response = connection.getresponse()
            response.read()
            if response.status not in (200, 201): errors.append(f"HTTP {response.status}")
        except Exception as error:
            errors.append(str(error))
            connections.pop(url.netloc, None)
threads = [threading.Thread(target=client) for _ in range(clients)]
for thread in threads: thread.start()
for thread in threads: thread.join()
if errors: sys.exit(f"{len(errors)} submissions failed, first: {errors[0]}")
PY
}

# run <label> <home> <servers> [store]: prints "label submit_s done_s wf_per_s
# ms_per_action mean_action_ms". Several servers share the home (one
# file-system root) and the store; submissions go round-robin to them.
run() {
  local label="$1" home="$2" servers="$3" store="${4:-}"
  local urls="" url="" port
  server_pids=()
  for i in $(seq 1 "$servers"); do
    port="$(free_port)"
    local args=(--home "$home" server --port "$port" --workers "$workers")
    [ -n "$store" ] && args+=(--store "$store")
    "$refinery" "${args[@]}" > "$work/$label-server-$i.log" 2>&1 &
    server_pids+=($!)
    url="http://127.0.0.1:$port/oozie"
    for _ in $(seq 1 400); do curl -sf -o /dev/null "$url/v2/jobs?len=0" && break; sleep 0.05; done
    urls="${urls:+$urls,}$url"
  done
  local token
  token="$(cat "$home/server.token")"
  local body="<configuration><property><name>oozie.wf.application.path</name><value>file://$work/app</value></property><property><name>user.name</name><value>bench</value></property></configuration>"
  local t0 t1 t2
  t0="$(now)"
  submit "$urls" "$token" "$body"
  t1="$(now)"
  local done_count=0
  for _ in $(seq 1 2400); do  # at most 240 s
    done_count="$(curl -s "$url/v2/jobs?filter=status%3DSUCCEEDED;status%3DFAILED;status%3DKILLED&len=1" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
    [ "$done_count" -ge "$count" ] && break
    sleep 0.1
  done
  t2="$(now)"
  local failed
  failed="$(curl -s "$url/v2/jobs?filter=status%3DFAILED;status%3DKILLED&len=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
  stop_servers
  [ "$done_count" -ge "$count" ] || { echo "$label: only $done_count of $count workflows ended in 240 s" >&2; }
  [ "$failed" = "0" ] || echo "$label: $failed workflows failed (see $work/$label-server-*.log)" >&2
  local mean
  local sql="SELECT round(avg(end_ms - start_ms), 2) FROM workflow_actions WHERE type = 'fs'"
  if [ -n "$store" ]; then
    mean="$(psql "$store" -At -c "$sql")"
  else
    mean="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
      "$home/state.db" "$sql")"
  fi
  python3 - "$label" "$t0" "$t1" "$t2" "$done_count" "$actions_per_workflow" "$mean" <<'PY'
import sys
label, t0, t1, t2, n, per, mean = sys.argv[1], *map(float, sys.argv[2:5]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
total = t2 - t0
print(f"{label} {t1 - t0:.2f} {total:.2f} {n / total:.1f} {1000 * total / (n * per):.2f} {mean}")
PY
}

echo "$count workflows x $actions_per_workflow fs actions, $workers workers per server, submitted by 8 concurrent clients"
sqlite_row="$(run sqlite "$work/home-sqlite" 1)"
pg_row="$(run postgresql "$work/home-pg" 1 "$pg_url/one?sslmode=disable")"
pg3_row="$(run postgresql-3 "$work/home-pg3" 3 "$pg_url/three?sslmode=disable")"
python3 - "$sqlite_row" "$pg_row" "$pg3_row" <<'PY'
import sys
rows = [r.split() for r in sys.argv[1:]]
names = ["submit (s)", "all ended (s)", "workflows/s", "wall ms per action", "mean action ms (store)"]
print(f"{'':24}{'SQLite':>12}{'PostgreSQL':>12}{'PG x3':>12}{'PG/SQLite':>11}{'PGx3/PG':>9}")
def line(name, a, b, c):
    print(f"{name:24}{a:12.2f}{b:12.2f}{c:12.2f}{(b / a if a else 0):11.2f}{(c / b if b else 0):9.2f}")
for i, name in enumerate(names, start=1):
    line(name, *(float(row[i]) for row in rows))
line("drain after submit (s)", *(float(row[2]) - float(row[1]) for row in rows))
PY
