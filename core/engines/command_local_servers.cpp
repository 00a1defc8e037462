// SPDX-License-Identifier: Apache-2.0
// llama.cpp, MLX and Transformers: the servers that also run on a laptop.
#include <algorithm>

#include "core/engines/command_builders.hpp"
#include "core/engines/llama_offload.hpp"
#include "core/engines/model_profile.hpp"
#include "core/engines/pass_through.hpp"
#include "core/exec/path_search.hpp"
#include "core/util/error.hpp"

namespace xl::engines::detail {
namespace {

// mlx-lm's server answers at most this many tokens when a request gives no max_tokens (its own
// default is 512, which cuts R1's reasoning off).
constexpr std::int64_t k_mlx_max_tokens = 32768;

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "0.0.0.0";
}

ExecPlan llama_rpc_worker(const CommandInput& input) {
  const auto& topology = input.topology;
  const auto& options = *input.options;
  const auto rank = static_cast<std::size_t>(topology.rank);
  const std::string bind = topology.hosts.empty() ? options.host : topology.hosts[rank].host;
  const int port = topology.hosts.empty() ? k_llama_rpc_port
                                          : topology.hosts[rank].port.value_or(k_llama_rpc_port);
  // rpc-server is unauthenticated ("never run the RPC server on an open network"): bind it to
  // a private address given explicitly, never to every interface or to loopback.
  if (is_loopback(bind)) {
    throw Error(ExitCode::usage, "llama.cpp rpc worker (rank " + std::to_string(topology.rank) +
                                     ") must listen on this node's private address: pass "
                                     "--hosts with every node's private IP");
  }
  ExecPlan plan;
  plan.program = exec::sibling_program(input.install.program, "rpc-server");
  plan.argv = {plan.program, "-H", bind, "-p", std::to_string(port), "-c"};
  plan.notes.push_back("rpc-server has no authentication: keep port " + std::to_string(port) +
                       " on a private network");
  add_environment(plan, input, true);
  return plan;
}

}  // namespace

ExecPlan build_llama_cpp(const CommandInput& input) {
  const auto& options = *input.options;
  const auto& topology = input.topology;
  if (topology.multi_node() && topology.hosts.empty()) {
    throw Error(ExitCode::usage, "llama.cpp over " + std::to_string(topology.nnodes) +
                                     " nodes needs --hosts HEAD,WORKER[:PORT],... (the rpc "
                                     "workers' private addresses, rank order)");
  }
  if (!topology.is_head()) {
    return llama_rpc_worker(input);
  }
  ExecPlan plan;
  plan.program = input.install.program;
  plan.argv = {plan.program,
               "-m",
               input.model_path,
               "--alias",
               served_model_name(options, *input.spec->family),
               "--host",
               options.host,
               "--port",
               std::to_string(options.port),
               "-c",
               std::to_string(context_or_family(input))};
  const auto placement = llama_gpu_placement(input);
  append(plan.argv, placement.words);
  if (placement.note) {
    plan.notes.push_back("llama.cpp: " + *placement.note);
  }
  plan.argv.push_back("--jinja");
  if (family_reasons(*input.spec->family)) {
    append(plan.argv, {"--reasoning-format", "deepseek"});
  }
  if (input.gpus.count() > 1) {
    append(plan.argv, {"--split-mode", "layer"});
  }
  if (topology.multi_node()) {
    std::string workers;
    for (std::size_t i = 1; i < topology.hosts.size(); ++i) {
      const auto& host = topology.hosts[i];
      if (!workers.empty()) {
        workers += ',';
      }
      workers += format_host_port(host.host, host.port.value_or(k_llama_rpc_port));
    }
    append(plan.argv, {"--rpc", workers});
    plan.notes.push_back("start rpc-server on every worker before this command");
  }
  append(plan.argv, lora_words(Engine::llama_cpp, options.lora_modules));
  append(plan.argv, api_key_words(Engine::llama_cpp, options.api_key));
  append(plan.argv, pass_through_words(options.extra_args));
  add_environment(plan, input, true);
  return plan;
}

