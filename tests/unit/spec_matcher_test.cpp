// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "catalog/catalog.hpp"
#include "catalog/flatten.hpp"
#include "core/matching/registry_engine_rules.hpp"
#include "core/matching/spec_matcher.hpp"
#include "core/util/error.hpp"

using namespace xl;

namespace {

const catalog::Catalog& seed_catalog() {
  static const catalog::Catalog catalog = catalog::Catalog::built_in();
  return catalog;
}

const RegistryEngineRules k_linux({"linux", "x86_64"});

MatchQuery query(std::string name, std::string hub = "huggingface") {
  MatchQuery q;
  q.model_name = std::move(name);
  q.hub = std::move(hub);
  return q;
}

Error match_error(const MatchQuery& q, const catalog::Catalog& catalog = seed_catalog()) {
  try {
    (void)match_spec(catalog, q, k_linux);
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected no match");
  return Error(ExitCode::ok, "");
}

// A catalog of one family `name` with one spec in `format`, on `hub` only.
catalog::Catalog one_spec_catalog(const std::string& name, const std::string& format, const std::string& hub) {
  catalog::Catalog catalog;
  catalog.merge(R"([{"version": 2, "context_length": 4096, "model_name": ")" + name +
                    R"(", "model_lang": ["en"], "model_ability": ["generate"], "model_specs": [{"model_format": ")" +
                    format + R"(", "model_size_in_billions": 1, "quantization": "none", "model_src": {")" + hub +
                    R"(": {"quantizations": ["none"], "model_id": "a/b"}}}]}])",
                name + ".json");
  return catalog;
}

}  // namespace

TEST_CASE("omitted flags pick the first spec, hub and quantization") {
  const Match m = match_spec(seed_catalog(), query("deepseek-r1"), k_linux);
  CHECK(m.spec.model_format == "pytorch");
  CHECK(m.spec.quantization == "none");
  CHECK(m.engine == "vLLM");
  auto gguf = query("deepseek-r1");
  gguf.format = "ggufv2";
  CHECK(match_spec(seed_catalog(), gguf, k_linux).spec.quantization == "UD-IQ1_S");
  auto mlx = query("Deepseek-V3.1");
  mlx.format = "mlx";
  CHECK(match_spec(seed_catalog(), mlx, k_linux).spec.quantization == "8bit");
  CHECK(match_spec(seed_catalog(), query("deepseek-v2-chat"), k_linux).spec.size.text == "16");
}

TEST_CASE("the engine takes part in matching") {
  auto q = query("deepseek-r1");
  q.engine = "LLAMA.CPP";
  const Match m = match_spec(seed_catalog(), q, k_linux);
  CHECK(m.spec.model_format == "ggufv2");
  CHECK(m.spec.quantization == "UD-IQ1_S");
  CHECK(m.engine == "llama.cpp");
  q.engine = "mlx";  // runs nowhere but macOS; that is preflight's call, not matching's
  CHECK(match_spec(seed_catalog(), q, k_linux).spec.model_format == "mlx");
}

TEST_CASE("quantization and size match loosely, the catalog's spelling is kept") {
  auto q = query("deepseek-r1");
  q.quantization = "q4_k_m";
  const Match m = match_spec(seed_catalog(), q, k_linux);
  CHECK(m.spec.quantization == "Q4_K_M");
  CHECK(m.spec.gguf_files().size() == 9);
  CHECK(m.engine == "llama.cpp");
  auto sized = query("deepseek-v2-chat");
  sized.size = "236";
  CHECK(match_spec(seed_catalog(), sized, k_linux).spec.model_id == "deepseek-ai/DeepSeek-V2-Chat");
}

TEST_CASE("every spec of the four families is reachable by some flags") {
  for (const auto& family : seed_catalog().families()) {
    for (const auto& spec : catalog::flatten(*family)) {
      auto q = query(family->model_name, spec.hub);
      q.hub_was_explicit = true;
      q.format = spec.model_format;
      q.size = spec.size.text;
      q.quantization = spec.quantization;
      const Match m = match_spec(seed_catalog(), q, k_linux);
      CHECK(m.spec.model_id == spec.model_id);
      CHECK(m.spec.hub == spec.hub);
      CHECK(m.spec.spec_index == spec.spec_index);
    }
  }
}

