# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/startup.sh and bench/cached_launch.sh: finds the xlaunch binary and gives it
# an isolated, offline-safe environment in a temp dir that is removed on exit.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$bench_dir/.." && pwd)

find_xlaunch() {
  local candidate
  if [[ -n ${XLAUNCH:-} ]]; then
    candidate=$XLAUNCH
  else
    for candidate in "$repo_root/build/xlaunch" "$repo_root/build/cli/xlaunch" "$(command -v xlaunch || true)"; do
      [[ -n $candidate && -x $candidate ]] && break
    done
  fi
  if [[ -z $candidate || ! -x $candidate ]]; then
    echo "$(basename "$0"): no xlaunch binary; build it or set XLAUNCH=/path/to/xlaunch" >&2
    exit 2
  fi
  xlaunch=$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")
  xlaunch_q=$(printf '%q' "$xlaunch")
}

isolate_env() {
  bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/xlaunch-bench-XXXXXX")
  trap 'rm -rf "$bench_tmp"' EXIT
  while IFS='=' read -r name _; do
    case $name in HF_* | HUGGING* | MODELSCOPE_* | XLAUNCH_* | XINFERENCE_* | TRANSFORMERS_* | *_proxy | *_PROXY | CUDA_VISIBLE_DEVICES) unset "$name" ;; esac
  done < <(env)
  export HOME=$bench_tmp/home XLAUNCH_HOME=$bench_tmp/home/.xlaunch
  export HF_HOME=$bench_tmp/hf MODELSCOPE_CACHE=$bench_tmp/modelscope
  # Port 9 (discard) on loopback: a command that tries the network fails at once, never leaks.
  export HF_ENDPOINT=http://127.0.0.1:9 MODELSCOPE_ENDPOINT=http://127.0.0.1:9 MODELSCOPE_DOMAIN=127.0.0.1:9
  # GPUs come from the benchmark's fake nvidia-smi, never from this machine's driver, unless
  # BENCH_NVML_LIBRARY names an NVML library to read them from instead: the tests' fake
  # (build/tests/fake_nvml/libnvidia-ml.so.1) reads FAKE_GPUS, set to the fake nvidia-smi's GPUs.
  export XLAUNCH_NVML_LIBRARY=${BENCH_NVML_LIBRARY:-none} FAKE_GPUS=8x143771@771
  mkdir -p "$HOME" "$HF_HOME"
}
