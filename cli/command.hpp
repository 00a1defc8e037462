// SPDX-License-Identifier: Apache-2.0
#pragma once

// Every xlaunch command is a function from its arguments to an exit code. cli/main.cpp picks
// the command, and maps xl::Error and parse errors to messages and exit codes.

#include <string>
#include <vector>

namespace xl::cli {

struct CommandArgs {
  std::string name;                     // "launch", "list", ...
  std::vector<std::string> parser_args; // words for CLI11, command name excluded
  std::vector<std::string> raw_args;    // words after `--`, verbatim
};

using CommandFunction = int (*)(const CommandArgs& args);

struct CommandEntry {
  const char* name;
  const char* summary;
  CommandFunction run;
  bool hidden = false;
};

// The registry, in the order `xlaunch --help` lists them (cli/commands.cpp).
const std::vector<CommandEntry>& commands();

// One function per command, each in its own cli/cmd_<verb>.cpp.
int run_launch(const CommandArgs& args);
int run_list(const CommandArgs& args);
int run_engines(const CommandArgs& args);

}  // namespace xl::cli
