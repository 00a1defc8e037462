// SPDX-License-Identifier: Apache-2.0
#include "core/util/repo_path.hpp"

namespace xl {

std::optional<std::string> repo_path_problem(std::string_view path) {
  if (path.empty()) {
    return "is empty";
  }
  if (path.size() > k_max_repo_path_bytes) {
    return "is longer than " + std::to_string(k_max_repo_path_bytes) + " bytes";
  }
  if (path.front() == '/') {
    return "is absolute";
  }
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0) {
      return "contains a NUL character";
    }
    if (byte < 0x20 || byte == 0x7f) {
      return "contains a control character";
    }
    if (c == '\\') {
      return "contains a backslash";
    }
  }
  std::size_t start = 0;
  while (true) {
    const auto end = path.find('/', start);
    const std::string_view segment = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty()) {
      return "has an empty segment";
    }
    if (segment == "." || segment == "..") {
      return "has a '" + std::string(segment) + "' segment";
    }
    if (segment.size() > k_max_repo_name_bytes) {
      return "has a name longer than " + std::to_string(k_max_repo_name_bytes) + " bytes";
    }
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    start = end + 1;
  }
}

std::string printable(std::string_view text, std::size_t max_bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() > max_bytes) {
      out += "...' (" + std::to_string(text.size()) + " bytes)";
      return out;
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out += "\\x";
          out.push_back(k_hex[byte >> 4U]);
          out.push_back(k_hex[byte & 0x0FU]);
        } else {
          out.push_back(text[i]);
        }
    }
  }
  out += "'";
  return out;
}

std::string escape_controls(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      const std::string escaped = printable(std::string_view(&c, 1));
      out += escaped.substr(1, escaped.size() - 2);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace xl
