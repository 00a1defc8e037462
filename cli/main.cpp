// SPDX-License-Identifier: Apache-2.0
// The one exit funnel: pick the command, run it, turn failures into a message and exit code.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "core/cli_args/argv_normalizer.hpp"
#include "core/exec/command_runner.hpp"
#include "core/util/error.hpp"
#include "core/util/heap_tuning.hpp"

namespace {

void print_overview() {
  std::cout << "xlaunch " XLAUNCH_VERSION " - launch large language models like `xinference launch`, without a server\n\n"
               "Usage:\n"
               "  xlaunch [launch] --model-name NAME [--model-engine ENGINE] [-f FORMAT] [-s SIZE] [-q QUANT] [options] [-- ENGINE ARGS]\n"
               "  xlaunch COMMAND [options]\n\nCommands:\n";
  for (const auto& entry : xl::cli::commands()) {
    if (!entry.hidden) {
      std::printf("  %-14s %s\n", entry.name, entry.summary);
    }
  }
  std::cout << "\n'xlaunch COMMAND --help' shows a command's options; 'man xlaunch' has the details.\n";
}

// Output that could not be written (a full disk, a closed file) fails the run: a script that
// saves `xlaunch list --json` or a completion script must not take a truncated file for one.
int finish_output(int code) {
  errno = 0;
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (flushed && std::ferror(stdout) == 0 && std::cout.good()) {
    return code;
  }
  // The failed write may have come earlier, when a buffer filled; then errno says nothing.
  const std::string reason = error != 0 ? std::string(" (") + std::strerror(error) + ")" : "";
  std::cerr << "xlaunch: error: cannot write the output" << reason << "; check the disk or file it goes to\n";
  return code == 0 ? static_cast<int>(xl::ExitCode::failure) : code;
}

}  // namespace

int main(int argc, char** argv) {
  xl::exec::restore_default_child_signal();
  xl::keep_freed_heap_memory();
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_overview();
    return static_cast<int>(xl::ExitCode::usage);
  }
  if (args.front() == "--help" || args.front() == "-h" || args.front() == "help") {
    print_overview();
    return finish_output(0);
  }
  if (args.front() == "--version" || args.front() == "-V") {
    std::cout << "xlaunch " XLAUNCH_VERSION "\n";
    return finish_output(0);
  }
  try {
    // Completion sees the words exactly as typed (no alias rewriting, no refused flags).
    const xl::NormalizedArgv normalized = args.front() == "__complete"
                                              ? xl::NormalizedArgv{"__complete", {args.begin() + 1, args.end()}, {}}
                                              : xl::normalize_argv(args);
    const auto& entries = xl::cli::commands();
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const auto& candidate) { return normalized.command == candidate.name; });
    if (entry == entries.end()) {
      throw xl::Error(xl::ExitCode::usage, "the '" + normalized.command + "' command is not available in this build");
    }
    return finish_output(entry->run({normalized.command, normalized.parser_args, normalized.raw_args}));
  } catch (const xl::Error& error) {
    std::cerr << "xlaunch: error: " << error.what() << "\n";
    if (!error.hint().empty()) {
      std::cerr << error.hint();
      if (error.hint().back() != '\n') {
        std::cerr << "\n";
      }
    }
    return static_cast<int>(error.code());
  } catch (const std::exception& error) {
    std::cerr << "xlaunch: internal error: " << error.what() << "\n";
    return static_cast<int>(xl::ExitCode::failure);
  }
}
