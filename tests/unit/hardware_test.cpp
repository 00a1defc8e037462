// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>

#include "core/exec/command_runner.hpp"
#include "core/hardware/gpu.hpp"
#include "core/hardware/nvml.hpp"
#include "core/hardware/memory.hpp"
#include "core/util/error.hpp"
#include "error_code_of.hpp"
#include "temp_dir.hpp"

using namespace xl;
using test::code_of;
using hardware::GpuInfo;

namespace {

std::vector<GpuInfo> four_gpus() {
  return hardware::parse_nvidia_smi_csv(
      "0, NVIDIA A100-SXM4-80GB, 81920, 70000\n"
      "1, NVIDIA A100-SXM4-80GB, 81920, 10\n"
      "2, NVIDIA A100-SXM4-80GB, 81920, 500\n"
      "3, NVIDIA A100-SXM4-80GB, 81920, 0\n");
}

std::string indices(const hardware::GpuLayout& layout) { return layout.cuda_visible_devices(); }

}  // namespace

TEST_CASE("nvidia-smi CSV parsing") {
  const auto gpus = hardware::parse_nvidia_smi_csv(
      "0, NVIDIA H100 80GB HBM3, 81559, 1\r\n\n1, NVIDIA H100 80GB HBM3, 81559, 40000\n");
  REQUIRE(gpus.size() == 2);
  CHECK(gpus[0].index == 0);
  CHECK(gpus[0].name == "NVIDIA H100 80GB HBM3");
  CHECK(gpus[0].memory_total_mib == 81559);
  CHECK(gpus[1].memory_used_mib == 40000);
  CHECK(gpus[1].memory_free_mib() == 41559);
  CHECK(hardware::parse_nvidia_smi_csv("").empty());
  CHECK(code_of([] { hardware::parse_nvidia_smi_csv("0, GPU, [N/A], 0\n"); }) ==
        ExitCode::preflight);
  CHECK(code_of([] { hardware::parse_nvidia_smi_csv("0, GPU, 100\n"); }) == ExitCode::preflight);
}

TEST_CASE("CUDA_VISIBLE_DEVICES filters the probed GPUs") {
  const auto gpus = four_gpus();
  CHECK(hardware::filter_visible(gpus, std::nullopt).size() == 4);
  CHECK(hardware::filter_visible(gpus, std::string("")).empty());
  CHECK(hardware::filter_visible(gpus, std::string("-1")).empty());
  const auto two = hardware::filter_visible(gpus, std::string("3,1"));
  REQUIRE(two.size() == 2);
  CHECK(two[0].index == 3);
  CHECK(two[1].index == 1);
  CHECK(hardware::filter_visible(gpus, std::string("GPU-8f2c")).size() == 4);
  CHECK(hardware::filter_visible(gpus, std::string("1,-1,2")).size() == 1);
}

TEST_CASE("--n-gpu and --gpu-idx choose the GPUs") {
  const auto gpus = four_gpus();
  CHECK(indices(hardware::select_gpus(gpus, "auto", std::nullopt)) == "0,1,2,3");
  // N = the least loaded, listed in index order.
  CHECK(indices(hardware::select_gpus(gpus, "2", std::nullopt)) == "1,3");
  CHECK(indices(hardware::select_gpus(gpus, "3", std::nullopt)) == "1,2,3");
  const auto cpu = hardware::select_gpus(gpus, "none", std::nullopt);
  CHECK(cpu.cpu_requested);
  CHECK(indices(cpu) == "-1");
  CHECK(hardware::select_gpus(gpus, "None", std::nullopt).cpu_requested);
  // --gpu-idx wins over --n-gpu and keeps the user's order.
  CHECK(indices(hardware::select_gpus(gpus, "1", std::string("2,0"))) == "2,0");
  CHECK(indices(hardware::select_gpus(gpus, "auto", std::string("1,1"))) == "1");
  CHECK(code_of([&] { hardware::select_gpus(gpus, "5", std::nullopt); }) == ExitCode::resources);
  CHECK(code_of([&] { hardware::select_gpus(gpus, "0", std::nullopt); }) == ExitCode::usage);
  CHECK(code_of([&] { hardware::select_gpus(gpus, "two", std::nullopt); }) == ExitCode::usage);
  CHECK(code_of([&] { hardware::select_gpus(gpus, "auto", std::string("7")); }) ==
        ExitCode::resources);
  CHECK(code_of([&] { hardware::select_gpus(gpus, "auto", std::string("0,x")); }) ==
        ExitCode::usage);
  CHECK(hardware::select_gpus({}, "auto", std::nullopt).gpus.empty());
  const auto layout = hardware::select_gpus(gpus, "auto", std::nullopt);
  CHECK(layout.total_mib() == 4 * 81920);
  CHECK(layout.free_mib() == 4 * 81920 - 70000 - 10 - 500);
}

