// SPDX-License-Identifier: Apache-2.0
// Multi-node: topology validation and every rank's command per engine.
#include <doctest/doctest.h>

#include "core/util/error.hpp"
#include "error_code_of.hpp"
#include "engine_command_fixtures.hpp"

using namespace xl;
using test::code_of;
using engines::Engine;

namespace {

std::vector<engines::NodePlan> nodes_for(Engine engine, const catalog::FlatSpec& spec,
                                         const LaunchOptions& options,
                                         const std::string& version = "") {
  engines::CommandInput input;
  input.install = test::install(engine, version);
  input.spec = &spec;
  input.model_path = "snap";
  input.options = &options;
  input.gpus = engine == Engine::mlx ? hardware::GpuLayout{} : test::gpus(8);
  input.topology = engines::resolve_topology(options);
  return engines::build_node_plans(input);
}

std::string line(const engines::NodePlan& node) {
  REQUIRE(node.plan);
  return engines::render_command(*node.plan);
}

}  // namespace

TEST_CASE("topology: nnodes, n-worker, rank and master address") {
  LaunchOptions options;
  auto single = engines::resolve_topology(options);
  CHECK(single.nnodes == 1);
  CHECK_FALSE(single.multi_node());

  options.n_worker = 2;
  options.master_addr = "10.0.0.1:29600";
  options.node_rank = 1;
  auto two = engines::resolve_topology(options);
  CHECK(two.nnodes == 2);
  CHECK(two.rank == 1);
  CHECK(two.master_host == "10.0.0.1");
  CHECK(two.master_port == 29600);

  options.nnodes = 3;
  CHECK(code_of([&] { engines::resolve_topology(options); }) == ExitCode::usage);
  options.n_worker = 1;
  options.node_rank = 3;
  CHECK(code_of([&] { engines::resolve_topology(options); }) == ExitCode::usage);
  options.node_rank = 2;
  options.master_addr.reset();
  CHECK(code_of([&] { engines::resolve_topology(options); }) == ExitCode::usage);
  options.hosts = {"10.0.0.5", "10.0.0.6:50053", "[fd00::7]:50054"};
  auto hosts = engines::resolve_topology(options);
  CHECK(hosts.master_host == "10.0.0.5");
  CHECK(hosts.hosts[2].host == "fd00::7");
  CHECK(hosts.hosts[2].port == 50054);
  options.hosts.pop_back();
  CHECK(code_of([&] { engines::resolve_topology(options); }) == ExitCode::usage);

  CHECK(engines::parse_host_port("fd00::1").host == "fd00::1");
  CHECK_FALSE(engines::parse_host_port("fd00::1").port);
  CHECK(code_of([&] { engines::parse_host_port("host:99999"); }) == ExitCode::usage);
  CHECK(code_of([&] { engines::parse_host_port("host:"); }) == ExitCode::usage);
  CHECK(code_of([&] { engines::parse_host_port(":80"); }) == ExitCode::usage);
  CHECK(engines::format_host_port("fd00::1", 5) == "[fd00::1]:5");
}

