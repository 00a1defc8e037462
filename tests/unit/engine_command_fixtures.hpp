// SPDX-License-Identifier: Apache-2.0
#pragma once

// Inputs for the engine command tests: an 8 x 80 GB node, default options, engines installed
// under bin/ with an unknown (= newest) version.

#include <string>

#include "core/engines/command.hpp"
#include "engine_fixtures.hpp"

namespace xl::test {

inline hardware::GpuLayout gpus(int count, std::uint64_t mib = 81920) {
  hardware::GpuLayout layout;
  for (int i = 0; i < count; ++i) {
    layout.gpus.push_back(hardware::GpuInfo{i, "NVIDIA H100 80GB HBM3", mib, 0});
  }
  return layout;
}

inline engines::EngineInstall install(engines::Engine engine, const std::string& version = "") {
  static const char* k_programs[] = {"bin/vllm", "bin/sglang", "bin/llama-server",
                                     "bin/mlx_lm.server", "bin/transformers"};
  engines::EngineInstall out;
  out.engine = engine;
  out.program = k_programs[static_cast<int>(engine)];
  out.version = engines::parse_engine_version(version);
  return out;
}

// The command for `spec` on `engine`, rendered as a shell line, for rank 0 of a single node.
inline std::string command_line(engines::Engine engine, const catalog::FlatSpec& spec,
                                const LaunchOptions& options, const hardware::GpuLayout& layout,
                                const std::string& snapshot = "snap") {
  engines::CommandInput input;
  input.install = install(engine);
  input.spec = &spec;
  input.model_path = engines::engine_model_path(spec, snapshot);
  input.options = &options;
  input.gpus = layout;
  return engines::render_command(engines::build_exec_plan(input));
}

}  // namespace xl::test
