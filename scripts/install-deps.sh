#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages xlaunch needs to build and test. Does nothing when they are all
# present, so it is cheap to call from every script. Needs root (or sudo) only when installing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libssl-dev doctest-dev
)
if [[ "${1:-}" == "--test" ]]; then
  # The test suite also drives real shells, renders the man page and fuzzes with clang;
  # tests/e2e/test_bench_harness.py runs nginx, aria2c and curl; the network
  # fault tests make a test CA with the openssl command.
  packages+=(bash-completion zsh fish groff-base clang libclang-rt-14-dev nginx-light aria2 curl openssl)
fi

missing=()
# npm ships inside some Node.js packages (NodeSource's) and separately in Debian's; ask for
# Debian's only when there is no npm at all, so the two never conflict.
if [[ "${1:-}" == "--test" ]] && ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing: ${missing[*]}" >&2
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# tests/e2e/test_interop_hfjs.py runs the official Hugging Face JS client at the version
# tests/interop/package-lock.json pins. Install it when node_modules is absent or older than the
# lock file (npm ci writes node_modules/.package-lock.json last), as the current user.
if [[ "${1:-}" == "--test" ]]; then
  interop="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
  installed="$interop/node_modules/.package-lock.json"
  if [[ ! -f "$installed" || "$interop/package-lock.json" -nt "$installed" ]]; then
    echo "installing tests/interop's npm packages (npm ci)" >&2
    npm ci --prefix "$interop" --no-audit --no-fund
  fi
fi
