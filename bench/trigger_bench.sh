#!/usr/bin/env bash
# Trigger latency: N coordinators (default 200) with a 1-minute frequency run
# for M minutes (default 5) in one `refinery server`; for every action, the
# delay from its nominal time to the moment its workflow was created, read
# from the state store. Prints the distribution. Oozie's defaults poll: up to
# 300 s (materialization) + 60 s (action check) after the nominal time.
# Usage: bench/trigger_bench.sh [build dir] [coordinators] [minutes]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
count="${2:-200}"
minutes="${3:-5}"
refinery="$build/refinery"
work="$(mktemp -d /tmp/refinery-trigger-bench.XXXXXX)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build)"; exit 2; }

mkdir -p "$work/wf" "$work/coord"
cat > "$work/wf/workflow.xml" <<'XML'
<workflow-app xmlns="uri:oozie:workflow:0.5" name="tick">
  <global><name-node>hdfs://n</name-node></global>
  <start to="t"/>
  <action name="t"><fs><mkdir path="/b/${wf:id()}"/></fs><ok to="end"/><error to="k"/></action>
  <kill name="k"><message>x</message></kill>
  <end name="end"/>
</workflow-app>
XML
# The first nominal time is the next whole minute at least 20 s away, so all
# coordinators are submitted before it.
start_epoch=$(( ( $(date +%s) + 20 + 59 ) / 60 * 60 ))
start="$(date -u -d "@$start_epoch" +%Y-%m-%dT%H:%MZ)"
end="$(date -u -d "@$(( start_epoch + minutes * 60 ))" +%Y-%m-%dT%H:%MZ)"
cat > "$work/coord/coordinator.xml" <<XML
<coordinator-app xmlns="uri:oozie:coordinator:0.4" name="tick-\${n}" frequency="\${coord:minutes(1)}"
                 start="$start" end="$end" timezone="UTC">
  <controls><concurrency>-1</concurrency></controls>
  <action><workflow><app-path>file://$work/wf</app-path></workflow></action>
</coordinator-app>
XML

"$refinery" --home "$work/home" server --port 0 --workers 4 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$work/home/server.url" ] && break; sleep 0.05; done
url="$(cat "$work/home/server.url")"
token="$(cat "$work/home/server.token")"
for n in $(seq 1 "$count"); do
  curl -sf -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/xml" "$url/v2/jobs?action=start" \
    --data "<configuration><property><name>oozie.coord.application.path</name><value>file://$work/coord</value></property><property><name>n</name><value>$n</value></property></configuration>" > /dev/null
done
echo "$count coordinators submitted; first nominal time $start, last before $end; waiting $minutes min"
sleep $(( start_epoch + minutes * 60 - $(date +%s) + 10 ))
for _ in $(seq 1 60); do
  left="$(curl -s "$url/v2/jobs?jobtype=coordinator&filter=status%3DRUNNING&len=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
  [ "$left" = "0" ] && break
  sleep 1
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

python3 - "$work/home/state.db" "$count" "$minutes" <<'PY'
import sqlite3, sys
db, count, minutes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = sqlite3.connect(db).execute(
    "SELECT w.created_ms - a.nominal_ms FROM coordinator_actions a JOIN workflow_jobs w ON w.id = a.external_id"
).fetchall()
lags = sorted(r[0] for r in rows)
expected = count * minutes
if not lags:
    sys.exit("no action started")
def pct(p):
    return lags[min(len(lags) - 1, int(round(p / 100 * (len(lags) - 1))))]
print(f"actions started: {len(lags)} of {expected} expected")
print(f"lag (workflow created - nominal time), ms: min {lags[0]}  p50 {pct(50)}  p90 {pct(90)}  p99 {pct(99)}  max {lags[-1]}")
print(f"Oozie's default worst case: 360000 ms (300 s materialization + 60 s action check)")
PY