TEST_CASE("GPU probe runs nvidia-smi from PATH, none or a failing one means no GPU") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  CHECK(hardware::probe_nvidia_gpus(runner, dir.str(), "none").empty());
  dir.write("bin/nvidia-smi",
            "#!/bin/sh\n"
            "[ \"$1\" = \"--query-gpu=index,name,memory.total,memory.used\" ] || exit 3\n"
            "[ \"$2\" = \"--format=csv,noheader,nounits\" ] || exit 4\n"
            "echo '0, Fake, 24576, 0'\necho '1, Fake, 24576, 100'\n",
            0755);
  const auto gpus = hardware::probe_nvidia_gpus(runner, dir.str() + "/bin", "none");
  REQUIRE(gpus.size() == 2);
  CHECK(gpus[1].memory_used_mib == 100);
  dir.write("broken/nvidia-smi", "#!/bin/sh\necho 'NVIDIA-SMI has failed'\nexit 9\n", 0755);
  CHECK(hardware::probe_nvidia_gpus(runner, dir.str() + "/broken", "none").empty());
}

TEST_CASE("GPU probe reads NVML first and falls back to nvidia-smi when NVML cannot answer") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  dir.write("bin/nvidia-smi", "#!/bin/sh\necho '0, From nvidia-smi, 24576, 0'\n", 0755);
  const std::string path = dir.str() + "/bin";
  ::setenv("FAKE_GPUS", "2x81920@1024,1x24576", 1);
  const auto gpus = hardware::probe_nvidia_gpus(runner, path, XLAUNCH_FAKE_NVML);
  REQUIRE(gpus.size() == 3);
  CHECK(gpus[0].name == "NVIDIA Fake NVML GPU");
  CHECK(gpus[1].index == 1);
  CHECK(gpus[1].memory_total_mib == 81920);
  CHECK(gpus[1].memory_used_mib == 1024);
  CHECK(gpus[2].memory_total_mib == 24576);
  CHECK(gpus[2].memory_free_mib() == 24576);
  // "none" skips NVML.
  CHECK(hardware::probe_nvidia_gpus(runner, path, "none").at(0).name == "From nvidia-smi");
  // A GPU NVML cannot read: nvidia-smi reports them all instead.
  ::setenv("FAKE_NVML_FAIL_MEMORY", "1", 1);
  CHECK_FALSE(hardware::read_nvml_gpus(XLAUNCH_FAKE_NVML).has_value());
  CHECK(hardware::probe_nvidia_gpus(runner, path, XLAUNCH_FAKE_NVML).at(0).name == "From nvidia-smi");
  ::unsetenv("FAKE_NVML_FAIL_MEMORY");
  // No driver (nvmlInit fails), no library, a library that is not NVML: nvidia-smi again.
  ::unsetenv("FAKE_GPUS");
  CHECK_FALSE(hardware::read_nvml_gpus(XLAUNCH_FAKE_NVML).has_value());
  CHECK(hardware::probe_nvidia_gpus(runner, path, XLAUNCH_FAKE_NVML).at(0).name == "From nvidia-smi");
  CHECK_FALSE(hardware::read_nvml_gpus("libnvidia-ml.so.999").has_value());
  CHECK_FALSE(hardware::read_nvml_gpus("libm.so.6").has_value());
  CHECK(hardware::probe_nvidia_gpus(runner, dir.str(), "libnvidia-ml.so.999").empty());
}

TEST_CASE("GPU probe does not wait past its deadline on an NVML that hangs") {
  ::setenv("FAKE_GPUS", "1x81920", 1);
  ::setenv("FAKE_NVML_HANG_MS", "5000", 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(hardware::read_nvml_gpus(XLAUNCH_FAKE_NVML, std::chrono::milliseconds(200)).has_value());
  // Well under the 5 s hang: the wait ended at the deadline, not when NVML answered.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2500));
  // The probe, which waits k_nvml_timeout, then asks nvidia-smi as for any other nullopt (the
  // test above). The hung reader is left behind; the exit ends it.
}

TEST_CASE("/proc/meminfo and cgroup limits") {
  const auto info = hardware::parse_meminfo(
      "MemTotal:       263842404 kB\nMemFree:         1000000 kB\n"
      "MemAvailable:   200000000 kB\nBuffers:          100 kB\n");
  REQUIRE(info);
  CHECK(info->total_bytes == 263842404ULL * 1024);
  CHECK(info->available_bytes == 200000000ULL * 1024);
  const auto old_kernel = hardware::parse_meminfo(
      "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 30 kB\n");
  REQUIRE(old_kernel);
  CHECK(old_kernel->available_bytes == 150 * 1024);
  CHECK_FALSE(hardware::parse_meminfo("garbage"));
  const auto limited = hardware::apply_cgroup_limit(*info, "8589934592\n", "1073741824\n");
  CHECK(limited.total_bytes == 8589934592ULL);
  CHECK(limited.available_bytes == 8589934592ULL - 1073741824ULL);
  const auto unlimited = hardware::apply_cgroup_limit(*info, "max\n", "5");
  CHECK(unlimited.total_bytes == info->total_bytes);
  CHECK(unlimited.available_bytes == info->available_bytes);
}
