// SPDX-License-Identifier: Apache-2.0
#pragma once

// The engine side of a launch, as the CLI runs it:
//   1. preflight_launch()  before any hub request: multi-node flags valid, engine installed and
//                          runnable on this platform, its version, GPUs chosen, RAM read.
//   2. fit_launch()        once the spec's byte size is known (hub listing or local files),
//                          before downloading: Error(resources) unless it fits or --force.
//   3. launch_command()    after the weights are in place: the CommandInput for this node;
//                          build_exec_plan() / build_node_plans() turn it into commands.
//   4. exec::exec_plan()   replaces xlaunch with the engine.
// The machine is reached only through MachineProbe, so tests pass fakes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/engines/command.hpp"
#include "core/engines/discovery.hpp"
#include "core/engines/fit.hpp"
#include "core/hardware/platform.hpp"

namespace xl::engines {

struct MachineProbe {
  hardware::Platform platform;
  EnvLookup env;                           // PATH, XLAUNCH_*_BIN, CUDA_VISIBLE_DEVICES
  exec::CommandRunner* runner = nullptr;   // version probes, nvidia-smi, sysctl
  std::string xlaunch_home;                // version cache, chat-templates folder
};

struct EngineLaunch {
  EngineInstall install;
  Topology topology;
  hardware::GpuLayout gpus;
  std::size_t gpus_visible = 0;
  std::optional<hardware::MemoryInfo> ram;
  std::string chat_templates_dir;  // <xlaunch_home>/chat-templates/<engine>/<file>
  // --dry-run only: preflight failures that a real launch would stop on (exit 4/5), shown in
  // the plan instead. Always empty for a real launch (those throw).
  std::vector<std::string> problems;
  // Remarks for every node's plan (e.g. GPUs left out of tensor parallelism).
  std::vector<std::string> notes;
};

// Whether this node's engine process loads the model. llama.cpp's workers run rpc-server,
// which holds no weights (the head sends the tensors): downloading hundreds of GB there, and
// checking its disk and memory for them, is waste.
bool node_reads_weights(const EngineLaunch& launch);

enum class Mode { launch, dry_run };

// Step 1. Usage errors always throw. In Mode::launch, a missing engine or wrong platform
// throws Error(preflight) and too few GPUs Error(resources); in Mode::dry_run they land in
// `problems` and nothing is written to disk (the version cache is neither read nor written).
EngineLaunch preflight_launch(Engine engine, const LaunchOptions& options,
                              const MachineProbe& probe, Mode mode);

// Step 2. The fit of `weight_bytes` (sum of the spec's files) for the context length the
// user asked for (else the family's), on the chosen GPUs and nodes. Throws Error(resources)
// with suggestions from `siblings` unless it fits or options.force (or mode is dry_run).
FitResult fit_launch(const EngineLaunch& launch, const catalog::FlatSpec& spec,
                     const LaunchOptions& options, std::uint64_t weight_bytes,
                     const std::vector<SiblingSpec>& siblings, Mode mode);

// Step 3. `weights` is the snapshot folder (or --model-path); for GGUF the engine is given
// the (first part) file inside it, or `weights` itself when it already is a file. `fit` is
// step 2's result when there was one (it decides llama.cpp's offload flags).
CommandInput launch_command(const EngineLaunch& launch, const catalog::FlatSpec& spec,
                            const LaunchOptions& options, const std::string& weights,
                            const std::optional<FitResult>& fit = std::nullopt);

// Bytes of a local model: a file (for a split GGUF also its sibling parts), or every file
// under a folder (symlinks followed, as in a hub snapshot). Nullopt when it does not exist.
std::optional<std::uint64_t> local_weight_bytes(const std::string& path,
                                                const catalog::FlatSpec& spec);

// The dry-run section: engine, program, version, GPUs, fit and every node's command
// (secrets redacted), for plan JSON and text.
nlohmann::ordered_json launch_to_json(const EngineLaunch& launch,
                                      const std::optional<FitResult>& fit,
                                      const std::vector<NodePlan>& nodes,
                                      const LaunchOptions& options);
std::string launch_to_text(const EngineLaunch& launch, const std::optional<FitResult>& fit,
                           const std::vector<NodePlan>& nodes, const LaunchOptions& options);

}  // namespace xl::engines
