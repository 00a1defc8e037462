// SPDX-License-Identifier: Apache-2.0
#pragma once

// NVIDIA GPUs as NVML or nvidia-smi reports them, and the choice of GPUs for one launch
// (--n-gpu auto|none|N, --gpu-idx 0,1). Parsing and selection are pure; probing loads NVML
// (nvml.hpp) or runs nvidia-smi through a CommandRunner, so tests use fakes of both.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl::exec {
class CommandRunner;
}

namespace xl::hardware {

struct GpuInfo {
  int index = 0;                       // nvidia-smi's index (physical, before CUDA_VISIBLE_DEVICES)
  std::string name;                    // "NVIDIA H100 80GB HBM3"
  std::uint64_t memory_total_mib = 0;  // MiB
  std::uint64_t memory_used_mib = 0;   // MiB

  std::uint64_t memory_free_mib() const {
    return memory_used_mib < memory_total_mib ? memory_total_mib - memory_used_mib : 0;
  }
};

// The arguments xlaunch passes to nvidia-smi (engines.md §9).
const std::vector<std::string>& nvidia_smi_query_args();

// Parses `--query-gpu=index,name,memory.total,memory.used --format=csv,noheader,nounits` output,
// one GPU per line ("0, NVIDIA H100 80GB HBM3, 81559, 0"). Blank lines are skipped; a malformed
// line throws Error(preflight) quoting it.
std::vector<GpuInfo> parse_nvidia_smi_csv(std::string_view csv);

// Keeps the GPUs named by the caller's CUDA_VISIBLE_DEVICES (comma list of indices), in that
// order. Unset -> all. "" or "-1" -> none. Entries that are not plain indices (GPU UUIDs, MIG
// ids) cannot be matched to nvidia-smi's index column, so then all GPUs are kept.
std::vector<GpuInfo> filter_visible(const std::vector<GpuInfo>& gpus,
                                    const std::optional<std::string>& cuda_visible_devices);

// Reads the GPUs from NVML (`nvml_library`: a soname or a path; "" = libnvidia-ml.so.1,
// "none" = skip it), else runs nvidia-smi (found on `path_env`) and parses it. Neither (no
// driver) means no NVIDIA GPU: an empty list, never an error.
std::vector<GpuInfo> probe_nvidia_gpus(exec::CommandRunner& runner, const std::string& path_env,
                                       const std::string& nvml_library);

// The GPUs one launch uses on this node.
struct GpuLayout {
  std::vector<GpuInfo> gpus;   // in index order; empty = CPU
  bool cpu_requested = false;  // --n-gpu none: the user asked for CPU on purpose

  std::size_t count() const { return gpus.size(); }
  std::uint64_t total_mib() const;
  std::uint64_t free_mib() const;
  // "0,1" for CUDA_VISIBLE_DEVICES; "-1" when no GPU is used.
  std::string cuda_visible_devices() const;
};

// Applies --gpu-idx (wins over --n-gpu, as in Xinference) or --n-gpu: "auto" = every visible GPU
// (Xinference uses 1; users expect all, issue #2651), "none"/"None" = CPU, "N" = the N GPUs with
// the least memory in use. Errors: malformed values -> usage (2); more GPUs than visible or an
// index that is not visible -> resources (5).
GpuLayout select_gpus(const std::vector<GpuInfo>& visible, const std::string& n_gpu,
                      const std::optional<std::string>& gpu_idx);

}  // namespace xl::hardware
