// SPDX-License-Identifier: Apache-2.0
#pragma once

// NVIDIA GPUs read from NVML (libnvidia-ml.so.1, installed with the driver), the library
// nvidia-smi itself reads them from. Reading it in-process spares every launch nvidia-smi's
// process start and its own setup; the driver's initialisation (quick with persistence mode on,
// as servers run it) is paid either way. The benchmark's nvidia-smi is a shell script, and even
// that cost 3.3 ms of a cached launch (README, Performance).

#include "core/hardware/gpu.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace xl::hardware {

// NVML's soname, which the driver installs and the dynamic loader finds.
inline constexpr const char* k_nvml_soname = "libnvidia-ml.so.1";

// How long NVML may take to answer before nvidia-smi is asked instead.
inline constexpr std::chrono::milliseconds k_nvml_timeout{10'000};

// The GPUs NVML reports, in its index order (nvidia-smi's), with the memory it counts as used
// being everything not free. nullopt when the library cannot be loaded, lacks a function, does
// not initialise (no driver) or takes longer than `timeout`: the caller then asks nvidia-smi.
// `library` is a soname or a path.
std::optional<std::vector<GpuInfo>> read_nvml_gpus(const std::string& library,
                                                   std::chrono::milliseconds timeout = k_nvml_timeout);

}  // namespace xl::hardware