ExecPlan build_mlx(const CommandInput& input) {
  const auto& options = *input.options;
  const auto& topology = input.topology;
  const auto& family = *input.spec->family;
  if (topology.multi_node() && !topology.is_head()) {
    throw Error(ExitCode::usage, "with MLX only rank 0 runs xlaunch: mlx.launch starts rank " +
                                     std::to_string(topology.rank) + " over ssh");
  }
  if (topology.multi_node() && !input.install.version.at_least({0, 30, 6})) {
    throw Error(ExitCode::preflight, "mlx-lm " + input.install.version.text +
                                         " cannot serve across Macs; upgrade to mlx-lm >= "
                                         "0.30.6 (pip install -U mlx-lm)");
  }
  if (topology.multi_node() && topology.hosts.empty()) {
    throw Error(ExitCode::usage, "MLX over " + std::to_string(topology.nnodes) +
                                     " Macs needs --hosts mac1,mac2,... for mlx.launch");
  }
  std::vector<std::string> server{input.install.program, "--model", input.model_path, "--host",
                                  options.host, "--port", std::to_string(options.port),
                                  "--max-tokens",
                                  std::to_string(std::min(k_mlx_max_tokens,
                                                          context_or_family(input)))};
  if (options.trust_remote_code) {
    server.push_back("--trust-remote-code");
  }
  if (family_is_hybrid(family) && options.enable_thinking) {
    append(server, {"--chat-template-args", "{\"thinking\": true}"});
  }
  if (topology.multi_node()) {
    server.push_back("--pipeline");
  }
  append(server, lora_words(Engine::mlx, options.lora_modules));
  append(server, api_key_words(Engine::mlx, options.api_key));
  std::vector<std::string> dropped;
  append(server, pass_through_words(options.extra_args, FalseSwitch::leave_out, &dropped));

  ExecPlan plan;
  append(plan.notes, dropped);
  if (topology.multi_node()) {
    plan.program = exec::sibling_program(input.install.program, "mlx.launch");
    std::string hosts;
    for (const auto& host : topology.hosts) {
      hosts += (hosts.empty() ? "" : ",") + host.host;
    }
    plan.argv = {plan.program, "--hosts", hosts, "--backend", "ring", "--"};
    append(plan.argv, server);
    plan.notes.push_back("mlx.launch needs password-less ssh and the same paths on every Mac");
  } else {
    plan.program = input.install.program;
    plan.argv = server;
  }
  if (options.model_uid) {
    plan.notes.push_back("mlx-lm has no served-model-name; clients name the model by its path");
  }
  if (options.context_length) {
    plan.notes.push_back("mlx-lm has no context-length flag; --context-length only caps "
                         "--max-tokens");
  }
  add_environment(plan, input, false);
  return plan;
}

ExecPlan build_transformers(const CommandInput& input) {
  const auto& options = *input.options;
  if (input.topology.multi_node()) {
    throw Error(ExitCode::preflight,
                "transformers serve cannot span several nodes; use vLLM or SGLang");
  }
  // `transformers serve` (OpenAI-compatible) arrived in the 4.5x series, dated to 4.54.
  if (!input.install.version.at_least({4, 54})) {
    throw Error(ExitCode::preflight, "transformers " + input.install.version.text +
                                         " has no `transformers serve`; upgrade: pip install -U "
                                         "\"transformers[serving]\"");
  }
  ExecPlan plan;
  plan.program = input.install.program;
  plan.argv = {plan.program, "serve", "--host", options.host, "--port",
               std::to_string(options.port), "--force-model", input.model_path, "--dtype", "auto",
               "--device", input.gpus.cpu_requested ? "cpu" : "auto"};
  if (options.trust_remote_code) {
    plan.argv.push_back("--trust-remote-code");
  }
  append(plan.argv, lora_words(Engine::transformers, options.lora_modules));
  append(plan.argv, api_key_words(Engine::transformers, options.api_key));
  append(plan.argv, pass_through_words(options.extra_args));
  if (options.context_length) {
    plan.notes.push_back("transformers serve has no context-length flag; --context-length is "
                         "not applied");
  }
  add_environment(plan, input, true);
  return plan;
}

}  // namespace xl::engines::detail
