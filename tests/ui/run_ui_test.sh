#!/bin/sh
# CTest entry of the web UI's browser test. Exits 77 (CTest: skipped) when
# what it needs is not installed, saying why; scripts/install-deps.sh --test
# installs Debian's chromium and runs `npm ci` here.
#   run_ui_test.sh <path/to/refinery> <screenshot dir> [more arguments]
# REFINERY_UI_SCRIPT names the test script (default ui_e2e_test.mjs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
chromium=${REFINERY_CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed; run scripts/install-deps.sh --test"
  exit 77
fi
if [ ! -x "$chromium" ]; then
  echo "SKIP: no browser at $chromium; run scripts/install-deps.sh --test (Debian's chromium) or set REFINERY_CHROMIUM"
  exit 77
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  echo "SKIP: playwright-core is not installed in $here/node_modules; run scripts/install-deps.sh --test (npm ci)"
  exit 77
fi
REFINERY_CHROMIUM=$chromium exec node "$here/${REFINERY_UI_SCRIPT:-ui_e2e_test.mjs}" "$@"
