// SPDX-License-Identifier: Apache-2.0
#include "catalog/llm_family.hpp"

#include <algorithm>
#include <charconv>

#include "catalog/template_expansion.hpp"

namespace xl::catalog {

std::string ModelSize::display() const {
  std::string shown = text;
  std::replace(shown.begin(), shown.end(), '_', '.');
  return shown;
}

namespace {

std::optional<long long> parse_integer(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

bool sizes_match(const std::string& requested, const ModelSize& spec_size) {
  std::string a = requested;
  std::string b = spec_size.text;
  std::replace(a.begin(), a.end(), '_', '.');
  std::replace(b.begin(), b.end(), '_', '.');
  if (a == b) {
    return true;
  }
  const auto x = parse_integer(a);
  const auto y = parse_integer(b);
  return x && y && *x == *y;
}

bool LlmFamily::has_ability(const std::string& ability) const {
  return std::find(model_ability.begin(), model_ability.end(), ability) != model_ability.end();
}

std::vector<std::string> FlatSpec::gguf_files() const {
  if (!is_gguf()) {
    return {};
  }
  if (!parts.empty() && split_template) {
    std::vector<std::string> files;
    files.reserve(parts.size());
    for (const auto& part : parts) {
      files.push_back(expand_part(*split_template, quantization, part));
    }
    return files;
  }
  if (file_name_template) {
    return {*file_name_template};
  }
  return {};
}

std::string FlatSpec::model_version() const {
  const std::string name = family ? family->model_name : std::string{};
  return name + "--" + size.text + "B--" + model_format + "--" + quantization;
}

}  // namespace xl::catalog
