#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Loopback throughput of the transfer engine against curl (and aria2c), served by nginx.
# Usage: tests/support/bench_transfer.sh BUILD_DIR [WORK_DIR] [CONNECTIONS]
# Needs nginx, curl, aria2c, /usr/bin/time (scripts/install-deps.sh --test). WORK_DIR keeps the
# generated files between runs (4 GiB served + 4 GiB downloaded).
set -euo pipefail
build=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
connections=${3:-16}
mkdir -p "$work/www" "$work/dl" "$work/nginx"
cd "$work"

for i in $(seq -w 0 15); do
  [[ -f www/s$i.bin ]] || head -c $((128 << 20)) /dev/urandom > "www/s$i.bin"
done
[[ -f www/big.bin ]] || head -c $((2048 << 20)) /dev/urandom > www/big.bin
[[ -f sums ]] || (cd www && sha256sum ./*.bin > ../sums)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > nginx/nginx.conf <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
trap 'kill $(cat "$work/nginx/nginx.pid")' EXIT
sleep 0.5
base="http://127.0.0.1:$port"

files_of() {  # names -> name:size:sha list
  local out=()
  for name in "$@"; do
    out+=("$name:$(stat -c %s "www/$name"):$(grep " ./$name\$" sums | cut -d' ' -f1)")
  done
  local IFS=,
  echo "${out[*]}"
}
small=$(cd www && ls s*.bin)
mbps() { python3 -c "print(f'{$1 / 1e6 / $2:.0f} MB/s')"; }

run_case() {
  local label=$1 bytes=$2; shift 2
  rm -rf dl/*
  sync; echo "== $label"
  local start end
  start=$(date +%s.%N)
  curl -s --no-progress-meter --parallel --parallel-max "$connections" $(for n in "$@"; do echo "-o dl/$n $base/$n"; done) 2>/dev/null
  end=$(date +%s.%N)
  echo "curl (one connection per file): $(mbps "$bytes" "$(echo "$end - $start" | bc)")"
  rm -rf dl/*
  if [[ $# -eq 1 ]]; then
    start=$(date +%s.%N)
    aria2c -q -x "$connections" -s "$connections" -k 10M -d dl --allow-overwrite=true "$base/$1"
    end=$(date +%s.%N)
    echo "aria2c -x$connections -s$connections -k10M: $(mbps "$bytes" "$(echo "$end - $start" | bc)")"
    rm -rf dl/*
  fi
  XLAUNCH_BENCH_URL=$base XLAUNCH_BENCH_FILES=$(files_of "$@") XLAUNCH_BENCH_DEST=$work/dl \
    XLAUNCH_BENCH_CONNECTIONS=$connections \
    /usr/bin/time -v "$build/tests/xlaunch_tests" --no-skip -tc='bench: *' 2> time.log | grep 'xlaunch:' || true
  grep -E 'Maximum resident|Elapsed' time.log
}

# shellcheck disable=SC2086
run_case "16 x 128 MiB" $((16 * 128 << 20)) $small
run_case "1 x 2 GiB" $((2048 << 20)) big.bin
