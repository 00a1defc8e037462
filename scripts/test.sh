#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, as the README and CI run it: installs what it needs, then builds and
# runs every test in a plain build, under AddressSanitizer + UndefinedBehaviorSanitizer, and
# under ThreadSanitizer. Warnings are errors. Exits non-zero on the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test
jobs=$(nproc)

run_stage() {
  local name=$1; shift
  local dir="build-test/$name"
  echo "=== $name ==="
  cmake -S . -B "$dir" -G Ninja -DXLAUNCH_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

run_stage plain -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_stage asan-ubsan -DCMAKE_BUILD_TYPE=Debug "-DXLAUNCH_SANITIZE=address;undefined"
run_stage tsan -DCMAKE_BUILD_TYPE=Debug -DXLAUNCH_SANITIZE=thread
echo "=== all stages passed ==="
