// SPDX-License-Identifier: Apache-2.0
#include "core/engines/discovery.hpp"

#include <cstdlib>
#include <fstream>

#include "core/exec/command_runner.hpp"
#include "core/exec/path_search.hpp"
#include "core/util/error.hpp"

namespace xl::engines {
namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Launcher launcher_for(Engine engine, const std::string& program) {
  return engine == Engine::sglang && base_name(program).rfind("python", 0) == 0
             ? Launcher::python_module
             : Launcher::program;
}

std::vector<std::string> with_prefix(std::vector<std::string> prefix,
                                     const std::vector<std::string>& rest) {
  prefix.insert(prefix.end(), rest.begin(), rest.end());
  return prefix;
}

std::vector<std::string> import_probe(const std::vector<std::string>& python,
                                      const std::string& module) {
  return with_prefix(python, {"-c", "import " + module + "; print(" + module + ".__version__)"});
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
}

std::vector<std::string> script_interpreter(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line.rfind("#!", 0) != 0) {
    return {};
  }
  std::vector<std::string> words;
  std::string word;
  for (char c : line.substr(2)) {
    if (c == ' ' || c == '\t' || c == '\r') {
      if (!word.empty()) {
        words.push_back(word);
        word.clear();
      }
    } else {
      word += c;
    }
  }
  if (!word.empty()) {
    words.push_back(word);
  }
  return words;
}

EngineInstall find_engine_install(Engine engine, const std::optional<std::string>& engine_bin,
                                  const EnvLookup& env, exec::CommandRunner& runner) {
  const auto& info = engine_info(engine);
  EngineInstall install;
  install.engine = engine;
  // 1. --engine-bin, 2. XLAUNCH_<ENGINE>_BIN: the user named a file; it must be executable.
  std::optional<std::pair<std::string, std::string>> named;
  if (engine_bin && !engine_bin->empty()) {
    named = std::make_pair(*engine_bin, std::string("--engine-bin"));
  } else if (auto value = env(std::string(info.bin_env)); value && !value->empty()) {
    named = std::make_pair(*value, std::string(info.bin_env));
  }
  const std::string path_env = env("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  if (named) {
    auto found = exec::find_in_path(named->first, path_env);
    if (!found) {
      throw Error(ExitCode::preflight, named->second + " " + named->first + " is not an " +
                                           "executable file; point it at the " +
                                           std::string(info.name) + " program (" +
                                           std::string(info.program) + ")");
    }
    install.program = *found;
    install.launcher = launcher_for(engine, install.program);
    return install;
  }
  // 3. PATH.
  if (auto found = exec::find_in_path(std::string(info.program), path_env)) {
    install.program = *found;
    return install;
  }
  if (engine == Engine::sglang) {
    if (auto python = exec::find_in_path("python3", path_env)) {
      const auto probe = runner.run(import_probe({*python}, "sglang"), std::chrono::seconds(60));
      if (probe.exit_code == 0) {
        install.program = *python;
        install.launcher = Launcher::python_module;
        install.version = parse_engine_version(probe.output);
        return install;
      }
    }
  }
  throw Error(ExitCode::preflight,
              std::string(info.name) + " is not installed (no " + std::string(info.program) +
                  " on PATH): install it with " + std::string(info.install_hint) +
                  ", or set " + std::string(info.bin_env) + " or --engine-bin to its path");
}

std::vector<std::vector<std::string>> version_probe_commands(const EngineInstall& install) {
  const auto& program = install.program;
  std::vector<std::vector<std::string>> commands;
  if (install.launcher == Launcher::python_module) {
    commands.push_back(import_probe({program}, "sglang"));
    return commands;
  }
  switch (install.engine) {
    case Engine::vllm:
    case Engine::llama_cpp: commands.push_back({program, "--version"}); break;
    case Engine::sglang:
      commands.push_back({program, "version"});
      commands.push_back({program, "--version"});
      break;
    case Engine::mlx: {
      commands.push_back({program, "--version"});
      // `mlx_lm --version` exists since mlx-lm 0.30.6; the server script itself has no flag.
      const auto cli = exec::sibling_program(program, "mlx_lm");
      if (exec::is_executable_file(cli)) {
        commands.push_back({cli, "--version"});
      }
      break;
    }
    case Engine::transformers: commands.push_back({program, "--version"}); break;
  }
  // Python console scripts: ask the interpreter they run with for the module's version.
  const char* module = install.engine == Engine::sglang         ? "sglang"
                       : install.engine == Engine::mlx          ? "mlx_lm"
                       : install.engine == Engine::transformers ? "transformers"
                       : install.engine == Engine::vllm         ? "vllm"
                                                                : nullptr;
  if (module != nullptr) {
    if (auto interpreter = script_interpreter(program); !interpreter.empty()) {
      commands.push_back(import_probe(interpreter, module));
    }
  }
  return commands;
}

EngineVersion probe_version(const EngineInstall& install, exec::CommandRunner& runner,
                            std::chrono::milliseconds timeout) {
  for (const auto& command : version_probe_commands(install)) {
    const auto result = runner.run(command, timeout);
    if (result.started && !result.timed_out && result.exit_code == 0) {
      if (auto version = parse_engine_version(result.output); version.known()) {
        return version;
      }
    }
  }
  return {};
}

std::string version_cache_path(const std::string& xlaunch_home) {
  return xlaunch_home + "/cache/engine-versions.json";
}

}  // namespace xl::engines
