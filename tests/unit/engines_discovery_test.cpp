// SPDX-License-Identifier: Apache-2.0
// Engine discovery (--engine-bin, XLAUNCH_*_BIN, PATH), version probes and their cache, the
// process runner and the exec environment, with fake executables in temporary folders.
#include <doctest/doctest.h>
#include <signal.h>

#include <map>

#include "core/engines/preflight.hpp"
#include "core/exec/command_runner.hpp"
#include "core/exec/exec.hpp"
#include "core/exec/path_search.hpp"
#include "engine_fixtures.hpp"
#include "error_code_of.hpp"
#include "temp_dir.hpp"

using namespace xl;
using engines::Engine;

namespace {

engines::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

std::string error_text(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A fake engine that answers --version and counts how often it was asked.
std::string version_script(const test::TempDir& dir, const std::string& relative,
                           const std::string& version) {
  return dir.write(relative,
                   "#!/bin/sh\n"
                   "if [ \"$1\" = --version ]; then echo probe >> \"$0.count\"; echo " +
                       version + "; exit 0; fi\nexit 2\n",
                   0755);
}

int count_lines(const std::string& path) {
  const auto text = test::read_text(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("PATH search finds executables only") {
  const test::TempDir dir;
  dir.write("a/vllm", "not executable\n", 0644);
  const auto real = version_script(dir, "b/vllm", "0.11.2");
  const std::string path = dir.str() + "/a::" + dir.str() + "/b";
  CHECK(exec::find_in_path("vllm", path) == real);
  CHECK_FALSE(exec::find_in_path("vllm", dir.str() + "/a"));
  CHECK(exec::find_in_path(real, "") == real);
  CHECK_FALSE(exec::find_in_path(dir.str() + "/a/vllm", path));
  CHECK(exec::sibling_program(real, "ray") == dir.str() + "/b/ray");
  CHECK(exec::sibling_program("vllm", "ray") == "ray");
}

TEST_CASE("discovery order: --engine-bin, then XLAUNCH_<ENGINE>_BIN, then PATH") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  const auto on_path = version_script(dir, "path/vllm", "0.11.2");
  const auto from_env = version_script(dir, "env/my-vllm", "0.10.0");
  const auto from_flag = version_script(dir, "flag/vllm", "0.9.0");
  const std::string path = dir.str() + "/path";

  CHECK(engines::find_engine_install(Engine::vllm, std::nullopt, env_of({{"PATH", path}}), runner)
            .program == on_path);
  CHECK(engines::find_engine_install(Engine::vllm, std::nullopt,
                                     env_of({{"PATH", path}, {"XLAUNCH_VLLM_BIN", from_env}}),
                                     runner)
            .program == from_env);
  CHECK(engines::find_engine_install(Engine::vllm, from_flag,
                                     env_of({{"PATH", path}, {"XLAUNCH_VLLM_BIN", from_env}}),
                                     runner)
            .program == from_flag);
  // An empty variable is ignored; a bad one is reported by name.
  CHECK(engines::find_engine_install(Engine::vllm, std::nullopt,
                                     env_of({{"PATH", path}, {"XLAUNCH_VLLM_BIN", ""}}), runner)
            .program == on_path);
  const auto bad = error_text([&] {
    engines::find_engine_install(Engine::vllm, std::nullopt,
                                 env_of({{"PATH", path}, {"XLAUNCH_VLLM_BIN", dir.str() + "/nope"}}),
                                 runner);
  });
  CHECK(bad.find("XLAUNCH_VLLM_BIN") != std::string::npos);
  CHECK(bad.find("not an executable file") != std::string::npos);
  CHECK(test::code_of([&] {
          engines::find_engine_install(Engine::llama_cpp, dir.str() + "/nope", env_of({}), runner);
        }) == ExitCode::preflight);

  const auto missing = error_text([&] {
    engines::find_engine_install(Engine::llama_cpp, std::nullopt, env_of({{"PATH", path}}), runner);
  });
  CHECK(missing.find("llama.cpp is not installed (no llama-server on PATH)") != std::string::npos);
  CHECK(missing.find("XLAUNCH_LLAMA_CPP_BIN") != std::string::npos);
  CHECK(error_text([&] {
          engines::find_engine_install(Engine::vllm, std::nullopt, env_of({{"PATH", ""}}), runner);
        }).find("pip install vllm") != std::string::npos);
}

TEST_CASE("SGLang: the sglang script, else python3 -m sglang.launch_server") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  dir.write("py/python3",
            "#!/bin/sh\n[ \"$1\" = -c ] && [ \"$2\" = 'import sglang; print(sglang.__version__)' ] "
            "&& echo 0.4.6.post1 && exit 0\nexit 1\n",
            0755);
  auto install = engines::find_engine_install(Engine::sglang, std::nullopt,
                                              env_of({{"PATH", dir.str() + "/py"}}), runner);
  CHECK(install.launcher == engines::Launcher::python_module);
  CHECK(install.program == dir.str() + "/py/python3");
  CHECK(install.version.text == "0.4.6");
  dir.write("script/sglang", "#!/bin/sh\nexit 0\n", 0755);
  install = engines::find_engine_install(
      Engine::sglang, std::nullopt,
      env_of({{"PATH", dir.str() + "/script:" + dir.str() + "/py"}}), runner);
  CHECK(install.launcher == engines::Launcher::program);
  // An interpreter named by XLAUNCH_SGLANG_BIN is a python launcher too.
  install = engines::find_engine_install(
      Engine::sglang, std::nullopt, env_of({{"XLAUNCH_SGLANG_BIN", dir.str() + "/py/python3"}}),
      runner);
  CHECK(install.launcher == engines::Launcher::python_module);
}

TEST_CASE("version probe: engine flag first, then the script's own interpreter") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  const auto python = dir.write(
      "venv/python",
      "#!/bin/sh\n[ \"$1\" = -c ] && [ \"$2\" = 'import transformers; "
      "print(transformers.__version__)' ] && echo 4.57.1 && exit 0\nexit 2\n",
      0755);
  const auto script = dir.write("venv/transformers", "#!" + python + "\n# console script\n", 0755);
  CHECK(engines::script_interpreter(script) == std::vector<std::string>{python});
  engines::EngineInstall install{Engine::transformers, script, engines::Launcher::program, {}};
  const auto commands = engines::version_probe_commands(install);
  REQUIRE(commands.size() == 2);
  CHECK(commands[0] == std::vector<std::string>{script, "--version"});
  CHECK(engines::probe_version(install, runner, std::chrono::seconds(20)).text == "4.57.1");
  install.program = version_script(dir, "bin/llama-server", "'version: 6123 (abc)'");
  install.engine = Engine::llama_cpp;
  CHECK(engines::probe_version(install, runner, std::chrono::seconds(20)).text == "6123");
  install.program = dir.write("bin/broken", "#!/bin/sh\necho 1.2.3\nexit 1\n", 0755);
  CHECK_FALSE(engines::probe_version(install, runner, std::chrono::seconds(20)).known());
  CHECK(engines::script_interpreter(dir.write("env-style", "#!/usr/bin/env python3 -u\n")) ==
        std::vector<std::string>{"/usr/bin/env", "python3", "-u"});
  CHECK(engines::script_interpreter(dir.str() + "/missing").empty());
}

TEST_CASE("version cache: keyed by path, mtime and size, failures are not cached") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  const auto program = version_script(dir, "bin/vllm", "0.11.2");
  const auto cache = engines::version_cache_path(dir.str() + "/home");
  CHECK(cache == dir.str() + "/home/cache/engine-versions.json");
  engines::EngineInstall install{Engine::vllm, program, engines::Launcher::program, {}};

