// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading the process environment through a small interface, so settings logic is tested with
// a map instead of the real environment.

#include <map>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace xl::config {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when it is not set.
  virtual std::optional<std::string> get(std::string_view name) const = 0;
};

// The real environment (getenv).
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override;
};

// A fixed set of variables, for tests.
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::initializer_list<std::pair<const std::string, std::string>> variables) : m_variables(variables) {}

  void set(std::string name, std::string value) { m_variables[std::move(name)] = std::move(value); }
  std::optional<std::string> get(std::string_view name) const override;

 private:
  std::map<std::string, std::string> m_variables;
};

}  // namespace xl::config
