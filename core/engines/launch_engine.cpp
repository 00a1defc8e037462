// SPDX-License-Identifier: Apache-2.0
#include "core/engines/launch_engine.hpp"
#include "core/engines/tensor_parallel.hpp"

#include <filesystem>

#include "core/engines/model_profile.hpp"
#include "core/engines/pass_through.hpp"
#include "core/engines/preflight.hpp"
#include "core/exec/command_runner.hpp"
#include "core/exec/path_search.hpp"
#include "core/hardware/gpu.hpp"
#include "core/hardware/memory.hpp"
#include "core/util/error.hpp"

namespace xl::engines {
namespace {

namespace fs = std::filesystem;

// Runs `step`; in a dry run a preflight/resources failure becomes a listed problem.
template <typename Step>
void checked(EngineLaunch& launch, Mode mode, Step step) {
  if (mode == Mode::launch) {
    step();
    return;
  }
  try {
    step();
  } catch (const Error& e) {
    if (e.code() != ExitCode::preflight && e.code() != ExitCode::resources) {
      throw;
    }
    launch.problems.push_back(e.what());
  }
}

}  // namespace

EngineLaunch preflight_launch(Engine engine, const LaunchOptions& options,
                              const MachineProbe& probe, Mode mode) {
  EngineLaunch launch;
  launch.topology = resolve_topology(options);
  launch.install.engine = engine;
  launch.install.program = std::string(engine_info(engine).program);
  launch.chat_templates_dir = probe.xlaunch_home.empty() ? "" : probe.xlaunch_home + "/chat-templates";
  checked(launch, mode, [&] {
    const std::string cache =
        mode == Mode::launch && !probe.xlaunch_home.empty() ? version_cache_path(probe.xlaunch_home) : "";
    launch.install = preflight_engine(engine, probe.platform, options.engine_bin, probe.env,
                                      *probe.runner, cache);
  });
  if (engine != Engine::mlx) {
    const auto path = probe.env("PATH").value_or("");
    const auto nvml = probe.env("XLAUNCH_NVML_LIBRARY").value_or("");
    const auto visible = hardware::filter_visible(hardware::probe_nvidia_gpus(*probe.runner, path, nvml),
                                                  probe.env("CUDA_VISIBLE_DEVICES"));
    launch.gpus_visible = visible.size();
    checked(launch, mode, [&] {
      launch.gpus = hardware::select_gpus(visible, options.n_gpu, options.gpu_idx);
      if (auto note = keep_tensor_parallel_gpus(engine, options, launch.gpus)) {
        launch.notes.push_back(*note);
      }
      check_gpu_requirement(engine, launch.gpus);
    });
  }
  launch.ram = hardware::read_host_memory(*probe.runner);
  return launch;
}

bool node_reads_weights(const EngineLaunch& launch) {
  return !(launch.install.engine == Engine::llama_cpp && !launch.topology.is_head());
}

FitResult fit_launch(const EngineLaunch& launch, const catalog::FlatSpec& spec,
                     const LaunchOptions& options, std::uint64_t weight_bytes,
                     const std::vector<SiblingSpec>& siblings, Mode mode) {
  FitInput input;
  input.engine = launch.install.engine;
  input.weight_bytes = weight_bytes;
  input.context_length =
      requested_context_length(options).value_or(spec.family ? spec.family->context_length : 0);
  input.kv = known_kv_geometry(spec);
  input.gpus = launch.gpus;
  input.gpus_visible = launch.gpus_visible;
  input.nnodes = launch.topology.nnodes;
  input.ram = launch.ram;
  auto result = check_fit(input);
  if (mode == Mode::launch) {
    require_fit(result, input, siblings, options.force);
  }
  return result;
}

CommandInput launch_command(const EngineLaunch& launch, const catalog::FlatSpec& spec,
                            const LaunchOptions& options, const std::string& weights,
                            const std::optional<FitResult>& fit) {
  CommandInput input;
  input.fit = fit;
  input.install = launch.install;
  input.spec = &spec;
  std::error_code ec;
  input.model_path = fs::is_regular_file(weights, ec) ? weights : engine_model_path(spec, weights);
  input.options = &options;
  input.gpus = launch.gpus;
  input.topology = launch.topology;
  input.notes = launch.notes;
  if (spec.family != nullptr) {
    if (auto choice = parser_choice(launch.install.engine, *spec.family)) {
      input.chat_template =
          find_tool_chat_template(launch.install.engine, *choice, launch.chat_templates_dir);
    }
  }
  return input;
}

std::optional<std::uint64_t> local_weight_bytes(const std::string& path,
                                                const catalog::FlatSpec& spec) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    if (!spec.is_gguf() || spec.parts.size() < 2 || !spec.split_template) {
      return fs::file_size(path, ec);
    }
    // A split GGUF is given by its first part; the others sit next to it.
    std::uint64_t sum = 0;
    const auto dir = fs::path(path).parent_path();
    for (const auto& part : spec.parts) {
      std::string name = fs::path(*spec.split_template).filename().string();
      if (const auto at = name.find("{part}"); at != std::string::npos) {
        name.replace(at, 6, part);
      }
      const auto size = fs::file_size(dir / name, ec);
      if (!ec) {
        sum += size;
      }
    }
    return sum;
  }
  if (!fs::is_directory(path, ec)) {
    return std::nullopt;
  }
  std::uint64_t sum = 0;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {  // follows the snapshot's symlinks into blobs
      sum += it->file_size(size_ec);
    }
  }
  return sum;
}

}  // namespace xl::engines
