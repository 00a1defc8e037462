// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/hardware/platform.hpp"
#include "core/matching/engine_rules.hpp"

namespace xl {

// EngineRules backed by the engine registry (core/engines). Matching asks whether an engine
// can run a spec's format and quantization at all; whether it runs on this platform is a
// preflight question (exit code 4, not a usage error), so platform problems are not reported here.
class RegistryEngineRules final : public EngineRules {
 public:
  explicit RegistryEngineRules(hardware::Platform platform) : m_platform(std::move(platform)) {}

  std::vector<std::string> engine_names() const override;
  std::optional<std::string> canonical_name(std::string_view typed) const override;
  std::optional<std::string> why_cannot_run(const std::string& engine, const catalog::FlatSpec& spec) const override;
  std::string natural_engine(const catalog::FlatSpec& spec) const override;

 private:
  hardware::Platform m_platform;
};

}  // namespace xl
