// SPDX-License-Identifier: Apache-2.0
#include "core/engines/preflight.hpp"

#include "core/engines/compatibility.hpp"
#include "core/util/error.hpp"

namespace xl::engines {

EngineInstall preflight_engine(Engine engine, const hardware::Platform& platform,
                               const std::optional<std::string>& engine_bin, const EnvLookup& env,
                               exec::CommandRunner& runner, const std::string& version_cache_file) {
  if (auto problem = engine_platform_problem(engine, platform)) {
    throw Error(ExitCode::preflight, *problem);
  }
  auto install = find_engine_install(engine, engine_bin, env, runner);
  if (!install.version.known()) {
    install.version = version_cache_file.empty()
                          ? probe_version(install, runner, std::chrono::seconds(60))
                          : cached_probe_version(install, runner, version_cache_file);
  }
  return install;
}

void check_gpu_requirement(Engine engine, const hardware::GpuLayout& layout) {
  if ((engine == Engine::vllm || engine == Engine::sglang) && layout.gpus.empty() &&
      !layout.cpu_requested) {
    throw Error(ExitCode::preflight,
                std::string(engine_name(engine)) +
                    " needs an NVIDIA GPU and nvidia-smi found none: use a GGUF spec with "
                    "llama.cpp, or --n-gpu none with a CPU build of " +
                    std::string(engine_name(engine)));
  }
}

}  // namespace xl::engines
