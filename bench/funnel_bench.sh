#!/usr/bin/env bash
# The README's pipeline, first run: wall time from submitting examples/funnel's
# coordinator to a server until the published model answers a prediction
# (import -> summary -> profile -> train -> publish -> swap), with each step's
# share, median of N runs on fresh data homes. The peer runs the same five
# steps as one hand-written Python script (pandas + python3-xgboost,
# bench/peers/funnel_pipeline/pipeline.py), timed the same way: from start to
# a prediction from the saved model. Target: Refinery <= 5 s.
# Usage: bench/funnel_bench.sh [build dir] [runs]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-5}"
refinery="$build/refinery"
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build --target refinery refinery_plugins)"; exit 2; }
command -v curl >/dev/null || { echo "needs curl"; exit 2; }
work="$(mktemp -d /tmp/refinery-funnel-bench.XXXXXX)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# One data home with the demo database, copied for every run.
REFINERY_HOME="$work/template" REFINERY="$refinery" bash "$root/examples/funnel/create-funnel-db.sh" >/dev/null
lead='{"age":35,"job":"management","marital":"married","education":"tertiary","default":"no","balance":1350,"housing":"yes","loan":"no","contact":"cellular","day":16,"month":"apr","campaign":1,"pdays":330,"previous":1,"poutcome":"success"}'

now() { date -u +%s.%N; }
# "2026-12-01T21:17:07.762Z ..." -> epoch seconds with milliseconds.
epoch_of() { date -u -d "$(cut -c1-23 <<<"$1" | tr T ' ')" +%s.%N; }

steps=(schedule sqoop-import hive-summary quality-gate train publish swap)
declare -A total_of=()
declare -a totals=()
for run in $(seq 1 "$runs"); do
  home="$work/home-$run"
  cp -r "$work/template" "$home"
  "$refinery" --home "$home" server --port 0 >"$work/server-$run.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do [ -s "$home/server.url" ] && break; sleep 0.05; done
  url="$(head -n 1 "$home/server.url")"
  base="${url%/oozie}"

  t0=$(now)
  coordinator="$("$refinery" --home "$home" --oozie "$url" job -config "$root/examples/funnel/job.properties" -run \
    -D "start=$(date -u +%Y-%m-%dT%H:%MZ)" | awk '/^job:/ { print $2 }')"
  until curl -sf -o /dev/null -X POST "$base/api/v1/models/funnel/predict" -H 'Content-Type: application/json' -d "$lead"; do
    sleep 0.01
  done
  t1=$(now)
  workflow="$(curl -s "$base/oozie/v2/job/$coordinator@1?show=info" | sed -n 's/.*"externalId":"\([^"]*\)".*/\1/p')"
  log="$(curl -s "$base/oozie/v2/job/$workflow?show=log")"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

  first_start="" previous_end=""
  declare -A seconds_of=()
  for action in sqoop-import hive-summary quality-gate train publish; do
    start_line="$(grep -m1 "\[$action\] Start action" <<<"$log")"
    end_line="$(grep -m1 "\[$action\] Action ended" <<<"$log")"
    s=$(epoch_of "$start_line"); e=$(epoch_of "$end_line")
    [ -z "$first_start" ] && first_start=$s
    seconds_of[$action]=$(echo "$e - $s" | bc -l)
    previous_end=$e
  done
  seconds_of[schedule]=$(echo "$first_start - $t0" | bc -l)
  seconds_of[swap]=$(echo "$t1 - $previous_end" | bc -l)
  elapsed=$(echo "$t1 - $t0" | bc -l)
  totals+=("$elapsed")
  for s in "${steps[@]}"; do total_of[$s]="${total_of[$s]:-} ${seconds_of[$s]}"; done
  printf 'run %d: %.3f s\n' "$run" "$elapsed"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
refinery_median=$(echo "${totals[*]}" | median)
echo
printf "Refinery, submission to the first prediction (median of %d): %.3f s (target <= 5 s)\n" "$runs" "$refinery_median"
for s in "${steps[@]}"; do
  m=$(echo "${total_of[$s]}" | median)
  printf '  %-14s %8.3f s  %5.1f %%\n' "$s" "$m" "$(echo "100 * $m / $refinery_median" | bc -l)"
done

if /usr/bin/python3 -c 'import pandas, sklearn, xgboost' 2>/dev/null; then
  echo
  peer_totals=()
  for run in $(seq 1 "$runs"); do
    mkdir -p "$work/peer-$run"
    t0=$(now)
    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$root/bench/peers/funnel_pipeline/pipeline.py" \
      "$work/template/fs/db/funnel_db.sqlite" "$work/peer-$run" >"$work/peer-$run.txt"
    t1=$(now)
    peer_totals+=("$(echo "$t1 - $t0" | bc -l)")
  done
  peer_median=$(echo "${peer_totals[*]}" | median)
  printf "Python peer (pandas + xgboost, one script, no scheduler or server; median of %d): %.3f s\n" "$runs" "$peer_median"
  sed 's/^/  /' "$work/peer-$runs.txt"
  printf 'Refinery / peer wall time: %.2fx\n' "$(echo "$refinery_median / $peer_median" | bc -l)"
else
  echo "(the Python peer needs python3-pandas python3-sklearn python3-xgboost: scripts/install-deps.sh --bench)"
fi
