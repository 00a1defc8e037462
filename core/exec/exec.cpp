// SPDX-License-Identifier: Apache-2.0
#include "core/exec/exec.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.hpp"

extern char** environ;

namespace xl::exec {

std::vector<std::string> merge_environment(
    const std::vector<std::string>& base,
    const std::vector<std::pair<std::string, std::string>>& set) {
  std::vector<std::string> out = base;
  for (const auto& [name, value] : set) {
    const std::string prefix = name + "=";
    bool replaced = false;
    for (auto& entry : out) {
      if (entry.compare(0, prefix.size(), prefix) == 0) {
        entry = prefix + value;
        replaced = true;
      }
    }
    if (!replaced) {
      out.push_back(prefix + value);
    }
  }
  return out;
}

void exec_plan(const engines::ExecPlan& plan) {
  std::vector<std::string> base;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    base.emplace_back(*entry);
  }
  const auto env = merge_environment(base, plan.env_set);
  std::vector<char*> envp;
  for (const auto& entry : env) {
    envp.push_back(const_cast<char*>(entry.c_str()));
  }
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& word : plan.argv) {
    argv.push_back(const_cast<char*>(word.c_str()));
  }
  argv.push_back(nullptr);
  // The engine must see signals as a fresh process would: a blocked mask and ignored
  // dispositions survive execve, and xlaunch may have set either while downloading.
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
    signal(sig, SIG_DFL);
  }
  execve(plan.program.c_str(), argv.data(), envp.data());
  const int error = errno;
  throw Error(ExitCode::preflight, "cannot run " + plan.program + ": " + std::strerror(error));
}

}  // namespace xl::exec
