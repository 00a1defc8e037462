// SPDX-License-Identifier: Apache-2.0
#include "core/hardware/gpu.hpp"

#include <algorithm>
#include <charconv>

#include "core/exec/command_runner.hpp"
#include "core/exec/path_search.hpp"
#include "core/hardware/nvml.hpp"
#include "core/util/error.hpp"
#include "core/util/strings.hpp"

namespace xl::hardware {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? text.npos : at - start));
    if (at == std::string_view::npos) {
      return out;
    }
    start = at + 1;
  }
}

template <typename T>
std::optional<T> to_number(std::string_view text) {
  text = trim(text);
  T value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::vector<int> parse_index_list(std::string_view text) {
  std::vector<int> out;
  for (auto item : split(text, ',')) {
    auto value = to_number<int>(item);
    if (!value || *value < 0) {
      throw Error(ExitCode::usage, "--gpu-idx '" + std::string(text) +
                                       "' is not a comma-separated list of GPU indices (e.g. 0,1)");
    }
    out.push_back(*value);
  }
  return out;
}

// "0,1,3": the indices as CUDA_VISIBLE_DEVICES and the messages list them.
std::string index_list(const std::vector<GpuInfo>& gpus) {
  std::vector<std::string> indices;
  for (const auto& gpu : gpus) {
    indices.push_back(std::to_string(gpu.index));
  }
  return join(indices, ",");
}

}  // namespace

const std::vector<std::string>& nvidia_smi_query_args() {
  static const std::vector<std::string> k_args{
      "--query-gpu=index,name,memory.total,memory.used", "--format=csv,noheader,nounits"};
  return k_args;
}

std::vector<GpuInfo> parse_nvidia_smi_csv(std::string_view csv) {
  std::vector<GpuInfo> gpus;
  for (auto line : split(csv, '\n')) {
    if (trim(line).empty()) {
      continue;
    }
    const auto fields = split(line, ',');
    std::optional<int> index;
    std::optional<std::uint64_t> total;
    std::optional<std::uint64_t> used;
    if (fields.size() == 4) {
      index = to_number<int>(fields[0]);
      total = to_number<std::uint64_t>(fields[2]);
      used = to_number<std::uint64_t>(fields[3]);
    }
    if (!index || !total || !used) {
      throw Error(ExitCode::preflight, "cannot read nvidia-smi output line '" +
                                           std::string(trim(line)) +
                                           "': expected 'index, name, memory.total, memory.used'");
    }
    gpus.push_back(GpuInfo{*index, std::string(trim(fields[1])), *total, *used});
  }
  return gpus;
}

std::vector<GpuInfo> filter_visible(const std::vector<GpuInfo>& gpus,
                                    const std::optional<std::string>& cuda_visible_devices) {
  if (!cuda_visible_devices) {
    return gpus;
  }
  const auto text = trim(*cuda_visible_devices);
  if (text.empty() || text == "-1") {
    return {};
  }
  std::vector<GpuInfo> out;
  for (auto item : split(text, ',')) {
    auto index = to_number<int>(item);
    if (!index) {
      return gpus;  // UUIDs or MIG ids: nothing to match against the index column
    }
    if (*index < 0) {
      break;  // CUDA stops at the first invalid entry
    }
    auto it = std::find_if(gpus.begin(), gpus.end(), [&](const GpuInfo& g) {
      return g.index == *index;
    });
    if (it != gpus.end()) {
      out.push_back(*it);
    }
  }
  return out;
}

std::vector<GpuInfo> probe_nvidia_gpus(exec::CommandRunner& runner, const std::string& path_env,
                                       const std::string& nvml_library) {
  if (nvml_library != "none") {
    if (auto gpus = read_nvml_gpus(nvml_library.empty() ? k_nvml_soname : nvml_library)) {
      return *gpus;
    }
  }
  const auto program = exec::find_in_path("nvidia-smi", path_env);
  if (!program) {
    return {};
  }
  std::vector<std::string> argv{*program};
  argv.insert(argv.end(), nvidia_smi_query_args().begin(), nvidia_smi_query_args().end());
  const auto result = runner.run(argv, std::chrono::seconds(15));
  if (!result.started || result.timed_out || result.exit_code != 0) {
    return {};
  }
  return parse_nvidia_smi_csv(result.output);
}

std::uint64_t GpuLayout::total_mib() const {
  std::uint64_t sum = 0;
  for (const auto& gpu : gpus) {
    sum += gpu.memory_total_mib;
  }
  return sum;
}

std::uint64_t GpuLayout::free_mib() const {
  std::uint64_t sum = 0;
  for (const auto& gpu : gpus) {
    sum += gpu.memory_free_mib();
  }
  return sum;
}

std::string GpuLayout::cuda_visible_devices() const {
  return gpus.empty() ? std::string("-1") : index_list(gpus);
}

GpuLayout select_gpus(const std::vector<GpuInfo>& visible, const std::string& n_gpu,
                      const std::optional<std::string>& gpu_idx) {
  GpuLayout layout;
  auto visible_list = [&visible] { return visible.empty() ? std::string("none") : index_list(visible); };
  if (gpu_idx) {
    for (int index : parse_index_list(*gpu_idx)) {
      auto it = std::find_if(visible.begin(), visible.end(),
                             [&](const GpuInfo& g) { return g.index == index; });
      if (it == visible.end()) {
        throw Error(ExitCode::resources, "GPU " + std::to_string(index) +
                                             " from --gpu-idx is not visible (visible GPUs: " +
                                             visible_list() + ")");
      }
      if (std::none_of(layout.gpus.begin(), layout.gpus.end(),
                       [&](const GpuInfo& g) { return g.index == index; })) {
        layout.gpus.push_back(*it);
      }
    }
    return layout;  // the user's order is the device order the engine sees
  } else if (n_gpu == "none" || n_gpu == "None") {
    layout.cpu_requested = true;
    return layout;
  } else if (n_gpu == "auto") {
    layout.gpus = visible;
  } else {
    auto count = to_number<int>(n_gpu);
    if (!count || *count <= 0) {
      throw Error(ExitCode::usage,
                  "--n-gpu '" + n_gpu + "' must be auto, none or a positive number");
    }
    if (static_cast<std::size_t>(*count) > visible.size()) {
      throw Error(ExitCode::resources, "--n-gpu " + n_gpu + " asks for more GPUs than the " +
                                           std::to_string(visible.size()) +
                                           " visible (" + visible_list() + ")");
    }
    auto by_load = visible;
    std::stable_sort(by_load.begin(), by_load.end(), [](const GpuInfo& a, const GpuInfo& b) {
      return a.memory_used_mib < b.memory_used_mib;
    });
    layout.gpus.assign(by_load.begin(), by_load.begin() + *count);
  }
  std::sort(layout.gpus.begin(), layout.gpus.end(),
            [](const GpuInfo& a, const GpuInfo& b) { return a.index < b.index; });
  return layout;
}

}  // namespace xl::hardware
