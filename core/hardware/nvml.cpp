// SPDX-License-Identifier: Apache-2.0
#include "core/hardware/nvml.hpp"

#include <dlfcn.h>

#include <condition_variable>
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

struct LibraryCloser {
  void operator()(void* library) const { ::dlclose(library); }
};

template <typename Function>
bool find(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  return function != nullptr;
}

std::optional<std::vector<GpuInfo>> read_now(const std::string& library_name) {
  std::unique_ptr<void, LibraryCloser> library(::dlopen(library_name.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    return std::nullopt;
  }
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  NvmlReturn (*count_devices)(unsigned int*) = nullptr;
  NvmlReturn (*device_by_index)(unsigned int, NvmlDevice*) = nullptr;
  NvmlReturn (*device_name)(NvmlDevice, char*, unsigned int) = nullptr;
  NvmlReturn (*memory_info)(NvmlDevice, NvmlMemory*) = nullptr;
  if (!find(library.get(), "nvmlInit_v2", init) || !find(library.get(), "nvmlShutdown", shutdown) ||
      !find(library.get(), "nvmlDeviceGetCount_v2", count_devices) ||
      !find(library.get(), "nvmlDeviceGetHandleByIndex_v2", device_by_index) ||
      !find(library.get(), "nvmlDeviceGetName", device_name) ||
      !find(library.get(), "nvmlDeviceGetMemoryInfo", memory_info)) {
    return std::nullopt;
  }
  // NVML stays mapped from here on, as a linked library would (the engine's exec discards it):
  // a library that has run may leave exit handlers or threads behind that dlclose would strand.
  library.release();
  if (init() != k_nvml_success) {
    return std::nullopt;  // no driver loaded, or no permission: nvidia-smi would say why
  }
  std::optional<std::vector<GpuInfo>> gpus;
  unsigned int count = 0;
  if (count_devices(&count) == k_nvml_success) {
    gpus.emplace();
    for (unsigned int index = 0; index < count && gpus; ++index) {
      NvmlDevice device = nullptr;
      char name[k_name_buffer] = {};
      NvmlMemory memory{};
      if (device_by_index(index, &device) != k_nvml_success || device_name(device, name, k_name_buffer) != k_nvml_success ||
          memory_info(device, &memory) != k_nvml_success) {
        gpus.reset();  // a GPU NVML cannot read (lost, or in a bad state): let nvidia-smi report
        break;
      }
      const std::uint64_t total_mib = memory.total >> 20;
      const std::uint64_t free_mib = memory.free >> 20;
      gpus->push_back(GpuInfo{static_cast<int>(index), name, total_mib, total_mib > free_mib ? total_mib - free_mib : 0});
    }
  }
  shutdown();
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
  auto reading = std::make_shared<Reading>();
  std::thread([reading, library] {
    auto gpus = read_now(library);
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
