#!/usr/bin/env bash
# The seed's pipeline in one command: installs what Refinery needs, builds it,
# creates the demo source database, starts the server, submits the funnel
# coordinator (examples/funnel: first run now, then every 150 minutes),
# follows the first run, and prints where to look. The server keeps running
# until Ctrl-C.
#
#   bash scripts/quickstart.sh [--exit-after-first-run] [--port N] [--no-install]
#
#   --exit-after-first-run  stop the server once the first run has ended (for
#                           scripts; the exit status says whether it succeeded)
#   --port N                listen on 127.0.0.1:N (default 11000)
#   --no-install            skip the apt step (the packages are already there)
#
# State and data live in ./refinery-home (override with REFINERY_HOME).
set -euo pipefail
cd "$(dirname "$0")/.."

exit_after_first_run=false
install=true
port=11000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --exit-after-first-run) exit_after_first_run=true ;;
    --no-install) install=false ;;
    --port) port="${2:?--port needs a number}"; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if $install; then bash scripts/install-deps.sh; fi
if [[ ! -f build/CMakeCache.txt ]]; then
  export CMAKE_GENERATOR="${CMAKE_GENERATOR:-Ninja}"  # a new build tree uses Ninja; an existing one keeps its generator
  cmake -S . -B build -DREFINERY_BUILD_TESTS=OFF -DREFINERY_BUILD_BENCH=OFF
fi
cmake --build build -j2 --target refinery

export REFINERY_HOME="${REFINERY_HOME:-$PWD/refinery-home}"
refinery="$PWD/build/refinery"
mkdir -p "$REFINERY_HOME"

echo "== the source: table mysql_funnel in funnel_db (data home: $REFINERY_HOME)"
if [[ -f "$REFINERY_HOME/fs/db/funnel_db.sqlite" ]]; then
  echo "funnel_db is already there (delete $REFINERY_HOME/fs/db to rebuild it)"
else
  REFINERY="$refinery" bash examples/funnel/create-funnel-db.sh
fi

echo "== starting the server on 127.0.0.1:$port"
rm -f "$REFINERY_HOME/server.url"
"$refinery" server --port "$port" >"$REFINERY_HOME/quickstart-server.log" 2>&1 &
server_pid=$!
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 1 300); do
  [[ -s "$REFINERY_HOME/server.url" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "quickstart.sh: the server did not start:" >&2
    tail -n 5 "$REFINERY_HOME/quickstart-server.log" >&2
    echo "(is another server on port $port? try --port, or stop it)" >&2
    exit 1
  fi
  sleep 0.1
done
oozie_url="$(head -n 1 "$REFINERY_HOME/server.url")"
base="${oozie_url%/oozie}"
export OOZIE_URL="$oozie_url"

# A coordinator an earlier quickstart left running in this data home would
# run beside the new one; one schedule is enough.
"$refinery" jobs -jobtype coordinator -filter status=RUNNING 2>/dev/null |
  awk '$2 == "funnel-coordinator" { print $1 }' |
  while read -r old; do
    echo "stopping the earlier funnel coordinator $old"
    "$refinery" job -kill "$old"
  done

echo "== submitting examples/funnel (first run now, then every 150 minutes)"
start="$(date -u +%Y-%m-%dT%H:%MZ)"
submitted="$("$refinery" job -config examples/funnel/job.properties -run -D "start=$start")"
coordinator="$(awk '/^job:/ { print $2 }' <<<"$submitted")"
echo "coordinator: $coordinator"

echo "== following the first run"
if ! "$refinery" job -poll "$coordinator@1" -verbose -timeout 10; then
  echo
  echo "The first run did not succeed. See above, then: $refinery job -info <workflow id> -verbose"
  echo "Server log: $REFINERY_HOME/quickstart-server.log"
  exit 1
fi

# The server swaps the published version in within a moment; wait for it
# rather than print a link that does not answer yet.
row='{"age":35,"job":"management","marital":"married","education":"tertiary","default":"no","balance":1350,"housing":"yes","loan":"no","contact":"cellular","day":16,"month":"apr","campaign":1,"pdays":330,"previous":1,"poutcome":"success"}'
answer=""
for _ in $(seq 1 100); do
  answer="$(curl -sf -X POST "$base/api/v1/models/funnel/predict" -H 'Content-Type: application/json' -d "$row" || true)"
  [[ -n "$answer" ]] && break
  sleep 0.1
done

cat <<EOF

== the funnel model is live
  Dashboard:        $base/ui/
  Prediction page:  $base/ui/models/funnel/predict
  Model page:       $base/ui/models/funnel
  A prediction:     curl -s -X POST $base/api/v1/models/funnel/predict \\
                      -H 'Content-Type: application/json' \\
                      -d '$row'
  answered:         ${answer:-"(no answer yet; see $REFINERY_HOME/quickstart-server.log)"}
  The CLI:          OOZIE_URL=$oozie_url $refinery job -info $coordinator
                    REFINERY_HOME=$REFINERY_HOME $refinery models show funnel
EOF

if $exit_after_first_run; then
  echo "(--exit-after-first-run: stopping the server)"
  exit 0
fi
echo
echo "The server keeps running: the next run is in 150 minutes. Ctrl-C stops it."
trap 'echo; echo "stopping the server"; stop_server; trap - EXIT; exit 0' INT TERM
wait "$server_pid"