TEST_CASE("a model name differing only in case matches, with a note") {
  const Match m = match_spec(seed_catalog(), query("DeepSeek-V3.1"), k_linux);
  CHECK(m.family->model_name == "Deepseek-V3.1");
  REQUIRE(m.notes.size() == 1);
  CHECK(m.notes[0].find("matched 'Deepseek-V3.1'") != std::string::npos);
}

TEST_CASE("errors say what exists") {
  const Error unknown = match_error(query("deepsek-r1"));
  CHECK(unknown.code() == ExitCode::usage);
  CHECK(std::string(unknown.what()) == "unknown model 'deepsek-r1'; did you mean 'deepseek-r1'?");
  CHECK(std::string(match_error(query("llama-9")).what()).find("did you mean") == std::string::npos);

  auto no_quant = query("deepseek-r1");
  no_quant.format = "ggufv2";
  no_quant.quantization = "Q9";
  const Error none = match_error(no_quant);
  CHECK(std::string(none.what()) == "no spec of deepseek-r1 matches format ggufv2, quantization Q9; these exist:");
  CHECK(none.hint().find("UD-IQ1_S, UD-IQ1_M") != std::string::npos);
  CHECK(none.hint().find("llama.cpp") != std::string::npos);

  auto engine = query("deepseek-r1");
  engine.engine = "vllm";
  engine.format = "ggufv2";
  const Error split = match_error(engine);
  CHECK(std::string(split.what()).find("split GGUF") != std::string::npos);
  CHECK(split.hint().find("pytorch") != std::string::npos);
  CHECK(split.hint().find("ggufv2") == std::string::npos);

  auto bad_engine = query("deepseek-r1");
  bad_engine.engine = "ollama";
  CHECK(std::string(match_error(bad_engine).what()).find("unknown engine 'ollama'; choose one of: vLLM") != std::string::npos);

  auto v2_on_llama_cpp = query("deepseek-v2-chat");
  v2_on_llama_cpp.engine = "llama.cpp";
  CHECK(std::string(match_error(v2_on_llama_cpp).what()).find("llama.cpp cannot run any spec of deepseek-v2-chat") != std::string::npos);
}

TEST_CASE("a spec missing on the chosen hub is said, not silently switched") {
  auto q = query("deepseek-v3-0324", "modelscope");
  q.format = "mlx";
  q.hub_was_explicit = true;
  CHECK(std::string(match_error(q).what()) ==
        "deepseek-v3-0324 with format mlx has no modelscope source; it is on huggingface: use --download-hub huggingface");
  q.hub_was_explicit = false;
  const Match m = match_spec(seed_catalog(), q, k_linux);
  CHECK(m.spec.hub == "huggingface");
  REQUIRE(m.notes.size() == 1);
  CHECK(m.notes[0] == "deepseek-v3-0324 with format mlx has no modelscope source; using huggingface instead");
}

TEST_CASE("a spec only on a hub xlaunch has no client for is never advised, but runs from --model-path") {
  const auto catalog = one_spec_catalog("csonly", "pytorch", "csghub");
  for (const bool explicit_hub : {false, true}) {
    auto q = query("csonly", "modelscope");
    q.hub_was_explicit = explicit_hub;
    CHECK(std::string(match_error(q, catalog).what()) ==
          "csonly with the given flags is only on csghub, which xlaunch cannot download "
          "from; fetch the weights yourself and pass --model-path");
    q.local_weights = true;
    CHECK(match_spec(catalog, q, k_linux).spec.model_id == "a/b");
  }
}

TEST_CASE("a spec in a format no engine runs is not handed to an engine as its natural one") {
  const Error e = match_error(query("odd"), one_spec_catalog("odd", "weird", "huggingface"));
  CHECK(e.code() == ExitCode::usage);
  CHECK(std::string(e.what()).find("no engine can run odd") == 0);
}

TEST_CASE("the per-hub model ids differ where the catalog says so") {
  auto q = query("Deepseek-V3.1", "modelscope");
  q.format = "awq";
  CHECK(match_spec(seed_catalog(), q, k_linux).spec.model_id == "tclf90/DeepSeek-V3.1-AWQ");
  q.hub = "huggingface";
  CHECK(match_spec(seed_catalog(), q, k_linux).spec.model_id == "QuantTrio/DeepSeek-V3.1-AWQ");
}
