// SPDX-License-Identifier: Apache-2.0
#pragma once

// The catalog's data model: Xinference's v2 `llm_family.json` schema, as parsed values.
// A family has specs; a spec has one source per hub; a source lists quantizations. Flattening
// (flatten.hpp) turns that tree into one FlatSpec per spec x hub x quantization.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xl::catalog {

// A model size as the catalog writes it: 671, or "1_5" for 1.5 billion. Kept as text so it
// round-trips; compare with sizes_match().
struct ModelSize {
  std::string text;  // "671", "1_5"

  // "1.5" for "1_5": how a user reads and types it.
  std::string display() const;
};

// Xinference's match_model_size(): `_` and `.` are the same, then integer equality.
bool sizes_match(const std::string& requested, const ModelSize& spec_size);

// One entry of a spec's `model_src`, e.g. model_src.huggingface.
struct HubSource {
  std::string hub;  // "huggingface", "modelscope", ...
  std::vector<std::string> quantizations;
  std::string model_id;
  std::optional<std::string> model_revision;
  std::optional<std::string> model_file_name_template;
  std::optional<std::string> model_file_name_split_template;
  // JSON order kept: quantization -> part strings ("00001-of-00003", ...).
  std::vector<std::pair<std::string, std::vector<std::string>>> quantization_parts;
  nlohmann::ordered_json raw;  // the whole object, for fields xlaunch does not interpret
};

struct FamilySpec {
  std::string model_format;  // pytorch, ggufv2, awq, gptq, fp8, fp4, bnb, mlx
  ModelSize size;
  std::optional<ModelSize> activated_size;
  std::vector<HubSource> sources;  // JSON order of model_src
};

struct LlmFamily {
  int version = 2;
  std::int64_t context_length = 2048;
  std::string model_name;
  std::vector<std::string> model_lang;
  std::vector<std::string> model_ability;
  std::string model_description;
  std::vector<FamilySpec> specs;
  std::vector<std::string> architectures;
  std::optional<std::string> model_type;
  std::optional<std::string> reasoning_start_tag;
  std::optional<std::string> reasoning_end_tag;
  std::optional<std::string> tool_parser;
  std::vector<std::int64_t> stop_token_ids;
  std::vector<std::string> stop;
  std::string origin;  // "built-in" or the path of the catalog file it came from
  nlohmann::ordered_json raw;  // the whole family object (key order kept)

  bool has_ability(const std::string& ability) const;
};

// One runnable choice: a spec on one hub with one quantization, every `{quantization}`
// expanded (as Xinference's flatten_quantizations does). `{part}` stays in split_template.
struct FlatSpec {
  const LlmFamily* family = nullptr;  // owned by the Catalog
  std::size_t spec_index = 0;         // index into family->specs
  std::string model_format;
  ModelSize size;
  std::optional<ModelSize> activated_size;
  std::string hub;
  std::string quantization;
  std::string model_id;
  std::optional<std::string> model_revision;  // as pinned by the catalog; nullopt = default
  std::optional<std::string> file_name_template;   // GGUF, expanded
  std::optional<std::string> split_template;       // GGUF, `{part}` still in it
  std::vector<std::string> parts;                  // GGUF parts of this quantization

  bool is_gguf() const { return model_format == "ggufv2"; }
  // The files a GGUF spec needs, in part order: split names when the quantization has
  // parts, else the single file name. Empty for other formats (they need the whole repo).
  std::vector<std::string> gguf_files() const;
  // Xinference's model_version: "{model_name}--{size}B--{format}--{quantization}".
  std::string model_version() const;
};

}  // namespace xl::catalog
