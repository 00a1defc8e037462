// SPDX-License-Identifier: Apache-2.0
#include "core/completion/scripts.hpp"

#include <array>
#include <utility>

namespace xl::completion {
namespace {

// Shell -> the file that shell's package layout expects.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_files{{
    {"bash", "xlaunch.bash"},
    {"zsh", "_xlaunch"},
    {"fish", "xlaunch.fish"},
}};
constexpr std::array<std::string_view, 3> k_shells{"bash", "zsh", "fish"};

}  // namespace

std::span<const std::string_view> script_shells() { return k_shells; }

std::optional<std::string_view> completion_script(std::string_view shell) {
  for (const auto& [name, file] : k_files) {
    if (name != shell) {
      continue;
    }
    for (const auto& script : embedded_scripts()) {
      if (script.name == file) {
        return script.content;
      }
    }
  }
  return std::nullopt;
}

}  // namespace xl::completion
