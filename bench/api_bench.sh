#!/usr/bin/env bash
# Oozie API throughput: `GET /oozie/v2/job/{id}?show=info` of a finished
# workflow (a job JSON with its actions, read from the state store on every
# request) under wrk with keep-alive, against nginx serving the same JSON bytes
# from a file — the HTTP limit of this machine. Prints requests/s, p50/p99 and
# the ratio. Usage: bench/api_bench.sh [build dir] [seconds per run]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
seconds="${2:-10}"
refinery="$build/refinery"
work="$(mktemp -d /tmp/refinery-api-bench.XXXXXX)"
server_pid=""
nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build)"; exit 2; }
command -v wrk > /dev/null || { echo "wrk is missing: bash scripts/install-deps.sh --bench"; exit 2; }
command -v nginx > /dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is missing: bash scripts/install-deps.sh --bench"; exit 2; }

# A five-action workflow, run once, so show=info returns a realistic job.
mkdir -p "$work/app"
cat > "$work/app/workflow.xml" <<'XML'
<workflow-app xmlns="uri:oozie:workflow:0.5" name="api-bench">
  <global><name-node>hdfs://n</name-node></global>
  <start to="a"/>
  <action name="a"><fs><mkdir path="/b/a"/></fs><ok to="b"/><error to="k"/></action>
  <action name="b"><fs><mkdir path="/b/b"/></fs><ok to="c"/><error to="k"/></action>
  <action name="c"><fs><mkdir path="/b/c"/></fs><ok to="end"/><error to="k"/></action>
  <kill name="k"><message>x</message></kill>
  <end name="end"/>
</workflow-app>
XML
echo "oozie.wf.application.path=." > "$work/app/job.properties"

"$refinery" --home "$work/home" server --port 0 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$work/home/server.url" ] && break; sleep 0.05; done
url="$(cat "$work/home/server.url")"
id="$("$refinery" --home "$work/home" job -oozie "$url" -config "$work/app/job.properties" -run | sed -n 's/^job: //p')"
for _ in $(seq 1 200); do
  curl -s "$url/v2/job/$id?show=status" | grep -q SUCCEEDED && break
  sleep 0.05
done
target="$url/v2/job/$id?show=info"
curl -s "$target" > "$work/job.json"
echo "job JSON: $(wc -c < "$work/job.json") bytes, $(grep -o '"name"' "$work/job.json" | wc -l) actions"

# nginx serving the same bytes, one worker per core, keep-alive.
mkdir -p "$work/nginx/logs" "$work/nginx/www"
chmod 755 "$work" "$work/nginx" "$work/nginx/www"  # nginx workers run as an unprivileged user
cp "$work/job.json" "$work/nginx/www/job.json"
chmod 644 "$work/nginx/www/job.json"
nginx_port=$((20000 + RANDOM % 20000))
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { root $work/nginx/www; default_type application/json; }
  }
}
CONF
"$(command -v nginx || echo /usr/sbin/nginx)" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
sleep 0.5

run_wrk() {  # run_wrk <url>: prints "requests/s p50_ms p99_ms"
  wrk -t2 -c16 -d"${seconds}s" --latency "$1" > "$work/wrk.txt"
  local rps p50 p99
  rps="$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")"
  p50="$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
  if grep -q "Non-2xx" "$work/wrk.txt"; then echo "non-2xx answers:" >&2; cat "$work/wrk.txt" >&2; exit 1; fi
  echo "$rps $p50 $p99"
}

read -r ours_rps ours_p50 ours_p99 < <(run_wrk "$target")
read -r nginx_rps nginx_p50 nginx_p99 < <(run_wrk "http://127.0.0.1:$nginx_port/job.json")
printf '%-44s %12s %10s %10s\n' "GET show=info, wrk -t2 -c16, ${seconds}s" "requests/s" "p50" "p99"
printf '%-44s %12s %10s %10s\n' "Refinery server" "$ours_rps" "$ours_p50" "$ours_p99"
printf '%-44s %12s %10s %10s\n' "nginx, same bytes from a file" "$nginx_rps" "$nginx_p50" "$nginx_p99"
awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN { printf "Refinery / nginx: %.2fx\n", a / b }'
