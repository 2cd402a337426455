#!/usr/bin/env bash
# Installs every Debian 12 package Refinery needs. Idempotent; uses sudo when not root.
#   scripts/install-deps.sh          build + run (the example pipeline)
#   scripts/install-deps.sh --test   also what the test suite needs (fuzzers, SMTP sink)
#   scripts/install-deps.sh --bench  also the peers the benchmarks compare against
set -euo pipefail

want_test=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg' (use --test, --bench)" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  build-essential cmake ninja-build pkg-config
  libpugixml-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libmariadb-dev
  libcli11-dev libfmt-dev libspdlog-dev libcurl4-openssl-dev
  libhowardhinnant-date-dev libboost-dev librsvg2-dev fonts-dejavu-core
  libxgboost-dev xgboost
  libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tzdata ca-certificates
  sqlite3  # examples/funnel/create-funnel-db.sh builds the demo source database
)
if [ "$want_test" -eq 1 ]; then
  packages+=(clang-14 libclang-rt-14-dev python3-aiosmtpd python3 curl postgresql mariadb-server mariadb-client)
  packages+=(chromium nodejs)  # the web UI's browser test (tests/ui)
  packages+=(slurmctld slurmd slurm-client munge)  # tests/executor: a single-node Slurm cluster
fi
# tests/ui: playwright-core as pinned in its package-lock.json; it drives
# Debian's chromium and never downloads a browser. Skipped when current.
install_ui_test_modules() {
  [ "$want_test" -eq 1 ] || return 0
  local ui_dir
  ui_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/ui"
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm not found; the web UI browser test (tests/ui) will be skipped" >&2
    return 0
  fi
  if node -e 'const d=process.argv[1];const want=require(d+"/package-lock.json").packages["node_modules/playwright-core"].version;
    process.exit(require(d+"/node_modules/playwright-core/package.json").version===want?0:1)' "$ui_dir" 2>/dev/null; then
    return 0
  fi
  echo "install-deps: npm ci in tests/ui"
  (cd "$ui_dir" && npm ci --no-audit --no-fund)
}
if [ "$want_bench" -eq 1 ]; then
  packages+=(snakemake hyperfine python3-pandas time python3-sklearn python3-xgboost wrk nginx-light)
  packages+=(python3-flask gunicorn)  # bench/predict_bench.sh: the Flask + scikit-learn peer
  packages+=(bc)  # bench/funnel_bench.sh
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  install_ui_test_modules
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_ui_test_modules
