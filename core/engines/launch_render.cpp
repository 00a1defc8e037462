// SPDX-License-Identifier: Apache-2.0
// The dry-run rendering of the engine side of a launch (launch_engine.hpp).
#include "core/engines/fit.hpp"
#include "core/engines/launch_engine.hpp"

namespace xl::engines {
namespace {

const char* verdict_name(FitVerdict verdict) {
  switch (verdict) {
    case FitVerdict::fits_gpu: return "fits on GPU";
    case FitVerdict::fits_offload: return "fits with offload to RAM";
    case FitVerdict::fits_ram: return "fits in RAM";
    case FitVerdict::no_fit: return "does not fit";
    case FitVerdict::unknown: return "unknown";
  }
  return "unknown";
}

std::vector<std::string> secrets_of(const LaunchOptions& options) {
  std::vector<std::string> secrets;
  if (options.api_key) {
    secrets.push_back(*options.api_key);
  }
  return secrets;
}

}  // namespace

nlohmann::ordered_json launch_to_json(const EngineLaunch& launch,
                                      const std::optional<FitResult>& fit,
                                      const std::vector<NodePlan>& nodes,
                                      const LaunchOptions& options) {
  nlohmann::ordered_json json;
  json["engine"] = std::string(engine_name(launch.install.engine));
  json["program"] = launch.install.program;
  json["version"] = launch.install.version.known() ? nlohmann::ordered_json(launch.install.version.text)
                                                   : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json gpus = nlohmann::ordered_json::array();
  for (const auto& gpu : launch.gpus.gpus) {
    gpus.push_back({{"index", gpu.index},
                    {"name", gpu.name},
                    {"memory_total_mib", gpu.memory_total_mib},
                    {"memory_used_mib", gpu.memory_used_mib}});
  }
  json["gpus"] = std::move(gpus);
  json["cpu_only"] = launch.gpus.cpu_requested;
  json["topology"] = {{"nnodes", launch.topology.nnodes},
                      {"node_rank", launch.topology.rank},
                      {"master_host", launch.topology.master_host},
                      {"ray", launch.topology.ray}};
  if (fit) {
    json["fit"] = {{"verdict", verdict_name(fit->verdict)},
                   {"fits", fit->fits()},
                   {"weight_bytes", fit->weight_bytes},
                   {"kv_cache_bytes", fit->kv_cache_bytes},
                   {"overhead_bytes", fit->overhead_bytes},
                   {"required_bytes", fit->required_bytes},
                   {"gpu_budget_bytes", fit->gpu_budget_bytes},
                   {"ram_budget_bytes", fit->ram_budget_bytes},
                   {"summary", fit->summary}};
  } else {
    json["fit"] = nullptr;
  }
  const auto secrets = secrets_of(options);
  nlohmann::ordered_json node_list = nlohmann::ordered_json::array();
  for (const auto& node : nodes) {
    nlohmann::ordered_json entry;
    entry["rank"] = node.rank;
    entry["role"] = node.role;
    if (node.plan) {
      const auto shown = redacted(*node.plan, secrets);
      entry["command"] = render_command(*node.plan, secrets);
      entry["argv"] = shown.argv;
      nlohmann::ordered_json env = nlohmann::ordered_json::object();
      for (const auto& [name, value] : shown.env_set) {
        env[name] = value;
      }
      entry["env"] = std::move(env);
      entry["notes"] = shown.notes;
    } else {
      entry["command"] = nullptr;
    }
    node_list.push_back(std::move(entry));
  }
  json["nodes"] = std::move(node_list);
  json["problems"] = launch.problems;
  return json;
}

std::string launch_to_text(const EngineLaunch& launch, const std::optional<FitResult>& fit,
                           const std::vector<NodePlan>& nodes, const LaunchOptions& options) {
  std::string out;
  auto line = [&out](const std::string& label, const std::string& value) {
    out += label + std::string(label.size() < 12 ? 12 - label.size() : 1, ' ') + value + "\n";
  };
  line("program", launch.install.program + (launch.install.version.known()
                                                ? " (version " + launch.install.version.text + ")"
                                                : ""));
  if (launch.gpus.cpu_requested) {
    line("gpus", "none (--n-gpu none)");
  } else if (!launch.gpus.gpus.empty()) {
    line("gpus", launch.gpus.cuda_visible_devices() + " (" + std::to_string(launch.gpus.count()) +
                     " x " + launch.gpus.gpus.front().name + ")");
  }
  if (fit) {
    line("fit", std::string(verdict_name(fit->verdict)) + ": " + fit->summary);
  }
  const auto secrets = secrets_of(options);
  for (const auto& node : nodes) {
    const std::string label = nodes.size() > 1 ? "node " + std::to_string(node.rank) : "command";
    if (nodes.size() > 1) {
      line(label, node.role);
    }
    if (node.plan) {
      out += (nodes.size() > 1 ? std::string(12, ' ') : label + std::string(5, ' ')) +
             render_command(*node.plan, secrets) + "\n";
      for (const auto& note : node.plan->notes) {
        out += "note: " + note + "\n";
      }
    }
  }
  for (const auto& problem : launch.problems) {
    out += "problem: " + problem + "\n";
  }
  return out;
}

}  // namespace xl::engines
