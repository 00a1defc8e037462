// SPDX-License-Identifier: Apache-2.0
// A stand-in for NVIDIA's libnvidia-ml.so.1, built by the tests and loaded by xlaunch with dlopen
// as the real one is. $FAKE_GPUS describes the GPUs as for fake_nvidia_smi.py: comma-separated
// groups COUNTxMIB[@USED_MIB], e.g. "8x81920" or "2x81920@1024". Unset or empty: nvmlInit_v2
// fails as without a driver (NVML_ERROR_DRIVER_NOT_LOADED). $FAKE_NVML_FAIL_MEMORY=INDEX makes
// that GPU's memory unreadable; $FAKE_NVML_HANG_MS=N makes nvmlInit_v2 take N ms, as a wedged
// driver would. The GPUs are named "NVIDIA Fake NVML GPU", so a test can tell
// which source xlaunch read.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct FakeGpu {
  unsigned long long total_mib;
  unsigned long long used_mib;
};

std::vector<FakeGpu> fake_gpus() {
  std::vector<FakeGpu> gpus;
  const char* spec = std::getenv("FAKE_GPUS");
  std::string text = spec != nullptr ? spec : "";
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    unsigned count = 0;
    unsigned long long total = 0;
    unsigned long long used = 0;
    const std::string group = text.substr(start, end - start);
    if (std::sscanf(group.c_str(), "%ux%llu@%llu", &count, &total, &used) >= 2) {
      for (unsigned i = 0; i < count; ++i) {
        gpus.push_back({total, used});
      }
    }
    start = end + 1;
  }
  return gpus;
}

constexpr int k_success = 0;
constexpr int k_invalid_argument = 2;
constexpr int k_uninitialized = 1;
constexpr int k_driver_not_loaded = 9;
constexpr int k_unknown = 999;

std::atomic<bool> g_initialised{false};  // a test may leave a hung nvmlInit_v2 behind

}  // namespace

extern "C" {

struct FakeMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

int nvmlInit_v2() {
  if (const char* hang = std::getenv("FAKE_NVML_HANG_MS"); hang != nullptr) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(hang)));
  }
  if (fake_gpus().empty()) {
    return k_driver_not_loaded;
  }
  g_initialised = true;
  return k_success;
}

int nvmlShutdown() {
  if (!g_initialised) {
    return k_uninitialized;
  }
  g_initialised = false;
  return k_success;
}

int nvmlDeviceGetCount_v2(unsigned int* count) {
  if (!g_initialised) {
    return k_uninitialized;
  }
  *count = static_cast<unsigned int>(fake_gpus().size());
  return k_success;
}

// A handle is the index plus one, so that 0 (no handle) is never valid.
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (!g_initialised || index >= fake_gpus().size()) {
    return k_invalid_argument;
  }
  *device = reinterpret_cast<void*>(static_cast<std::uintptr_t>(index) + 1);
  return k_success;
}

int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
  if (device == nullptr || length < 32) {
    return k_invalid_argument;
  }
  std::snprintf(name, length, "NVIDIA Fake NVML GPU");
  return k_success;
}

int nvmlDeviceGetMemoryInfo(void* device, FakeMemory* memory) {
  const auto index = reinterpret_cast<std::uintptr_t>(device) - 1;
  const auto gpus = fake_gpus();
  if (device == nullptr || index >= gpus.size()) {
    return k_invalid_argument;
  }
  if (const char* broken = std::getenv("FAKE_NVML_FAIL_MEMORY"); broken != nullptr && std::atoi(broken) == static_cast<int>(index)) {
    return k_unknown;
  }
  memory->total = gpus[index].total_mib << 20;
  memory->used = gpus[index].used_mib << 20;
  memory->free = memory->total - memory->used;
  return k_success;
}

}  // extern "C"
