// SPDX-License-Identifier: Apache-2.0
#include "core/hub_env/environment.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace xl {

std::optional<std::string> Environment::non_empty(std::string_view name) const {
  auto value = get(name);
  if (!value || value->empty()) {
    return std::nullopt;
  }
  return value;
}

bool Environment::truthy(std::string_view name) const {
  auto value = get(name);
  return value && is_truthy(*value);
}

bool is_truthy(std::string_view value) {
  std::string upper(value);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  const std::string key(name);
  // getenv is only unsafe against concurrent setenv, which xlaunch never calls.
  const char* value = std::getenv(key.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  auto it = m_values.find(name);
  if (it == m_values.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace xl
