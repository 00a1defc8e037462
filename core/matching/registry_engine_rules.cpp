// SPDX-License-Identifier: Apache-2.0
#include "core/matching/registry_engine_rules.hpp"

#include "core/engines/compatibility.hpp"
#include "core/engines/engine.hpp"

namespace xl {

std::vector<std::string> RegistryEngineRules::engine_names() const {
  std::vector<std::string> names;
  for (const auto engine : engines::all_engines()) {
    names.emplace_back(engines::engine_name(engine));
  }
  return names;
}

std::optional<std::string> RegistryEngineRules::canonical_name(std::string_view typed) const {
  if (const auto engine = engines::find_engine(typed)) {
    return std::string(engines::engine_name(*engine));
  }
  return std::nullopt;
}

std::optional<std::string> RegistryEngineRules::why_cannot_run(const std::string& engine, const catalog::FlatSpec& spec) const {
  const auto found = engines::find_engine(engine);
  if (!found) {
    return "unknown engine '" + engine + "'";
  }
  auto problem = engines::engine_can_run(*found, spec, m_platform);
  if (problem && problem == engines::engine_platform_problem(*found, m_platform)) {
    return std::nullopt;
  }
  return problem;
}

std::string RegistryEngineRules::natural_engine(const catalog::FlatSpec& spec) const {
  return std::string(engines::engine_name(engines::natural_engine(spec, m_platform)));
}

}  // namespace xl