  CHECK(engines::cached_probe_version(install, runner, cache).text == "0.11.2");
  CHECK(engines::cached_probe_version(install, runner, cache).text == "0.11.2");
  CHECK(count_lines(program + ".count") == 1);
  const auto stored = nlohmann::json::parse(test::read_text(cache));
  CHECK(stored["engines"][program]["version"] == "0.11.2");

  version_script(dir, "bin/vllm", "0.11.10");  // a different binary: size changed
  CHECK(engines::cached_probe_version(install, runner, cache).text == "0.11.10");
  CHECK(count_lines(program + ".count") == 2);

  dir.write("home/cache/engine-versions.json", "{not json");
  CHECK(engines::cached_probe_version(install, runner, cache).text == "0.11.10");
  CHECK(count_lines(program + ".count") == 3);

  const auto silent = dir.write("bin/silent", "#!/bin/sh\necho probe >> \"$0.count\"\nexit 1\n", 0755);
  engines::EngineInstall unknown{Engine::vllm, silent, engines::Launcher::program, {}};
  CHECK_FALSE(engines::cached_probe_version(unknown, runner, cache).known());
  CHECK_FALSE(engines::cached_probe_version(unknown, runner, cache).known());
  CHECK(count_lines(silent + ".count") == 2);
}

TEST_CASE("preflight: platform first, then the program, then its version") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  version_script(dir, "bin/vllm", "0.11.2");
  const auto env = env_of({{"PATH", dir.str() + "/bin"}});
  const auto cache = engines::version_cache_path(dir.str() + "/home");
  const auto install =
      engines::preflight_engine(Engine::vllm, test::linux_x86(), std::nullopt, env, runner, cache);
  CHECK(install.version.text == "0.11.2");
  const auto mlx = error_text([&] {
    engines::preflight_engine(Engine::mlx, test::linux_x86(), std::nullopt, env, runner, cache);
  });
  CHECK(mlx.find("macOS arm64") != std::string::npos);
  CHECK(test::code_of([&] {
          engines::preflight_engine(Engine::vllm, test::mac_arm(), std::nullopt, env, runner, "");
        }) == ExitCode::preflight);

  CHECK(test::code_of([] { engines::check_gpu_requirement(Engine::vllm, {}); }) ==
        ExitCode::preflight);
  hardware::GpuLayout cpu;
  cpu.cpu_requested = true;
  CHECK(test::code_of([&] { engines::check_gpu_requirement(Engine::sglang, cpu); }) ==
        ExitCode::ok);
  CHECK(test::code_of([] { engines::check_gpu_requirement(Engine::llama_cpp, {}); }) ==
        ExitCode::ok);
}