TEST_CASE("vLLM native multi-node: TP per node, PP per node count, headless workers") {
  LaunchOptions options;
  options.nnodes = 2;
  options.master_addr = "10.0.0.1";
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto nodes = nodes_for(Engine::vllm, spec, options);
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[0].role == "api server");
  CHECK(line(nodes[0]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/vllm serve snap --host 127.0.0.1 --port 8000 "
        "--served-model-name deepseek-r1 --tensor-parallel-size 8 --pipeline-parallel-size 2 "
        "--gpu-memory-utilization 0.90 --trust-remote-code --nnodes 2 --node-rank 0 "
        "--master-addr 10.0.0.1 --master-port 29501 --reasoning-parser deepseek_r1 "
        "--enable-auto-tool-choice --tool-call-parser deepseek_v3");
  CHECK(nodes[1].role == "headless worker");
  CHECK(line(nodes[1]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/vllm serve snap --tensor-parallel-size 8 "
        "--pipeline-parallel-size 2 --gpu-memory-utilization 0.90 --trust-remote-code "
        "--nnodes 2 --node-rank 1 --master-addr 10.0.0.1 --master-port 29501 --headless");
  // Before 0.11 vLLM has no native multi-node mode.
  CHECK(code_of([&] { nodes_for(Engine::vllm, spec, options, "0.10.2"); }) ==
        ExitCode::preflight);
}

TEST_CASE("vLLM with --ray: Ray executor on rank 0, ray workers elsewhere") {
  LaunchOptions options;
  options.nnodes = 3;
  options.master_addr = "10.0.0.1";
  options.ray = true;
  const auto v3 = test::deepseek_v3_0324();
  const auto spec = test::make_spec(v3, "awq", "Int4", "cognitivecomputations/DeepSeek-V3-0324-AWQ");
  const auto nodes = nodes_for(Engine::vllm, spec, options, "0.10.2");
  REQUIRE(nodes.size() == 3);
  CHECK(line(nodes[0]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/vllm serve snap --host 127.0.0.1 --port 8000 "
        "--served-model-name deepseek-v3-0324 --tensor-parallel-size 8 --pipeline-parallel-size 3 "
        "--gpu-memory-utilization 0.90 --trust-remote-code --dtype float16 "
        "--distributed-executor-backend ray --enable-auto-tool-choice --tool-call-parser deepseek_v3");
  CHECK(nodes[0].plan->notes.front().find("ray start --head --port=6379") != std::string::npos);
  for (int rank : {1, 2}) {
    CHECK(nodes[rank].role == "ray worker");
    CHECK(line(nodes[rank]) ==
          "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/ray start --address=10.0.0.1:6379 --block");
  }
}

TEST_CASE("vLLM with --ray and --hosts: each node advertises its own address to Ray and vLLM") {
  LaunchOptions options;
  options.nnodes = 3;
  options.ray = true;
  options.hosts = {"10.0.0.1", "10.0.0.2", "node-c"};  // a name is not an address: left to Ray
  const auto v3 = test::deepseek_v3_0324();
  const auto spec = test::make_spec(v3, "awq", "Int4", "cognitivecomputations/DeepSeek-V3-0324-AWQ");
  const auto nodes = nodes_for(Engine::vllm, spec, options, "0.10.2");
  REQUIRE(nodes.size() == 3);
  CHECK(line(nodes[0]).rfind("VLLM_HOST_IP=10.0.0.1 CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/vllm serve", 0) == 0);
  CHECK(nodes[0].plan->notes.front().find(
            "`VLLM_HOST_IP=10.0.0.1 ray start --head --port=6379 --node-ip-address=10.0.0.1`") != std::string::npos);
  CHECK(line(nodes[1]) == "VLLM_HOST_IP=10.0.0.2 CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/ray start "
                          "--address=10.0.0.1:6379 --node-ip-address=10.0.0.2 --block");
  CHECK(line(nodes[2]) == "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/ray start --address=10.0.0.1:6379 --block");
}

TEST_CASE("SGLang multi-node: TP spans nodes, dist-init address") {
  LaunchOptions options;
  options.n_worker = 2;
  options.master_addr = "10.0.0.1";
  const auto v31 = test::deepseek_v31();
  const auto spec = test::make_spec(v31, "pytorch", "none", "deepseek-ai/DeepSeek-V3.1");
  const auto nodes = nodes_for(Engine::sglang, spec, options);
  REQUIRE(nodes.size() == 2);
  CHECK(line(nodes[0]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/sglang serve --model-path snap --host 127.0.0.1 "
        "--port 8000 --served-model-name Deepseek-V3.1 --tp-size 16 --pp-size 1 "
        "--trust-remote-code --nnodes 2 --node-rank 0 --dist-init-addr 10.0.0.1:50000 "
        "--reasoning-parser deepseek-v3 --tool-call-parser deepseekv31");
  CHECK(line(nodes[1]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/sglang serve --model-path snap --tp-size 16 "
        "--pp-size 1 --trust-remote-code --nnodes 2 --node-rank 1 "
        "--dist-init-addr 10.0.0.1:50000");
}

TEST_CASE("llama.cpp multi-node: --rpc on the head, rpc-server on the workers") {
  LaunchOptions options;
  options.nnodes = 3;
  options.hosts = {"10.0.0.1", "10.0.0.2", "10.0.0.3:50060"};
  const auto r1 = test::deepseek_r1();
  const auto spec = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const auto nodes = nodes_for(Engine::llama_cpp, spec, options);
  REQUIRE(nodes.size() == 3);
  CHECK(line(nodes[0]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/llama-server -m snap --alias deepseek-r1 "
        "--host 127.0.0.1 --port 8000 -c 163840 -ngl 999 --jinja --reasoning-format deepseek "
        "--split-mode layer --rpc 10.0.0.2:50052,10.0.0.3:50060");
  CHECK(nodes[1].role == "rpc worker");
  CHECK(line(nodes[1]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/rpc-server -H 10.0.0.2 -p 50052 -c");
  CHECK(line(nodes[2]) ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/rpc-server -H 10.0.0.3 -p 50060 -c");
  options.hosts.clear();
  options.master_addr = "10.0.0.1";
  CHECK(code_of([&] { nodes_for(Engine::llama_cpp, spec, options); }) == ExitCode::usage);
}

TEST_CASE("MLX multi-node: mlx.launch on rank 0 starts every Mac") {
  LaunchOptions options;
  options.nnodes = 2;
  options.hosts = {"mac1", "mac2"};
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "mlx", "4bit", "mlx-community/DeepSeek-R1-4bit");
  const auto nodes = nodes_for(Engine::mlx, spec, options);
  REQUIRE(nodes.size() == 2);
  CHECK(line(nodes[0]) ==
        "bin/mlx.launch --hosts mac1,mac2 --backend ring -- bin/mlx_lm.server --model snap "
        "--host 127.0.0.1 --port 8000 --max-tokens 32768 --trust-remote-code --pipeline");
  CHECK_FALSE(nodes[1].plan);
  CHECK(code_of([&] { nodes_for(Engine::mlx, spec, options, "0.28.0"); }) == ExitCode::preflight);
}

TEST_CASE("Transformers cannot span nodes") {
  LaunchOptions options;
  options.nnodes = 2;
  options.master_addr = "10.0.0.1";
  const auto v2 = test::deepseek_v2_chat();
  const auto spec = test::make_spec(v2, "pytorch", "none", "deepseek-ai/DeepSeek-V2-Chat", "236");
  CHECK(code_of([&] { nodes_for(Engine::transformers, spec, options); }) == ExitCode::preflight);
}
