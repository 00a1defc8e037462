// SPDX-License-Identifier: Apache-2.0
// vLLM and SGLang: the GPU servers with tensor/pipeline parallelism and DeepSeek parsers.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <optional>
#include <utility>

#include "core/engines/command_builders.hpp"
#include "core/engines/model_profile.hpp"
#include "core/engines/parser_support.hpp"
#include "core/engines/pass_through.hpp"
#include "core/exec/path_search.hpp"
#include "core/util/error.hpp"

namespace xl::engines::detail {
namespace {

std::string tp_size(const CommandInput& input, int multiplier) {
  const int per_node = input.gpus.gpus.empty() ? 1 : static_cast<int>(input.gpus.count());
  return std::to_string(per_node * multiplier);
}

// This node's address from --hosts when it is an IP literal: Ray's --node-ip-address and
// vLLM's VLLM_HOST_IP take addresses, and without them a machine with several interfaces may
// advertise one the others cannot reach (engines.md §1.6 A sets both on every node).
std::optional<std::string> node_ip(const Topology& topology) {
  if (topology.hosts.size() != static_cast<std::size_t>(topology.nnodes)) {
    return std::nullopt;
  }
  std::string host = topology.hosts[static_cast<std::size_t>(topology.rank)].host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned char address[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, host.c_str(), address) == 1 || ::inet_pton(AF_INET6, host.c_str(), address) == 1) {
    return host;
  }
  return std::nullopt;
}

std::string utilization_text() {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f", k_gpu_memory_utilization);
  return buffer;
}

// Reasoning and tool-call flags (API server only; headless ranks serve no requests). A parser
// the installed version may not know is left out with a note (parser_support.hpp): an unknown
// name would stop the engine, and these flags are xlaunch's idea, not the user's.
void add_parsers(ExecPlan& plan, const CommandInput& input, bool old_reasoning_switch) {
  const auto& family = *input.spec->family;
  const auto choice = parser_choice(input.install.engine, family);
  if (!choice) {
    return;
  }
  auto usable = [&](ParserKind kind, const std::string& name) {
    if (name.empty()) {
      return false;
    }
    if (auto note = parser_left_out(input.install, kind, name)) {
      plan.notes.push_back(std::move(*note));
      return false;
    }
    return true;
  };
  if (usable(ParserKind::reasoning, choice->reasoning_parser)) {
    if (old_reasoning_switch) {
      plan.argv.push_back("--enable-reasoning");  // vLLM < 0.9 needs it; 0.10 rejects it
    }
    append(plan.argv, {"--reasoning-parser", choice->reasoning_parser});
  }
  if (usable(ParserKind::tool_call, choice->tool_parser)) {
    if (input.install.engine == Engine::vllm) {
      plan.argv.push_back("--enable-auto-tool-choice");
    }
    append(plan.argv, {"--tool-call-parser", choice->tool_parser});
    if (input.chat_template) {
      append(plan.argv, {"--chat-template", *input.chat_template});
    } else if (!choice->tool_template.empty()) {
      plan.notes.push_back("tool calls use the model's own chat template; for the engine's " +
                           choice->tool_template + " put it in the chat-templates folder");
    }
  }
  if (family_is_hybrid(family) && input.options->enable_thinking) {
    plan.notes.push_back(
        "thinking is switched per request: chat_template_kwargs {\"thinking\": true}");
  }
}

void add_cpu_note(ExecPlan& plan, const CommandInput& input) {
  if (input.gpus.cpu_requested) {
    plan.notes.push_back("--n-gpu none: needs a CPU build of " +
                         std::string(engine_name(input.install.engine)));
  }
}

}  // namespace

