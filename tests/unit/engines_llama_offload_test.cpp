// SPDX-License-Identifier: Apache-2.0
// llama.cpp when the fit check says "fits with offload to RAM": the command must say what stays
// in RAM, or llama-server runs the GPU out of memory at load with -ngl 999.
#include <doctest/doctest.h>

#include "core/engines/llama_offload.hpp"
#include "core/engines/model_profile.hpp"
#include "core/engines/pass_through.hpp"
#include "engine_command_fixtures.hpp"

using namespace xl;
using engines::Engine;
using engines::FitVerdict;

namespace {

constexpr std::uint64_t k_gib = 1024ULL * 1024 * 1024;

// The brief's case: 34.3 GiB needed, 21.6 GiB usable on one 24 GB GPU + 23.1 GiB of RAM.
engines::FitResult offload_fit() {
  engines::FitResult fit;
  fit.verdict = FitVerdict::fits_offload;
  fit.required_bytes = 343 * k_gib / 10;
  fit.gpu_budget_bytes = 216 * k_gib / 10;
  fit.ram_budget_bytes = 231 * k_gib / 10;
  fit.gpu_count = 1;
  fit.summary = "needs 34.3 GiB, has 21.6 GiB usable on 1 GPU + 23.1 GiB RAM";
  return fit;
}

engines::ExecPlan llama_plan(const catalog::FlatSpec& spec, const LaunchOptions& options,
                             const std::string& version,
                             const std::optional<engines::FitResult>& fit) {
  engines::CommandInput input;
  // llama-server --version prints a build number: "version: 6089 (hash)".
  input.install =
      test::install(Engine::llama_cpp, version.empty() ? "" : "version: " + version + " (0)");
  input.spec = &spec;
  input.model_path = "m.gguf";
  input.options = &options;
  input.gpus = test::gpus(1, 24576);
  input.fit = fit;
  return engines::build_exec_plan(input);
}

// The words between `-c N` and `--jinja`: where the placement goes.
std::string placement_of(const engines::ExecPlan& plan) {
  std::string out;
  bool inside = false;
  for (std::size_t i = 0; i < plan.argv.size(); ++i) {
    if (plan.argv[i] == "--jinja") {
      break;
    }
    if (inside) {
      out += (out.empty() ? "" : " ") + plan.argv[i];
    }
    if (plan.argv[i] == "-c") {
      inside = true;
      ++i;  // skip the context length
    }
  }
  return out;
}

catalog::LlmFamily dense_family() {
  return test::make_family("llama-3-8b", 8192, "LlamaForCausalLM", {"chat"});
}

}  // namespace

TEST_CASE("llama.cpp offload: a MoE model keeps its experts in RAM with --cpu-moe") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const LaunchOptions options;
  for (const char* version : {"", "6089", "7000"}) {
    CAPTURE(version);
    const auto plan = llama_plan(spec, options, version, offload_fit());
    CHECK(placement_of(plan) == "-ngl 999 --cpu-moe");
    REQUIRE(plan.notes.size() == 1);
    CHECK(plan.notes[0] ==
          "llama.cpp: expert weights stay in RAM, the rest on the GPU (--cpu-moe; --n-cpu-moe N "
          "after -- keeps only the first N layers' experts in RAM): the model fits only with "
          "offload to RAM, needs 34.3 GiB, has 21.6 GiB usable on 1 GPU + 23.1 GiB RAM");
  }
}

TEST_CASE("llama.cpp offload: nothing changes when the model fits on the GPU or no fit is known") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const LaunchOptions options;
  auto on_gpu = offload_fit();
  on_gpu.verdict = FitVerdict::fits_gpu;
  for (const auto& fit : {std::optional<engines::FitResult>{}, std::optional(on_gpu)}) {
    const auto plan = llama_plan(spec, options, "", fit);
    CHECK(placement_of(plan) == "-ngl 999");
    CHECK(plan.notes.empty());
  }
}

TEST_CASE("llama.cpp offload: builds older than --cpu-moe get a partial -ngl, never an unknown flag") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const LaunchOptions options;
  const auto plan = llama_plan(spec, options, "6088", offload_fit());
  // 61 layers x 21.6 / 34.3 = 38.4: 38 layers on the GPU.
  CHECK(placement_of(plan) == "-ngl 38");
  const auto line = engines::render_command(plan);
  CHECK(line.find("--cpu-moe") == std::string::npos);
  CHECK(line.find("-ot") == std::string::npos);
  REQUIRE(plan.notes.size() == 1);
  CHECK(plan.notes[0].find("38 of 61 layers on the GPU") != std::string::npos);
  CHECK(plan.notes[0].find("predates --cpu-moe (b6089)") != std::string::npos);
}

