// SPDX-License-Identifier: Apache-2.0
#include "core/exec/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace xl::exec {
namespace {

constexpr std::size_t k_max_output = 1 << 20;  // a version banner, not a log

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

}  // namespace

RunResult PosixCommandRunner::run(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) {
  RunResult result;
  if (argv.empty()) {
    return result;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return result;
  }
  // The child reports a failed execv as its errno on this close-on-exec pipe; a successful
  // execv closes it unwritten. Guessing from "exit 127 and no output" misfires whenever
  // anything (a sanitizer runtime, a wrapper) writes to the output pipe first.
  int exec_status[2];
  if (pipe2(exec_status, O_CLOEXEC) != 0) {
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  std::vector<char*> args;
  for (const auto& word : argv) {
    args.push_back(const_cast<char*>(word.c_str()));
  }
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    close(exec_status[0]);
    close(exec_status[1]);
    return result;
  }
  if (pid == 0) {
    // Own process group, so a timeout kills what the probe started too (python workers).
    setpgid(0, 0);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
      dup2(null_fd, 0);
    }
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execv(args[0], args.data());
    const int exec_errno = errno;
    [[maybe_unused]] const ssize_t written = write(exec_status[1], &exec_errno, sizeof exec_errno);
    _exit(127);
  }
  close(fds[1]);
  close(exec_status[1]);
  int exec_errno = 0;
  ssize_t status_bytes = 0;
  do {
    status_bytes = read(exec_status[0], &exec_errno, sizeof exec_errno);
  } while (status_bytes < 0 && errno == EINTR);
  close(exec_status[0]);
  result.started = status_bytes <= 0;  // EOF without a word: execv succeeded

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      continue;  // timeout is handled at the top of the loop
    }
    const ssize_t got = read(fds[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      break;  // EOF: every writer (the child and its children) closed the pipe
    }
    if (result.output.size() < k_max_output) {
      result.output.append(buffer, static_cast<std::size_t>(got));
    }
  }
  close(fds[0]);
  int status = 0;
  pid_t waited = 0;
  do {
    waited = waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  // ECHILD means the kernel reaped the child for us (SIGCHLD ignored): the status is unknown,
  // and must not read as a success.
  result.exit_code = waited == pid ? decode_status(status) : -1;
  return result;
}

void restore_default_child_signal() {
  // SIG_IGN for SIGCHLD survives exec: a parent that ignores it would make every waitpid
  // fail with ECHILD, and the engine xlaunch becomes would inherit that too.
  struct sigaction current {};
  if (sigaction(SIGCHLD, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) {
    signal(SIGCHLD, SIG_DFL);
  }
}

}  // namespace xl::exec
