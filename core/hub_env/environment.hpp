// SPDX-License-Identifier: Apache-2.0
#pragma once

// Read-only access to environment variables, behind an interface so settings are unit-tested
// with a map instead of the process environment.

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace xl {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; nullopt when unset. An empty value is returned as "".
  virtual std::optional<std::string> get(std::string_view name) const = 0;

  // The value when set and not empty.
  std::optional<std::string> non_empty(std::string_view name) const;
  // huggingface_hub's boolean rule: 1, ON, YES, TRUE in any case are true; anything else false.
  bool truthy(std::string_view name) const;
};

// The real process environment (getenv).
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override;
};

// A fixed set of variables, for tests and for callers that build an environment themselves.
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  MapEnvironment(std::initializer_list<std::pair<const std::string, std::string>> values) : m_values(values) {}
  std::optional<std::string> get(std::string_view name) const override;
  void set(std::string name, std::string value) { m_values[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> m_values;
};

// The boolean rule above, on a raw value.
bool is_truthy(std::string_view value);

}  // namespace xl
