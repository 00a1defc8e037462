// SPDX-License-Identifier: Apache-2.0
#include "catalog/catalog_parser.hpp"

#include <set>

#include "catalog/template_expansion.hpp"
#include "core/util/error.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/repo_path.hpp"

namespace xl::catalog {
namespace {

// ordered_json: the order of hubs in model_src matters (the first hub's spec wins a tie).
using json = nlohmann::ordered_json;

// Validation walks the document with the path of the node in hand, so every error says where.
class Reader {
 public:
  explicit Reader(std::string origin) : m_origin(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw Error(ExitCode::usage, "catalog " + m_origin + ": " + path + ": " + problem,
                "fix the file or remove it from --catalog / $XLAUNCH_HOME/catalog.d");
  }

  const json& require(const json& object, const std::string& path, const char* key) const {
    const auto it = object.find(key);
    if (it == object.end()) {
      fail(path, std::string("missing required field '") + key + "'");
    }
    return *it;
  }

  std::string string_at(const json& node, const std::string& path) const {
    if (!node.is_string()) {
      fail(path, "expected a string, got " + std::string(node.type_name()));
    }
    auto value = node.get<std::string>();
    if (value.find('\0') != std::string::npos) {
      fail(path, "contains a NUL character");
    }
    return value;
  }

  std::optional<std::string> optional_string(const json& object, const std::string& path, const char* key) const {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      return std::nullopt;
    }
    return string_at(*it, path + "." + key);
  }

  std::vector<std::string> string_list(const json& node, const std::string& path) const {
    if (!node.is_array()) {
      fail(path, "expected a list of strings, got " + std::string(node.type_name()));
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < node.size(); ++i) {
      values.push_back(string_at(node[i], path + "[" + std::to_string(i) + "]"));
    }
    return values;
  }

  ModelSize size_at(const json& node, const std::string& path) const {
    if (node.is_number_integer() && node.get<long long>() > 0) {
      return ModelSize{std::to_string(node.get<long long>())};
    }
    if (node.is_string()) {
      const auto text = node.get<std::string>();
      const bool valid = !text.empty() && text.find_first_not_of("0123456789_.") == std::string::npos &&
                         text.find_first_of("0123456789") != std::string::npos;
      if (valid) {
        return ModelSize{text};
      }
    }
    fail(path, "expected a positive size in billions (671 or \"1_5\"), got " + node.dump());
  }

  HubSource source_at(const json& node, const std::string& path, const std::string& hub, const std::string& format) const {
    if (!node.is_object()) {
      fail(path, "expected an object, got " + std::string(node.type_name()));
    }
    HubSource source;
    source.hub = hub;
    source.raw = node;
    source.quantizations = string_list(require(node, path, "quantizations"), path + ".quantizations");
    if (source.quantizations.empty()) {
      fail(path + ".quantizations", "must list at least one quantization");
    }
    std::set<std::string> seen;
    for (const auto& q : source.quantizations) {
      if (q.empty() || !seen.insert(q).second) {
        fail(path + ".quantizations", q.empty() ? "has an empty quantization" : "lists '" + q + "' twice");
      }
    }
    source.model_id = string_at(require(node, path, "model_id"), path + ".model_id");
    if (source.model_id.empty()) {
      fail(path + ".model_id", "must not be empty");
    }
    source.model_revision = optional_string(node, path, "model_revision");
    source.model_file_name_template = optional_string(node, path, "model_file_name_template");
    source.model_file_name_split_template = optional_string(node, path, "model_file_name_split_template");
    if (format == "ggufv2" && !source.model_file_name_template) {
      fail(path, "a ggufv2 spec needs 'model_file_name_template'");
    }
    if (const auto parts = node.find("quantization_parts"); parts != node.end() && !parts->is_null()) {
      const std::string parts_path = path + ".quantization_parts";
      if (!parts->is_object()) {
        fail(parts_path, "expected an object of quantization -> list of parts");
      }
      if (!source.model_file_name_split_template) {
        fail(path, "'quantization_parts' needs 'model_file_name_split_template'");
      }
      for (const auto& [quantization, list] : parts->items()) {
        auto part_list = string_list(list, parts_path + "." + quantization);
        if (part_list.empty()) {
          fail(parts_path + "." + quantization, "must list at least one part");
        }
        source.quantization_parts.emplace_back(quantization, std::move(part_list));
      }
    }
    check_file_names(source, path);
    return source;
  }

  // Every file name the templates give must stay inside the repository's snapshot folder: a
  // user's catalog is as untrusted as a hub's listing.
  void check_file_names(const HubSource& source, const std::string& path) const {
    auto check = [&](const std::string& field, const std::string& file, const std::string& quantization) {
      if (auto problem = repo_path_problem(file)) {
        fail(path + "." + field, "gives the file name " + printable(file) + " for quantization " +
                                     printable(quantization) + ", and that path " + *problem +
                                     "; file names must be relative paths inside the repository");
      }
    };
    for (const auto& quantization : source.quantizations) {
      if (source.model_file_name_template) {
        check("model_file_name_template", expand_quantization(*source.model_file_name_template, quantization),
              quantization);
      }
    }
    for (const auto& [quantization, parts] : source.quantization_parts) {
      for (const auto& part : parts) {
        check("model_file_name_split_template", expand_part(*source.model_file_name_split_template, quantization, part),
              quantization);
      }
    }
  }

