// SPDX-License-Identifier: Apache-2.0
#include "catalog/template_expansion.hpp"

namespace xl::catalog {

std::optional<std::string> python_format(const std::string& text, const std::map<std::string, std::string>& fields) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        out += '{';
        ++i;
        continue;
      }
      const auto close = text.find('}', i + 1);
      if (close == std::string::npos) {
        return std::nullopt;
      }
      const std::string name = text.substr(i + 1, close - i - 1);
      const auto field = fields.find(name);
      if (field == fields.end()) {
        return std::nullopt;
      }
      out += field->second;
      i = close;
    } else if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::string expand_quantization(const std::string& text, const std::string& quantization) {
  if (text.find('{') == std::string::npos && text.find('}') == std::string::npos) {
    return text;
  }
  return python_format(text, {{"quantization", quantization}}).value_or(text);
}

std::string expand_part(const std::string& split_template, const std::string& quantization, const std::string& part) {
  return python_format(split_template, {{"quantization", quantization}, {"part", part}}).value_or(split_template);
}

}  // namespace xl::catalog
