// SPDX-License-Identifier: Apache-2.0
#include "cli/command.hpp"

namespace xl::cli {

const std::vector<CommandEntry>& commands() {
  static const std::vector<CommandEntry> entries = {
      {"launch", "download a model's weights and exec its engine (the default command)", &run_launch},
      {"list", "list the models in the catalog", &run_list},
      {"engines", "list the engine, format, size and quantization choices of a model", &run_engines},
  };
  return entries;
}

}  // namespace xl::cli
