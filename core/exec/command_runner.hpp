// SPDX-License-Identifier: Apache-2.0
#pragma once

// Running a short helper command (a version probe, nvidia-smi) and capturing its output, behind
// an interface so the logic that reads the output is tested with canned text.

#include <chrono>
#include <string>
#include <vector>

namespace xl::exec {

struct RunResult {
  bool started = false;    // false: the program could not be executed at all
  bool timed_out = false;  // killed after the timeout
  int exit_code = -1;      // the exit status; 128+N when killed by signal N
  std::string output;      // stdout and stderr, interleaved as written
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv (argv[0] is a path) with stdin closed; never throws for a failing command.
  virtual RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) = 0;
};

// fork + execv with a pipe; kills the child's process group on timeout.
class PosixCommandRunner : public CommandRunner {
 public:
  RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override;
};

// Puts SIGCHLD back to its default when the parent left it ignored, so child statuses can be
// collected. Called once at start-up, before any child is started.
void restore_default_child_signal();

}  // namespace xl::exec
