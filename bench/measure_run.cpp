// SPDX-License-Identifier: Apache-2.0
// Runs a command and writes down what the kernel accounted to it, as GNU time does, with the
// CPU time to the microsecond. GNU time prints it in 10 ms steps: in scenario c of
// bench/run.sh that is a sixteenth of xlaunch's CPU time and a quarter of the sha256 floor's, so
// the ratio to the floor it reported could be off by a third either way.
//
//   measure_run OUTPUT -- COMMAND [ARG...]
//
// OUTPUT gets one line: user and system CPU seconds (6 decimals), peak RSS in KiB, the exit
// code (128 + the signal's number when a signal ended the command), and the voluntary and
// involuntary context switches. The counts cover the command and the children it waited for.
// Exits with the command's exit code.
//
// Why a program and not the harness's own wait4(): Linux carries the peak RSS of the process
// that calls execve() over into the program it execs. Spawned straight from the Python harness,
// every client would report at least Python's ~25 MiB; forked from this small program, it
// starts from this program's ~1.5 MiB, as under GNU time.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

int usage() {
  std::fprintf(stderr, "usage: measure_run OUTPUT -- COMMAND [ARG...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    return usage();
  }
  const char* output = argv[1];
  char** command = argv + 3;
  const pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "measure_run: fork: %s\n", std::strerror(errno));
    return 125;
  }
  if (child == 0) {
    execvp(command[0], command);
    std::fprintf(stderr, "measure_run: cannot run %s: %s\n", command[0], std::strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  int status = 0;
  rusage usage{};
  while (wait4(child, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "measure_run: wait4: %s\n", std::strerror(errno));
      return 125;
    }
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE* out = std::fopen(output, "w");
  if (out == nullptr) {
    std::fprintf(stderr, "measure_run: cannot write %s: %s\n", output, std::strerror(errno));
    return 125;
  }
  std::fprintf(out, "%.6f %.6f %ld %d %ld %ld\n", seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_maxrss,
               code, usage.ru_nvcsw, usage.ru_nivcsw);
  if (std::fclose(out) != 0) {
    std::fprintf(stderr, "measure_run: cannot write %s: %s\n", output, std::strerror(errno));
    return 125;
  }
  return code;
}