TEST_CASE("process runner: output, exit codes, missing programs, timeouts") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  const auto talk = dir.write("talk", "#!/bin/sh\necho out\necho err >&2\nexit 3\n", 0755);
  auto result = runner.run({talk}, std::chrono::seconds(20));
  CHECK(result.started);
  CHECK(result.exit_code == 3);
  CHECK(result.output == "out\nerr\n");
  CHECK_FALSE(runner.run({dir.str() + "/missing"}, std::chrono::seconds(20)).started);
  const auto slow = dir.write("slow", "#!/bin/sh\nsleep 30 &\nwait\n", 0755);
  result = runner.run({slow}, std::chrono::milliseconds(200));
  CHECK(result.timed_out);
  CHECK(result.exit_code == 128 + 9);
}

TEST_CASE("process runner: an inherited ignored SIGCHLD is restored, never read as success") {
  const test::TempDir dir;
  exec::PosixCommandRunner runner;
  const auto fail = dir.write("fail", "#!/bin/sh\nexit 3\n", 0755);
  struct sigaction saved {};
  sigaction(SIGCHLD, nullptr, &saved);
  signal(SIGCHLD, SIG_IGN);
  const auto unknown = runner.run({fail}, std::chrono::seconds(20));
  CHECK(unknown.started);
  CHECK(unknown.exit_code == -1);  // reaped by the kernel: unknown, not 0
  exec::restore_default_child_signal();
  CHECK(runner.run({fail}, std::chrono::seconds(20)).exit_code == 3);
  sigaction(SIGCHLD, &saved, nullptr);
}

TEST_CASE("exec environment: caller's variables plus the plan's") {
  const auto env = exec::merge_environment({"PATH=/bin", "HOME=/h", "CUDA_VISIBLE_DEVICES=0"},
                                           {{"CUDA_VISIBLE_DEVICES", "1,2"}, {"NEW", "x=y"}});
  CHECK(env == std::vector<std::string>{"PATH=/bin", "HOME=/h", "CUDA_VISIBLE_DEVICES=1,2",
                                        "NEW=x=y"});
  CHECK(test::code_of([] {
          exec::exec_plan(engines::ExecPlan{"/nonexistent/engine", {"engine"}, {}, {}});
        }) == ExitCode::preflight);
}
