// SPDX-License-Identifier: Apache-2.0
#pragma once

// Turns the words a user typed into what the flag parser can take. xinference's CLI (click)
// has multi-letter short flags (`-en`, `-mp`, `-ev`, `-lm`, `-ak`) that getopt-style parsers
// read as bundles of one-letter flags, spells one flag two ways (`--download_hub`), and has
// flags that only mean something to an Xinference server. This is the one place that knows.

#include <optional>
#include <string>
#include <vector>

#include "core/launch_options.hpp"

namespace xl {

struct NormalizedArgv {
  std::string command;                  // "launch", "list", ... ("launch" when none was typed)
  std::vector<std::string> parser_args; // for the flag parser, command name excluded
  std::vector<std::string> raw_args;    // everything after the first `--`, verbatim
};

// The subcommands; anything else in first position means "launch".
const std::vector<std::string>& command_names();

// Throws xl::Error(ExitCode::usage) for flags that need an Xinference server.
NormalizedArgv normalize_argv(const std::vector<std::string>& args);

// Groups the words the flag parser did not recognise into engine arguments, in order:
// `--key value`, `--key=value`, bare `--flag`. A stray word that is not a flag's value is a
// usage error naming it. `raw` words are appended verbatim.
std::vector<ExtraArg> group_extra_args(const std::vector<std::string>& unrecognised, const std::vector<std::string>& raw);

}  // namespace xl
