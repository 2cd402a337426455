#!/usr/bin/env bash
# Installs what Refinery needs, builds it, and runs the example pipeline end to
# end on the embedded defaults: SQLite state and a local file-system root in
# ./refinery-home (override with REFINERY_HOME).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DREFINERY_BUILD_TESTS=OFF -DREFINERY_BUILD_BENCH=OFF
cmake --build build -j2 --target refinery
export REFINERY_HOME="${REFINERY_HOME:-$PWD/refinery-home}"
echo "== running examples/quickstart (data home: $REFINERY_HOME)"
build/refinery job -config examples/quickstart/job.properties -run
echo
echo "== what it left behind"
build/refinery fs -ls -R /user
build/refinery jobs -len 5
echo "Inspect a run with: build/refinery job -info <job id>   (or -log <job id>)"
