// SPDX-License-Identifier: Apache-2.0
// The built-in catalog against the values recorded from Xinference's llm_family.json
// (xinference.md §2.5): every expanded model id, revision and GGUF part name.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <set>

#include "catalog/catalog.hpp"
#include "catalog/flatten.hpp"

using namespace xl::catalog;

namespace {

struct Expected {
  std::string family, format, size, hub, quantization, model_id, revision;
};

std::vector<Expected> expected_non_gguf() {
  const std::string r1_commit = "8a58a132790c9935686eb97f042afa8013451c9f";
  std::vector<Expected> rows = {
      {"deepseek-r1", "pytorch", "671", "huggingface", "none", "deepseek-ai/DeepSeek-R1", r1_commit},
      {"deepseek-r1", "pytorch", "671", "modelscope", "none", "deepseek-ai/DeepSeek-R1", "master"},
      {"deepseek-r1", "awq", "671", "huggingface", "Int4", "cognitivecomputations/DeepSeek-R1-AWQ", ""},
      {"deepseek-r1", "awq", "671", "modelscope", "Int4", "cognitivecomputations/DeepSeek-R1-awq", "master"},
      {"deepseek-v3-0324", "pytorch", "671", "huggingface", "none", "deepseek-ai/DeepSeek-V3-0324", ""},
      {"deepseek-v3-0324", "pytorch", "671", "modelscope", "none", "deepseek-ai/DeepSeek-V3-0324", ""},
      {"deepseek-v3-0324", "awq", "671", "huggingface", "Int4", "cognitivecomputations/DeepSeek-V3-0324-AWQ", ""},
      {"deepseek-v3-0324", "awq", "671", "modelscope", "Int4", "cognitivecomputations/DeepSeek-V3-0324-AWQ", ""},
      {"Deepseek-V3.1", "pytorch", "671", "huggingface", "none", "deepseek-ai/DeepSeek-V3.1", ""},
      {"Deepseek-V3.1", "pytorch", "671", "modelscope", "none", "deepseek-ai/DeepSeek-V3.1", ""},
      {"Deepseek-V3.1", "gptq", "671", "huggingface", "Int4", "cpatonn/DeepSeek-V3.1-GPTQ-4bit", ""},
      {"Deepseek-V3.1", "gptq", "671", "modelscope", "Int4", "cpatonn/DeepSeek-V3.1-GPTQ-4bit", ""},
      {"Deepseek-V3.1", "awq", "671", "huggingface", "Int4", "QuantTrio/DeepSeek-V3.1-AWQ", ""},
      {"Deepseek-V3.1", "awq", "671", "modelscope", "Int4", "tclf90/DeepSeek-V3.1-AWQ", ""},
      {"deepseek-v2-chat", "pytorch", "16", "huggingface", "none", "deepseek-ai/DeepSeek-V2-Lite-Chat", "85864749cd611b4353ce1decdb286193298f64c7"},
      {"deepseek-v2-chat", "pytorch", "16", "modelscope", "none", "deepseek-ai/DeepSeek-V2-Lite-Chat", "master"},
      {"deepseek-v2-chat", "pytorch", "236", "huggingface", "none", "deepseek-ai/DeepSeek-V2-Chat", "8e3f5f6c2226787e41ba3e9283a06389d178c926"},
      {"deepseek-v2-chat", "pytorch", "236", "modelscope", "none", "deepseek-ai/DeepSeek-V2-Chat", "master"},
  };
  for (const std::string hub : {"huggingface", "modelscope"}) {
    for (const std::string q : {"2bit", "3bit", "4bit"}) {
      rows.push_back({"deepseek-r1", "mlx", "671", hub, q, "mlx-community/DeepSeek-R1-" + q, ""});
    }
    for (const std::string q : {"8bit", "4bit"}) {
      rows.push_back({"Deepseek-V3.1", "mlx", "671", hub, q, "mlx-community/DeepSeek-V3.1-" + q, ""});
    }
  }
  // deepseek-v3-0324's mlx spec has no ModelScope entry.
  for (const std::string q : {"4bit", "5bit", "8bit"}) {
    rows.push_back({"deepseek-v3-0324", "mlx", "671", "huggingface", q, "mlx-community/DeepSeek-V3-0324-" + q, ""});
  }
  return rows;
}

// R1 GGUF quantizations and their part counts, in catalog order.
const std::vector<std::pair<std::string, int>> k_r1_gguf_parts = {
    {"UD-IQ1_S", 3}, {"UD-IQ1_M", 4}, {"UD-IQ2_XXS", 4}, {"UD-Q2_K_XL", 5}, {"Q2_K", 5}, {"Q2_K_L", 5}, {"Q2_K_XS", 5},
    {"Q3_K_M", 7},   {"Q4_K_M", 9},   {"Q5_K_M", 10},    {"Q6_K", 12},      {"Q8_0", 15}, {"BF16", 30}};

std::string part_name(const std::string& q, int k, int n) {
  char part[32];
  std::snprintf(part, sizeof part, "%05d-of-%05d", k, n);
  return "DeepSeek-R1-" + q + "/DeepSeek-R1-" + q + "-" + part + ".gguf";
}

}  // namespace

