#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Download benchmark entry point: installs what the harness needs (nginx, aria2, curl, openssl,
# a C++ compiler for its helpers) when missing, then runs bench/download_bench.py with the given
# arguments.
#
#   bench/run.sh                                   # scenarios a,b,c, 5 reps, full size
#   bench/run.sh --scale 0.25 --scenario a,c --reps 3
#   XLAUNCH=build/cli/xlaunch bench/run.sh         # include `xlaunch download`
#
# Run from any directory; --work-dir picks the filesystem that is measured (default: $TMPDIR
# or /tmp). `bench/run.sh --help` lists every option.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

packages=(nginx-light aria2 curl openssl python3 g++)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing: ${missing[*]}" >&2
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
# Debian's nginx package starts a system nginx on port 80 where an init system runs; the
# benchmark never uses it and runs its own instance on a free port.

exec python3 "$here/download_bench.py" "$@"
