// SPDX-License-Identifier: Apache-2.0
#include "core/engines/command.hpp"

#include "core/engines/command_builders.hpp"
#include "core/util/error.hpp"

namespace xl::engines {

namespace detail {

void append(std::vector<std::string>& argv, const std::vector<std::string>& words) {
  argv.insert(argv.end(), words.begin(), words.end());
}

void add_environment(ExecPlan& plan, const CommandInput& input, bool uses_cuda) {
  if (uses_cuda && (!input.gpus.gpus.empty() || input.gpus.cpu_requested)) {
    plan.env_set.emplace_back("CUDA_VISIBLE_DEVICES", input.gpus.cuda_visible_devices());
  }
  if (input.options->offline) {
    // The weights are already local; keep the engine's own hub client from reaching out.
    plan.env_set.emplace_back("HF_HUB_OFFLINE", "1");
  }
  for (const auto& env : input.options->envs) {
    plan.env_set.push_back(env);
  }
}

std::int64_t context_or_family(const CommandInput& input) {
  if (input.options->context_length) {
    return *input.options->context_length;
  }
  return input.spec->family->context_length;
}

}  // namespace detail

std::string engine_model_path(const catalog::FlatSpec& spec, const std::string& snapshot_dir) {
  if (!spec.is_gguf()) {
    return snapshot_dir;
  }
  std::string relative;
  if (spec.split_template && !spec.parts.empty()) {
    relative = *spec.split_template;
    if (const auto at = relative.find("{part}"); at != std::string::npos) {
      relative.replace(at, 6, spec.parts.front());
    }
  } else if (spec.file_name_template) {
    relative = *spec.file_name_template;
  } else {
    return snapshot_dir;
  }
  // Catalog templates spell the quantization as a placeholder too; expand it if still there.
  for (auto at = relative.find("{quantization}"); at != std::string::npos;
       at = relative.find("{quantization}")) {
    relative.replace(at, 14, spec.quantization);
  }
  if (snapshot_dir.empty()) {
    return relative;
  }
  return snapshot_dir.back() == '/' ? snapshot_dir + relative : snapshot_dir + "/" + relative;
}

std::string served_model_name(const LaunchOptions& options, const catalog::LlmFamily& family) {
  return options.model_uid.value_or(family.model_name);
}

ExecPlan build_exec_plan(const CommandInput& input) {
  if (input.spec == nullptr || input.spec->family == nullptr || input.options == nullptr) {
    throw Error(ExitCode::failure, "build_exec_plan: spec, family and options are required");
  }
  ExecPlan plan = [&] {
    switch (input.install.engine) {
      case Engine::vllm: return detail::build_vllm(input);
      case Engine::sglang: return detail::build_sglang(input);
      case Engine::llama_cpp: return detail::build_llama_cpp(input);
      case Engine::mlx: return detail::build_mlx(input);
      case Engine::transformers: return detail::build_transformers(input);
    }
    throw Error(ExitCode::failure, "build_exec_plan: unknown engine");
  }();
  plan.notes.insert(plan.notes.begin(), input.notes.begin(), input.notes.end());
  return plan;
}

std::vector<NodePlan> build_node_plans(const CommandInput& input) {
  std::vector<NodePlan> nodes;
  const auto& topology = input.topology;
  for (int rank = 0; rank < topology.nnodes; ++rank) {
    CommandInput node = input;
    node.topology.rank = rank;
    NodePlan entry;
    entry.rank = rank;
    const Engine engine = input.install.engine;
    if (rank == 0) {
      entry.role = engine == Engine::mlx && topology.multi_node() ? "mlx.launch (starts every rank)"
                                                                   : "api server";
    } else if (engine == Engine::mlx) {
      entry.role = "started by mlx.launch from rank 0 over ssh";
      nodes.push_back(entry);
      continue;
    } else if (engine == Engine::llama_cpp) {
      entry.role = "rpc worker";
    } else if (engine == Engine::vllm && topology.ray) {
      entry.role = "ray worker";
    } else {
      entry.role = "headless worker";
    }
    entry.plan = build_exec_plan(node);
    nodes.push_back(std::move(entry));
  }
  return nodes;
}

}  // namespace xl::engines
