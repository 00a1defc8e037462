// SPDX-License-Identifier: Apache-2.0
#pragma once

// The checks that need no network, in the order the launch runs them: the engine exists and
// runs on this platform (preflight_engine, before any hub request), then the GPUs
// (check_gpu_requirement) and, once the spec's size is known, the fit (fit.hpp).

#include <optional>
#include <string>

#include "core/engines/command.hpp"
#include "core/engines/discovery.hpp"
#include "core/hardware/gpu.hpp"
#include "core/hardware/platform.hpp"

namespace xl::engines {

// 1. platform (MLX only on macOS arm64, vLLM/SGLang only on Linux) -> Error(preflight),
// 2. find the program (--engine-bin, XLAUNCH_<ENGINE>_BIN, PATH) -> Error(preflight) naming
//    what to install,
// 3. its version, through the cache file (may be "" to skip caching).
EngineInstall preflight_engine(Engine engine, const hardware::Platform& platform,
                               const std::optional<std::string>& engine_bin, const EnvLookup& env,
                               exec::CommandRunner& runner, const std::string& version_cache_file);

// vLLM and SGLang need a GPU unless the user asked for the CPU (--n-gpu none, for their CPU
// builds): no GPU found -> Error(preflight) saying what to do instead.
void check_gpu_requirement(Engine engine, const hardware::GpuLayout& layout);

}  // namespace xl::engines
