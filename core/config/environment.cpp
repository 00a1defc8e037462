// SPDX-License-Identifier: Apache-2.0
#include "core/config/environment.hpp"

#include <cstdlib>

namespace xl::config {

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  // getenv needs a NUL-terminated name; string_view does not promise one.
  const std::string key(name);
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  const auto found = m_variables.find(std::string(name));
  if (found == m_variables.end()) {
    return std::nullopt;
  }
  return found->second;
}

}  // namespace xl::config
