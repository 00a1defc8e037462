#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, as the README and CI run it: installs what it needs, then builds and
# runs every test in a plain build, under AddressSanitizer + UndefinedBehaviorSanitizer, and
# under ThreadSanitizer, builds the Release binary the README's first command installs, and
# fuzzes the parsers. Warnings are errors. Exits non-zero on the first failing stage.
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

# The README's first command (scripts/bootstrap.sh) makes a Release build without the tests. It
# must compile too, warning-free: -O3 inlines enough for gcc to warn where -O2 does not.
echo "=== release (as scripts/bootstrap.sh builds) ==="
cmake -S . -B build-test/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DXLAUNCH_BUILD_TESTS=OFF \
  -DXLAUNCH_WERROR=ON >/dev/null
cmake --build build-test/release -j "$jobs"
build-test/release/xlaunch --version
build-test/release/xlaunch list >/dev/null
run_stage asan-ubsan -DCMAKE_BUILD_TYPE=Debug "-DXLAUNCH_SANITIZE=address;undefined"
run_stage tsan -DCMAKE_BUILD_TYPE=Debug -DXLAUNCH_SANITIZE=thread

# libFuzzer over the parsers that read what a hub or a user hands us. A crash leaves its input
# in build-test/fuzz/crashes/; copy it to tests/fuzz/regressions/ so every build replays it.
fuzz_seconds=${XLAUNCH_FUZZ_SECONDS:-60}
echo "=== fuzz (${fuzz_seconds}s per target) ==="
fuzz_dir=build-test/fuzz
# Warnings gate the gcc stages above; clang's extra warnings here are reported, not fatal,
# so a clang-only diagnostic cannot hide the fuzzers' verdict.
CXX=clang++ cmake -S . -B "$fuzz_dir" -G Ninja -DXLAUNCH_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DXLAUNCH_FUZZ=ON "-DXLAUNCH_SANITIZE=address;undefined" >/dev/null
targets=(fuzz_catalog fuzz_hub_listing fuzz_http_headers)
cmake --build "$fuzz_dir" -j "$jobs" --target "${targets[@]}"
mkdir -p "$fuzz_dir/crashes"
for target in "${targets[@]}"; do
  corpus="$fuzz_dir/corpus/${target#fuzz_}"
  mkdir -p "$corpus"
  cp -r "tests/fuzz/corpus/${target#fuzz_}/." "$corpus/"
  # Past crashes start every run too: under clang's UBSan, which checks more than gcc's
  # (float-cast-overflow), a regression is caught here even when the replay tests miss it.
  cp -r tests/fuzz/regressions/. "$corpus/"
  "$fuzz_dir/tests/fuzz/$target" -max_total_time="$fuzz_seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$fuzz_dir/crashes/$target-" "$corpus" 2>&1 | tail -n 12
done
echo "=== all stages passed ==="
