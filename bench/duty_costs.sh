#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What each per-file duty of `xlaunch download` costs in scenario c (500 x 64 KiB), measured by
# switching the duties off one at a time in a scratch build:
#
#   bench/duty_costs.sh                                 # 11 reps on $TMPDIR's filesystem
#   bench/duty_costs.sh --reps 21 --work-dir /mnt/fresh # any bench/run.sh option passes through
#   bench/duty_costs.sh --patched /tmp/xl-duties        # reuse a build made by an earlier run
#
# bench/duty_costs.patch adds four switches to a scratch copy of HEAD (a git worktree, built in
# a temporary folder, removed at the end): XLAUNCH_BENCH_SKIP_HASH (trust the bytes),
# _FSYNC (no fsync, nor shared sync of small files, before the rename), _LOCKS (no
# huggingface_hub lock files) and _LINKS (no snapshot symlinks). The real xlaunch has none of them: a user cannot turn verification or
# durability off. The harness still checks every output's sha256 (through the blobs for the
# variants without links).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

patched=""
passthrough=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --patched) patched=${2:?--patched needs the path of a patched xlaunch}; shift 2 ;;
    *) passthrough+=("$1"); shift ;;
  esac
done

scratch=""
cleanup() {
  if [[ -n "$scratch" ]]; then
    git -C "$repo" worktree remove --force "$scratch/src" 2>/dev/null || true
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT

if [[ -z "$patched" ]]; then
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/xlaunch-duties-XXXXXX")
  git -C "$repo" worktree add --detach --quiet "$scratch/src" HEAD
  git -C "$scratch/src" apply "$here/duty_costs.patch" ||
    { echo "bench/duty_costs.patch no longer applies to HEAD: update it" >&2; exit 1; }
  echo "building the patched xlaunch in $scratch (a few minutes)" >&2
  cmake -S "$scratch/src" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DXLAUNCH_BUILD_TESTS=OFF >/dev/null
  cmake --build "$scratch/build" --target xlaunch >/dev/null
  patched="$scratch/build/xlaunch"
  keep="${TMPDIR:-/tmp}/xlaunch-duties"
  cp "$patched" "$keep" && echo "kept a copy for --patched: $keep" >&2
fi

all="XLAUNCH_BENCH_SKIP_HASH,XLAUNCH_BENCH_SKIP_FSYNC,XLAUNCH_BENCH_SKIP_LOCKS,XLAUNCH_BENCH_SKIP_LINKS"
"$here/run.sh" --scenario c --reps 11 --clients xlaunch,curl --no-floors --xlaunch "$patched" \
  --xlaunch-variant "no-hash=XLAUNCH_BENCH_SKIP_HASH" \
  --xlaunch-variant "no-fsync=XLAUNCH_BENCH_SKIP_FSYNC" \
  --xlaunch-variant "no-locks=XLAUNCH_BENCH_SKIP_LOCKS" \
  --xlaunch-variant "no-links=XLAUNCH_BENCH_SKIP_LINKS" \
  --xlaunch-variant "none=$all" \
  --json "${TMPDIR:-/tmp}/duty-costs.json" "${passthrough[@]}"