ExecPlan build_vllm(const CommandInput& input) {
  const auto& options = *input.options;
  const auto& spec = *input.spec;
  const auto& topology = input.topology;
  const auto& version = input.install.version;
  const bool headless = topology.multi_node() && !topology.is_head();
  ExecPlan plan;

  if (topology.multi_node() && topology.ray && headless) {
    // Ray mode: the other nodes only join the Ray cluster; rank 0's vLLM drives their GPUs.
    plan.program = exec::sibling_program(input.install.program, "ray");
    plan.argv = {plan.program, "start",
                 "--address=" + format_host_port(topology.master_host,
                                                 topology.master_port.value_or(k_ray_port)),
                 "--block"};
    if (const auto ip = node_ip(topology)) {
      plan.argv.insert(plan.argv.end() - 1, "--node-ip-address=" + *ip);
      plan.env_set.emplace_back("VLLM_HOST_IP", *ip);
    }
    add_environment(plan, input, true);
    return plan;
  }
  if (topology.multi_node() && !topology.ray && !version.at_least({0, 11, 0})) {
    throw Error(ExitCode::preflight,
                "vLLM " + version.text +
                    " runs several nodes only through Ray: add --ray (after `ray start` on every "
                    "node) or upgrade to vLLM >= 0.11 (pip install -U vllm)");
  }

  plan.program = input.install.program;
  plan.argv = {plan.program, "serve", input.model_path};
  if (!headless) {
    append(plan.argv, {"--host", options.host, "--port", std::to_string(options.port),
                       "--served-model-name", served_model_name(options, *spec.family)});
  }
  append(plan.argv, {"--tensor-parallel-size", tp_size(input, 1), "--pipeline-parallel-size",
                     std::to_string(topology.nnodes)});
  if (!input.gpus.gpus.empty()) {
    append(plan.argv, {"--gpu-memory-utilization", utilization_text()});
  }
  if (options.context_length) {
    append(plan.argv, {"--max-model-len", std::to_string(*options.context_length)});
  }
  if (options.trust_remote_code) {
    plan.argv.push_back("--trust-remote-code");
  }
  if (spec.model_format == "fp8") {
    append(plan.argv, {"--quantization", "fp8"});
  } else if (spec.model_format == "awq") {
    append(plan.argv, {"--dtype", "float16"});
  } else if (spec.is_gguf()) {
    append(plan.argv, {"--load-format", "gguf"});
  }
  if (topology.multi_node()) {
    if (topology.ray) {
      append(plan.argv, {"--distributed-executor-backend", "ray"});
      const auto ip = node_ip(topology);
      if (ip) {
        plan.env_set.emplace_back("VLLM_HOST_IP", *ip);
      }
      plan.notes.push_back("start Ray first: `" + (ip ? "VLLM_HOST_IP=" + *ip + " " : std::string()) +
                           "ray start --head --port=" + std::to_string(topology.master_port.value_or(k_ray_port)) +
                           (ip ? " --node-ip-address=" + *ip : std::string()) +
                           "` here, then the ray worker command on every other node");
    } else {
      append(plan.argv,
             {"--nnodes", std::to_string(topology.nnodes), "--node-rank",
              std::to_string(topology.rank), "--master-addr", topology.master_host,
              "--master-port", std::to_string(topology.master_port.value_or(k_vllm_master_port))});
      if (headless) {
        plan.argv.push_back("--headless");
      }
    }
  }
  if (!headless) {
    add_parsers(plan, input, version.known() && !version.at_least({0, 9, 0}));
  }
  append(plan.argv, lora_words(Engine::vllm, options.lora_modules));
  if (!headless) {
    append(plan.argv, api_key_words(Engine::vllm, options.api_key));
  }
  append(plan.argv, pass_through_words(options.extra_args));
  add_cpu_note(plan, input);
  add_environment(plan, input, true);
  return plan;
}

ExecPlan build_sglang(const CommandInput& input) {
  const auto& options = *input.options;
  const auto& spec = *input.spec;
  const auto& topology = input.topology;
  const bool headless = topology.multi_node() && !topology.is_head();
  ExecPlan plan;
  plan.program = input.install.program;
  if (input.install.launcher == Launcher::python_module) {
    plan.argv = {plan.program, "-m", "sglang.launch_server", "--model-path", input.model_path};
  } else {
    plan.argv = {plan.program, "serve", "--model-path", input.model_path};
  }
  if (!headless) {
    append(plan.argv, {"--host", options.host, "--port", std::to_string(options.port),
                       "--served-model-name", served_model_name(options, *spec.family)});
  }
  // SGLang's TP spans the nodes: 2 nodes x 8 GPUs is --tp-size 16 (engines.md §2.4).
  append(plan.argv, {"--tp-size", tp_size(input, topology.nnodes), "--pp-size", "1"});
  if (options.context_length) {
    append(plan.argv, {"--context-length", std::to_string(*options.context_length)});
  }
  if (options.trust_remote_code) {
    plan.argv.push_back("--trust-remote-code");
  }
  if (spec.model_format == "awq") {
    append(plan.argv, {"--dtype", "float16"});  // "half ... recommended for AWQ"
  }
  if (topology.multi_node()) {
    append(plan.argv,
           {"--nnodes", std::to_string(topology.nnodes), "--node-rank",
            std::to_string(topology.rank), "--dist-init-addr",
            format_host_port(topology.master_host,
                             topology.master_port.value_or(k_sglang_dist_port))});
  }
  if (!headless) {
    add_parsers(plan, input, false);
  }
  append(plan.argv, lora_words(Engine::sglang, options.lora_modules));
  if (!headless) {
    append(plan.argv, api_key_words(Engine::sglang, options.api_key));
  }
  std::vector<std::string> dropped;
  append(plan.argv, pass_through_words(options.extra_args, FalseSwitch::leave_out, &dropped));
  append(plan.notes, dropped);
  add_cpu_note(plan, input);
  add_environment(plan, input, true);
  return plan;
}

}  // namespace xl::engines::detail