  FamilySpec spec_at(const json& node, const std::string& path) const {
    if (!node.is_object()) {
      fail(path, "expected an object, got " + std::string(node.type_name()));
    }
    FamilySpec spec;
    spec.model_format = string_at(require(node, path, "model_format"), path + ".model_format");
    if (spec.model_format.empty()) {
      fail(path + ".model_format", "must not be empty");
    }
    spec.size = size_at(require(node, path, "model_size_in_billions"), path + ".model_size_in_billions");
    if (const auto it = node.find("activated_size_in_billions"); it != node.end() && !it->is_null()) {
      spec.activated_size = size_at(*it, path + ".activated_size_in_billions");
    }
    const json& sources = require(node, path, "model_src");
    if (!sources.is_object() || sources.empty()) {
      fail(path + ".model_src", "expected an object with at least one hub (huggingface, modelscope, ...)");
    }
    for (const auto& [hub, source] : sources.items()) {
      spec.sources.push_back(source_at(source, path + ".model_src." + hub, hub, spec.model_format));
    }
    return spec;
  }

  LlmFamily family_at(const json& node, const std::string& path) const {
    if (!node.is_object()) {
      fail(path, "expected a family object, got " + std::string(node.type_name()));
    }
    LlmFamily family;
    family.raw = node;
    family.origin = m_origin;
    if (const auto it = node.find("version"); it != node.end()) {
      if (!it->is_number_integer() || it->get<int>() != 2) {
        fail(path + ".version", "only version 2 families are supported (Xinference >= 1.8 format)");
      }
    }
    family.model_name = string_at(require(node, path, "model_name"), path + ".model_name");
    if (family.model_name.empty() || family.model_name.find_first_of("/\\ \t\n") != std::string::npos) {
      fail(path + ".model_name", "must be a non-empty name without spaces or slashes");
    }
    if (const auto it = node.find("context_length"); it != node.end()) {
      if (!it->is_number_integer() || it->get<long long>() <= 0) {
        fail(path + ".context_length", "expected a positive integer");
      }
      family.context_length = it->get<std::int64_t>();
    }
    if (const auto it = node.find("model_lang"); it != node.end()) {
      family.model_lang = string_list(*it, path + ".model_lang");
    }
    if (const auto it = node.find("model_ability"); it != node.end()) {
      family.model_ability = string_list(*it, path + ".model_ability");
    }
    family.model_description = optional_string(node, path, "model_description").value_or("");
    if (const auto it = node.find("architectures"); it != node.end() && !it->is_null()) {
      family.architectures = string_list(*it, path + ".architectures");
    }
    family.model_type = optional_string(node, path, "model_type");
    family.reasoning_start_tag = optional_string(node, path, "reasoning_start_tag");
    family.reasoning_end_tag = optional_string(node, path, "reasoning_end_tag");
    family.tool_parser = optional_string(node, path, "tool_parser");
    if (const auto it = node.find("stop"); it != node.end() && !it->is_null()) {
      family.stop = string_list(*it, path + ".stop");
    }
    if (const auto it = node.find("stop_token_ids"); it != node.end() && !it->is_null()) {
      if (!it->is_array()) {
        fail(path + ".stop_token_ids", "expected a list of integers");
      }
      for (std::size_t i = 0; i < it->size(); ++i) {
        if (!(*it)[i].is_number_integer()) {
          fail(path + ".stop_token_ids[" + std::to_string(i) + "]", "expected an integer");
        }
        family.stop_token_ids.push_back((*it)[i].get<std::int64_t>());
      }
    }
    const json& specs = require(node, path, "model_specs");
    if (!specs.is_array() || specs.empty()) {
      fail(path + ".model_specs", "expected a non-empty list of specs");
    }
    for (std::size_t i = 0; i < specs.size(); ++i) {
      family.specs.push_back(spec_at(specs[i], path + ".model_specs[" + std::to_string(i) + "]"));
    }
    return family;
  }

 private:
  std::string m_origin;
};

// Line and column of a byte offset, for parse errors a user can find in an editor.
std::string position_of(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::vector<LlmFamily> parse_catalog(std::string_view text, const std::string& origin) {
  Reader reader(origin);
  nlohmann::ordered_json ordered;
  try {
    // A depth limit keeps a hostile, deeply nested file from exhausting the stack; real
    // catalogs nest five levels.
    constexpr int k_max_depth = 64;
    if (json_nests_deeper_than(text, k_max_depth)) {
      throw Error(ExitCode::usage, "catalog " + origin + ": nested deeper than " + std::to_string(k_max_depth) +
                                       " levels; this is not a model catalog");
    }
    ordered = nlohmann::ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    const std::string message = e.what();
    const auto detail = message.find("parse error");
    throw Error(ExitCode::usage, "catalog " + origin + ": not valid JSON at " + position_of(text, e.byte > 0 ? e.byte - 1 : 0) +
                                     (detail == std::string::npos ? "" : ": " + message.substr(detail)));
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range.406 "number overflow parsing '1e400'": valid syntax, unusable value.
    const std::string message = e.what();
    const auto detail = message.find("] ");
    throw Error(ExitCode::usage, "catalog " + origin + ": " +
                                     (detail == std::string::npos ? message : message.substr(detail + 2)) +
                                     "; numbers in a catalog must fit in 64 bits");
  }
  std::vector<LlmFamily> families;
  if (ordered.is_array()) {
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      families.push_back(reader.family_at(ordered[i], "$[" + std::to_string(i) + "]"));
    }
  } else if (ordered.is_object()) {
    families.push_back(reader.family_at(ordered, "$"));
  } else {
    reader.fail("$", "expected a list of families or one family object, got " + std::string(ordered.type_name()));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (!names.insert(families[i].model_name).second) {
      reader.fail("$[" + std::to_string(i) + "].model_name", "family '" + families[i].model_name + "' is defined twice");
    }
  }
  return families;
}

}  // namespace xl::catalog
