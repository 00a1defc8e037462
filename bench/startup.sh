#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start-up cost of everyday xlaunch commands, as medians and as a ratio to /bin/true measured
# in the same run (interleaved). Commands that fail (e.g. not implemented yet) are skipped.
#
#   XLAUNCH=build/xlaunch bench/startup.sh [--runs 50] [--json startup.json]
#
# Extra arguments go to bench/cmdtime.py. Runs in an isolated home with an empty cache and a
# dead hub endpoint, so nothing here touches the network or your caches.
set -euo pipefail
source "$(dirname "$0")/common.sh"
find_xlaunch
isolate_env

python3 "$bench_dir/cmdtime.py" --title "xlaunch start-up ($xlaunch)" \
  --baseline "true=/bin/true" \
  --cmd "list=$xlaunch_q list" \
  --cmd "engines=$xlaunch_q engines -n deepseek-r1" \
  --cmd "dry-run=$xlaunch_q -n deepseek-r1 -en llama.cpp --dry-run" \
  "$@"
