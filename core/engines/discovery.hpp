// SPDX-License-Identifier: Apache-2.0
#pragma once

// Finding an installed engine and its version. Order: --engine-bin, then XLAUNCH_<ENGINE>_BIN,
// then PATH. The version comes from the engine itself (`vllm --version`, ...) with a timeout
// and is cached per binary (path + mtime + size) so a launch is not slowed every time.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/engines/command.hpp"
#include "core/engines/engine.hpp"
#include "core/engines/engine_version.hpp"

namespace xl::exec {
class CommandRunner;
}

namespace xl::engines {

// Reads one environment variable; nullopt when unset. process_env() reads getenv().
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// The engine program, without its version yet. Throws Error(preflight) when it is missing,
// naming what to install and which variable or flag points at it; a --engine-bin or
// XLAUNCH_*_BIN value that is not an executable file is reported as such.
// SGLang without the `sglang` script falls back to `python3 -m sglang.launch_server` when
// `python3` on PATH can import sglang (checked with `runner`).
EngineInstall find_engine_install(Engine engine, const std::optional<std::string>& engine_bin,
                                  const EnvLookup& env, exec::CommandRunner& runner);

// The commands tried, in order, to learn the version; the first that exits 0 and prints a
// version wins. E.g. vLLM: `vllm --version`; Transformers: `transformers --version`, then
// `<its python> -c "import transformers; print(transformers.__version__)"`.
std::vector<std::vector<std::string>> version_probe_commands(const EngineInstall& install);

// Runs version_probe_commands() (each limited by `timeout`). Unknown when all fail.
EngineVersion probe_version(const EngineInstall& install, exec::CommandRunner& runner,
                            std::chrono::milliseconds timeout);

// The interpreter line of a script ("#!/usr/bin/env python3" -> {"/usr/bin/env", "python3"});
// empty for binaries and unreadable files.
std::vector<std::string> script_interpreter(const std::string& path);

// $XLAUNCH_HOME/cache/engine-versions.json
std::string version_cache_path(const std::string& xlaunch_home);

// probe_version() through the cache file: a hit needs the same path, mtime and size. Only
// known versions are stored (a failed probe is retried next time). A missing or corrupt cache
// file is treated as empty; failing to write it is not an error.
EngineVersion cached_probe_version(const EngineInstall& install, exec::CommandRunner& runner,
                                   const std::string& cache_file,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace xl::engines
