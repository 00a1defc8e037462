#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Target: a fully cached launch of the 163-shard DeepSeek-R1 repo reaches the engine's exec
# within 20 ms with --offline.
#
#   XLAUNCH=build/xlaunch bench/cached_launch.sh [--runs 50] [--json cached.json]
#
# With BENCH_NVML_LIBRARY=build/tests/fake_nvml/libnvidia-ml.so.1, xlaunch reads the same eight
# GPUs from the tests' fake NVML library in-process instead of running the fake nvidia-smi.
#
# Builds a complete HF cache of deepseek-ai/DeepSeek-R1 at the catalog's pinned commit with 163
# tiny shards (bench/fake_r1_cache.py), puts a fake `vllm` (exits at once, records its argv) and
# a fake `nvidia-smi` (8 x H200) first on PATH, then times
#   xlaunch -n deepseek-r1 -f pytorch --offline $XLAUNCH_EXTRA_ARGS
# against /bin/true and against the fake engine alone, interleaved. The launch row includes the
# fake engine's own start (the "engine alone" row), so the time to exec is launch - engine alone.
# It only succeeds once `xlaunch` resolves the cache offline and execs vllm; until then the
# launch is reported as skipped.
set -euo pipefail
source "$(dirname "$0")/common.sh"
find_xlaunch
isolate_env

snapshot=$(python3 "$bench_dir/fake_r1_cache.py" --catalog "$repo_root/catalog/llm_family.json" \
  --hf-home "$HF_HOME")
shards=$(find "$snapshot" -name 'model-*-of-*.safetensors' | wc -l)
echo "fake cache: $shards shards in $snapshot" >&2

fakebin=$bench_tmp/bin
mkdir -p "$fakebin"
marker=$bench_tmp/vllm-argv
cat > "$fakebin/vllm" <<FAKE
#!/bin/sh
# Fake vLLM for the benchmark: answers --version, otherwise records its argv and exits.
case "\$1" in --version|-v) echo 0.11.0; exit 0 ;; esac
printf '%s\n' "\$*" > '$marker'
exit 0
FAKE
cat > "$fakebin/nvidia-smi" <<'FAKE'
#!/bin/sh
# Fake nvidia-smi for the benchmark: 8 x NVIDIA H200, answers --query-gpu=... in CSV.
query= units=" MiB" header=1
for arg in "$@"; do
  case $arg in
    --query-gpu=*) query=${arg#--query-gpu=} ;;
    --format=*) case $arg in *nounits*) units= ;; esac; case $arg in *noheader*) header= ;; esac ;;
  esac
done
[ -n "$query" ] || { echo "NVIDIA-SMI 560.35.03 (benchmark fake), 8 x NVIDIA H200"; exit 0; }
[ -n "$header" ] && echo "$query" | sed 's/,/, /g'
i=0
while [ $i -lt 8 ]; do
  line= ; IFS=,
  for field in $query; do
    case $field in
      index) v=$i ;; uuid) v=GPU-00000000-0000-0000-0000-00000000000$i ;; name) v="NVIDIA H200" ;;
      memory.total) v=143771$units ;; memory.free) v=143000$units ;; memory.used) v=771$units ;;
      compute_cap) v=9.0 ;; driver_version) v=560.35.03 ;; count) v=8 ;; pci.bus_id) v=00000000:0$i:00.0 ;;
      *) v="[N/A]" ;;
    esac
    line=${line:+$line, }$v
  done
  unset IFS
  echo "$line"
  i=$((i + 1))
done
FAKE
chmod +x "$fakebin/vllm" "$fakebin/nvidia-smi"
export PATH=$fakebin:$PATH

launch="$xlaunch_q -n deepseek-r1 -f pytorch --offline ${XLAUNCH_EXTRA_ARGS:-}"
# One untimed launch first: it must end in the fake vllm, handed the cached snapshot.
rm -f "$marker"
set +e
eval "$launch" > "$bench_tmp/launch.out" 2>&1
code=$?
set -e
if [[ -s $marker ]] && grep -q "models--deepseek-ai--DeepSeek-R1/snapshots/" "$marker"; then
  echo "engine exec verified; fake vllm received: $(head -c 400 "$marker")" >&2
else
  echo "xlaunch did not exec the fake vllm with the cached snapshot (exit $code);" \
    "this target needs xlaunch's offline cache resolution and the vllm engine. Output:" >&2
  tail -n 5 "$bench_tmp/launch.out" >&2
  exit 1
fi

python3 "$bench_dir/cmdtime.py" --title "fully cached launch, 163-shard DeepSeek-R1, --offline" \
  --baseline "true=/bin/true" \
  --cmd "engine-alone=$(printf '%q' "$fakebin/vllm") serve $(printf '%q' "$snapshot")" \
  --cmd "launch=$launch" \
  --target "launch:20" \
  "$@"
