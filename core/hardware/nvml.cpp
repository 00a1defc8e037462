// SPDX-License-Identifier: Apache-2.0
#include "core/hardware/nvml.hpp"

#include "core/util/shared_library.hpp"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace xl::hardware {

namespace {

// The few NVML types xlaunch needs, as nvml.h declares them (its ABI has been stable since the
// _v2 functions of CUDA 5.5); the header ships with the CUDA toolkit, not with Debian.
using NvmlReturn = int;  // nvmlReturn_t; NVML_SUCCESS is 0
constexpr NvmlReturn k_nvml_success = 0;
using NvmlDevice = struct NvmlDeviceOpaque*;  // nvmlDevice_t
struct NvmlMemory {                           // nvmlMemory_t (version 1), in bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr unsigned int k_name_buffer = 96;  // NVML_DEVICE_NAME_V2_BUFFER_SIZE

// NVML's functions, looked up in the library.
struct Nvml {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  NvmlReturn (*count_devices)(unsigned int*) = nullptr;
  NvmlReturn (*device_by_index)(unsigned int, NvmlDevice*) = nullptr;
  NvmlReturn (*device_name)(NvmlDevice, char*, unsigned int) = nullptr;
  NvmlReturn (*memory_info)(NvmlDevice, NvmlMemory*) = nullptr;
};

// Opening and looking up run no driver code, so they stay on the caller's thread: a machine
// without NVML (most of them) pays no thread for it.
std::optional<Nvml> load(const std::string& library_name) {
  void* library = try_open_shared_library(library_name.c_str());
  if (library == nullptr) {
    return std::nullopt;
  }
  Nvml nvml;
  if (!try_find_function(library, "nvmlInit_v2", nvml.init) || !try_find_function(library, "nvmlShutdown", nvml.shutdown) ||
      !try_find_function(library, "nvmlDeviceGetCount_v2", nvml.count_devices) ||
      !try_find_function(library, "nvmlDeviceGetHandleByIndex_v2", nvml.device_by_index) ||
      !try_find_function(library, "nvmlDeviceGetName", nvml.device_name) ||
      !try_find_function(library, "nvmlDeviceGetMemoryInfo", nvml.memory_info)) {
    close_shared_library(library);
    return std::nullopt;
  }
  // NVML stays mapped from here on, as a linked library would (the engine's exec discards it):
  // a library that has run may leave exit handlers or threads behind that dlclose would strand.
  return nvml;
}

std::optional<std::vector<GpuInfo>> read(const Nvml& nvml) {
  if (nvml.init() != k_nvml_success) {
    return std::nullopt;  // no driver loaded, or no permission: nvidia-smi would say why
  }
  std::optional<std::vector<GpuInfo>> gpus;
  unsigned int count = 0;
  if (nvml.count_devices(&count) == k_nvml_success) {
    gpus.emplace();
    for (unsigned int index = 0; index < count && gpus; ++index) {
      NvmlDevice device = nullptr;
      char name[k_name_buffer] = {};
      NvmlMemory memory{};
      if (nvml.device_by_index(index, &device) != k_nvml_success ||
          nvml.device_name(device, name, k_name_buffer) != k_nvml_success ||
          nvml.memory_info(device, &memory) != k_nvml_success) {
        gpus.reset();  // a GPU NVML cannot read (lost, or in a bad state): let nvidia-smi report
        break;
      }
      const std::uint64_t total_mib = memory.total >> 20;
      const std::uint64_t free_mib = memory.free >> 20;
      gpus->push_back(GpuInfo{static_cast<int>(index), name, total_mib, total_mib > free_mib ? total_mib - free_mib : 0});
    }
  }
  nvml.shutdown();
  return gpus;
}

// What the reading thread hands over; shared, since an abandoned thread outlives the caller.
struct Reading {
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
  std::optional<std::vector<GpuInfo>> gpus;
};

}  // namespace

std::optional<std::vector<GpuInfo>> read_nvml_gpus(const std::string& library, std::chrono::milliseconds timeout) {
  // NVML runs in this process, where nvidia-smi ran under the process runner's timeout: a driver
  // that hangs must not hang the launch. The thread that waits on it is left behind (a call into
  // the driver cannot be interrupted); the exec or the exit ends it.
  const auto nvml = load(library);
  if (!nvml) {
    return std::nullopt;
  }
  auto reading = std::make_shared<Reading>();
  std::thread([reading, nvml = *nvml] {
    auto gpus = read(nvml);
    const std::lock_guard lock(reading->mutex);
    reading->gpus = std::move(gpus);
    reading->done = true;
    reading->done_changed.notify_one();
  }).detach();
  std::unique_lock lock(reading->mutex);
  if (!reading->done_changed.wait_for(lock, timeout, [&] { return reading->done; })) {
    return std::nullopt;
  }
  return std::move(reading->gpus);
}

}  // namespace xl::hardware