TEST_CASE("llama.cpp offload: a dense model leaves -ngl to --fit, or keeps layers in RAM") {
  const auto family = dense_family();
  auto spec = test::make_spec(family, "ggufv2", "Q4_K_M", "x/llama-GGUF", "8");
  spec.file_name_template = "llama-Q4_K_M.gguf";
  const LaunchOptions options;
  // Unknown version: the newest llama.cpp picks the layers itself when -ngl is unset.
  const auto newest = llama_plan(spec, options, "", offload_fit());
  CHECK(placement_of(newest) == "--fit on");
  CHECK(newest.notes.at(0).find("-ngl left unset for --fit on to pick the GPU layers") != std::string::npos);
  // A known build: --fit's first build is not pinned, and the layer count is not known.
  const auto known = llama_plan(spec, options, "7000", offload_fit());
  CHECK(placement_of(known) == "-ngl 0");
  CHECK(known.notes.at(0).find("-ngl N after -- puts N layers on the GPU") != std::string::npos);
}

TEST_CASE("llama.cpp offload: the user's own placement flags win") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::r1_gguf(r1, "UD-IQ1_S", 3);
  struct Row {
    std::vector<ExtraArg> extra;
    const char* placement;
  };
  const std::vector<Row> rows = {
      {{{"--n-cpu-moe", "40", true}}, "-ngl 999"},
      {{{"--n_cpu_moe", "40", false}}, "-ngl 999"},
      {{{"-cmoe", std::nullopt, false}}, "-ngl 999"},
      {{{"-ot", std::nullopt, true}, {".ffn_.*_exps.=CPU", std::nullopt, true}}, "-ngl 999"},
      {{{"--override-tensor=exps=CPU", std::nullopt, true}}, "-ngl 999"},
      {{{"-ngl", "20", false}}, ""},
      {{{"--n_gpu_layers", "20", false}}, ""},
      {{{"--gpu-layers=20", std::nullopt, true}}, ""},
      {{{"--fit", "on", false}}, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.extra.front().flag);
    LaunchOptions options;
    options.extra_args = row.extra;
    const auto plan = llama_plan(spec, options, "", offload_fit());
    CHECK(placement_of(plan) == row.placement);
    const auto line = engines::render_command(plan);
    CHECK(line.find("--cpu-moe") == std::string::npos);
    REQUIRE(plan.notes.size() == 1);
    CHECK(plan.notes[0].find("left to your own flags") != std::string::npos);
  }
}

TEST_CASE("--n-gpu none stays -ngl 0 whatever the fit says") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const LaunchOptions options;
  engines::CommandInput input;
  input.install = test::install(Engine::llama_cpp);
  input.spec = &spec;
  input.options = &options;
  input.gpus.cpu_requested = true;
  input.fit = offload_fit();
  const auto placement = engines::llama_gpu_placement(input);
  CHECK(placement.words == std::vector<std::string>{"-ngl", "0"});
  CHECK_FALSE(placement.note);
}

TEST_CASE("mixture-of-experts specs: DeepSeek V2/V3 by architecture, others by activated size") {
  const auto r1 = test::deepseek_r1();
  const auto v2 = test::deepseek_v2_chat();
  CHECK(engines::spec_is_moe(test::make_spec(r1, "ggufv2", "Q4_K_M", "x")));
  CHECK(engines::spec_is_moe(test::make_spec(v2, "pytorch", "none", "x", "16")));
  const auto dense = dense_family();
  auto spec = test::make_spec(dense, "pytorch", "none", "x", "8");
  CHECK_FALSE(engines::spec_is_moe(spec));
  spec.activated_size = catalog::ModelSize{"8"};
  CHECK_FALSE(engines::spec_is_moe(spec));
  spec.size = catalog::ModelSize{"30"};
  spec.activated_size = catalog::ModelSize{"3"};
  CHECK(engines::spec_is_moe(spec));
}

TEST_CASE("passes_flag finds a flag in every spelling the engine receives") {
  const std::vector<ExtraArg> extra = {{"--max_model_len", "8", false},
                                       {"--n-cpu-moe=4", std::nullopt, true},
                                       {"-ngl", std::nullopt, true}};
  CHECK(engines::passes_flag(extra, {"--max-model-len"}));
  CHECK(engines::passes_flag(extra, {"--n-cpu-moe"}));
  CHECK(engines::passes_flag(extra, {"--cpu-moe", "-ngl"}));
  CHECK_FALSE(engines::passes_flag(extra, {"--cpu-moe"}));
  CHECK_FALSE(engines::passes_flag(extra, {"--max_model_len"}));  // engine spelling only
  // Raw words are not respelled: the engine gets `--n_cpu_moe` as typed.
  CHECK_FALSE(engines::passes_flag({{"--n_cpu_moe", std::nullopt, true}}, {"--n-cpu-moe"}));
}
