#!/usr/bin/env bash
# Installs what the tests need, builds everything, and runs every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
export CMAKE_GENERATOR="${CMAKE_GENERATOR:-Ninja}"  # a new build tree uses Ninja; an existing one keeps its generator
cmake -S . -B build -DREFINERY_BUILD_TESTS=ON -DREFINERY_BUILD_BENCH=ON
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 --timeout 900
