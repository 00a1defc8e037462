// SPDX-License-Identifier: Apache-2.0
#include "cli/command.hpp"

namespace xl::cli {

const std::vector<CommandEntry>& commands() {
  static const std::vector<CommandEntry> entries = {
      {"launch", "download a model's weights and exec its engine (the default command)", &run_launch},
      {"list", "list the models in the catalog", &run_list},
      {"engines", "list the engine, format, size and quantization choices of a model", &run_engines},
      {"download", "download a model's weights into the hub cache and stop", &run_download},
      {"cached", "list the cached model versions", &run_cached},
      {"remove-cache", "delete a cached model version's files", &run_remove_cache},
      {"config", "show each setting, its value and where it came from", &run_config},
      {"completion", "print the shell completion script for bash, zsh or fish", &run_completion},
      {"__complete", "completion candidates for the words typed (used by the completion scripts)", &run_complete, true},
  };
  return entries;
}

}  // namespace xl::cli
