#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command: install the build dependencies, build, install xlaunch, then
# launch a seed model. With network access and the engine installed this downloads the weights
# and starts serving; without the engine xlaunch stops at once with what to install (exit 4).
# Pass other launch flags to launch something else: scripts/bootstrap.sh -n deepseek-r1 -en llama.cpp
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Warnings are not errors here: another compiler's new warning must not stop an install.
# (scripts/test.sh builds the same Release binary with warnings as errors.)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DXLAUNCH_BUILD_TESTS=OFF -DXLAUNCH_WERROR=OFF >/dev/null
cmake --build build -j "$(nproc)"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
"${sudo[@]}" cmake --install build >/dev/null
echo "installed $(command -v xlaunch): $(xlaunch --version)" >&2

if [[ $# -eq 0 ]]; then
  set -- --model-name deepseek-v2-chat --size-in-billions 16 --model-engine vllm
fi
exec xlaunch "$@"