TEST_CASE("the built-in catalog holds exactly the four seed families") {
  const Catalog catalog = Catalog::built_in();
  CHECK(catalog.names() == std::vector<std::string>{"deepseek-r1", "deepseek-v3-0324", "Deepseek-V3.1", "deepseek-v2-chat"});
  CHECK(catalog.find("deepseek-r1")->context_length == 163840);
  CHECK(catalog.find("deepseek-v3-0324")->context_length == 163840);
  CHECK(catalog.find("Deepseek-V3.1")->context_length == 131072);
  CHECK(catalog.find("deepseek-v2-chat")->context_length == 128000);
  CHECK(catalog.find("deepseek-r1")->reasoning_start_tag == "<think>");
  CHECK(catalog.find("Deepseek-V3.1")->tool_parser == "deepseek-v3.1");
  CHECK(catalog.find("Deepseek-V3.1")->model_ability == std::vector<std::string>{"chat", "reasoning", "hybrid", "tools"});
  CHECK_FALSE(catalog.find("deepseek-v3-0324")->reasoning_start_tag.has_value());
  CHECK_FALSE(catalog.find("deepseek-v2-chat")->specs[0].activated_size.has_value());
  CHECK(catalog.find("deepseek-r1")->specs[0].activated_size->text == "37");
}

TEST_CASE("every non-GGUF spec expands to the recorded model id and revision") {
  const Catalog catalog = Catalog::built_in();
  std::set<std::string> seen;
  std::size_t non_gguf = 0;
  for (const auto& family : catalog.families()) {
    for (const auto& spec : flatten(*family)) {
      if (spec.is_gguf()) {
        continue;
      }
      ++non_gguf;
      bool found = false;
      for (const auto& e : expected_non_gguf()) {
        if (e.family == family->model_name && e.format == spec.model_format && e.size == spec.size.text && e.hub == spec.hub &&
            e.quantization == spec.quantization) {
          found = true;
          CHECK(spec.model_id == e.model_id);
          CHECK(spec.model_revision.value_or("") == e.revision);
          CHECK(spec.gguf_files().empty());
        }
      }
      CHECK_MESSAGE(found, family->model_name << " " << spec.model_format << " " << spec.hub << " " << spec.quantization);
    }
  }
  CHECK(non_gguf == expected_non_gguf().size());
}

TEST_CASE("every R1 GGUF quantization lists exactly its recorded parts on both hubs") {
  const Catalog catalog = Catalog::built_in();
  std::map<std::string, std::vector<std::string>> by_hub_quant;
  for (const auto& spec : flatten(*catalog.find("deepseek-r1"))) {
    if (!spec.is_gguf()) {
      continue;
    }
    CHECK(spec.model_id == "unsloth/DeepSeek-R1-GGUF");
    CHECK_FALSE(spec.model_revision.has_value());
    CHECK(spec.file_name_template == "DeepSeek-R1-" + spec.quantization + "/DeepSeek-R1-" + spec.quantization + ".gguf");
    CHECK(spec.split_template == "DeepSeek-R1-{quantization}/DeepSeek-R1-{quantization}-{part}.gguf");
    by_hub_quant[spec.hub + "/" + spec.quantization] = spec.gguf_files();
  }
  CHECK(by_hub_quant.size() == 2 * k_r1_gguf_parts.size());
  for (const std::string hub : {"huggingface", "modelscope"}) {
    for (const auto& [q, n] : k_r1_gguf_parts) {
      std::vector<std::string> expected;
      for (int k = 1; k <= n; ++k) {
        expected.push_back(part_name(q, k, n));
      }
      CHECK_MESSAGE(by_hub_quant[hub + "/" + q] == expected, hub << " " << q);
    }
  }
}

TEST_CASE("flattening keeps Xinference's order: spec, then hub, then quantization") {
  const Catalog catalog = Catalog::built_in();
  const auto flat = flatten(*catalog.find("deepseek-r1"));
  REQUIRE(flat.size() == 2 + 2 + 26 + 6);
  CHECK(flat[0].model_format == "pytorch");
  CHECK(flat[0].hub == "huggingface");
  CHECK(flat[1].hub == "modelscope");
  CHECK(flat[4].quantization == "UD-IQ1_S");
  CHECK(flat[4].model_version() == "deepseek-r1--671B--ggufv2--UD-IQ1_S");
  CHECK(flat.back().quantization == "4bit");
  CHECK(flat.back().hub == "modelscope");
}
