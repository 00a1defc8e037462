// SPDX-License-Identifier: Apache-2.0
#pragma once

// The exact engine command for one launch, as a pure function of what was resolved before it:
// the engine install (program + probed version), the spec and its family, the model path, the
// user's options, the GPUs chosen on this node and the node's place in a multi-node launch.
// Every flag is passed explicitly (engine defaults drift between versions, engines.md §0).

#include <optional>
#include <string>
#include <vector>

#include "catalog/llm_family.hpp"
#include "core/engines/engine.hpp"
#include "core/engines/engine_version.hpp"
#include "core/engines/exec_plan.hpp"
#include "core/engines/fit.hpp"
#include "core/engines/topology.hpp"
#include "core/hardware/gpu.hpp"
#include "core/launch_options.hpp"

namespace xl::engines {

// How the engine program is started.
enum class Launcher {
  program,        // the engine's own console script / binary (vllm, sglang, llama-server, ...)
  python_module,  // `program` is a Python interpreter: SGLang without the `sglang` script runs
                  // `python3 -m sglang.launch_server`
};

// An engine found on this machine (see discovery.hpp).
struct EngineInstall {
  Engine engine = Engine::vllm;
  std::string program;  // absolute path (or a bare name in plans for other nodes)
  Launcher launcher = Launcher::program;
  EngineVersion version;  // unknown -> newest flag spellings
};

// vLLM's --gpu-memory-utilization, passed explicitly; the fit check uses the same share.
inline constexpr double k_gpu_memory_utilization = 0.90;
// Default ports of the multi-node rendezvous points (engines.md §1.6, §2.4, §3.5).
inline constexpr int k_vllm_master_port = 29501;
inline constexpr int k_ray_port = 6379;
inline constexpr int k_sglang_dist_port = 50000;
inline constexpr int k_llama_rpc_port = 50052;

struct CommandInput {
  EngineInstall install;
  const catalog::FlatSpec* spec = nullptr;  // spec->family must be set
  std::string model_path;                   // see engine_model_path()
  const LaunchOptions* options = nullptr;
  hardware::GpuLayout gpus;                 // this node's GPUs (empty = CPU / Metal)
  Topology topology;                        // rank = the node the plan is for
  std::optional<std::string> chat_template; // tool-call template file (find_tool_chat_template)
  // The fit check's result when the weights' size was known: llama.cpp needs it to place a
  // model that fits only with offload to RAM (llama_gpu_placement()).
  std::optional<FitResult> fit;
  std::vector<std::string> notes;           // remarks from the preflight, first in the plan's notes
};

// What the engine is given as the model: the snapshot folder, or for GGUF the file inside it
// (for a split GGUF the FIRST part, `<snapshot>/<split_template with part 1>`; never a blob
// realpath, so llama.cpp finds the sibling parts next to it).
std::string engine_model_path(const catalog::FlatSpec& spec, const std::string& snapshot_dir);

// The name clients use in requests: --model-uid, else the family's model name.
std::string served_model_name(const LaunchOptions& options, const catalog::LlmFamily& family);

// The command for input.topology.rank. Unsupported combinations throw xl::Error: usage (2) for
// option combinations an engine cannot express (LoRA on Transformers, llama.cpp multi-node
// without --hosts), preflight (4) for ones the installed version cannot do.
ExecPlan build_exec_plan(const CommandInput& input);

// One node of a multi-node launch, for the dry-run. `plan` is empty for nodes where nothing is
// started by hand (mlx.launch reaches the other Macs over ssh).
struct NodePlan {
  int rank = 0;
  std::string role;  // "api server", "headless worker", "rpc worker", "ray worker", ...
  std::optional<ExecPlan> plan;
};

// Every node's plan (ranks 0..nnodes-1), built with the same inputs and this node's GPU layout
// (nodes are assumed alike). Programs for other nodes keep this node's paths.
std::vector<NodePlan> build_node_plans(const CommandInput& input);

}  // namespace xl::engines
