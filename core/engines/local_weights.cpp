// SPDX-License-Identifier: Apache-2.0
#include "core/engines/local_weights.hpp"

#include <filesystem>

#include "core/engines/command.hpp"

namespace xl::engines {

std::optional<std::string> local_weights_problem(const std::string& path, const catalog::FlatSpec& spec) {
  namespace fs = std::filesystem;
  const std::string fix = spec.is_gguf() ? "give the .gguf file, or the folder holding it"
                                          : "give the folder holding the model's config.json and weights";
  if (path.empty()) {
    return "is empty; " + fix;
  }
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) {
    return "does not exist; " + fix;
  }
  if (spec.is_gguf()) {
    if (fs::is_regular_file(status)) {
      if (fs::path(path).extension() != ".gguf") {
        return "is not a .gguf file; " + fix;
      }
      return std::nullopt;
    }
    const std::string file = engine_model_path(spec, path);
    if (file != path && !fs::is_regular_file(file, ec)) {
      return "has no " + fs::path(file).lexically_relative(path).string() + " (the " + spec.quantization +
             " file the engine loads); give the folder holding it, or the .gguf file itself";
    }
    return std::nullopt;
  }
  if (!fs::is_directory(status)) {
    return "is a file; " + fix;
  }
  if (!fs::is_regular_file(fs::path(path) / "config.json", ec)) {
    return "has no config.json; " + fix;
  }
  return std::nullopt;
}

}  // namespace xl::engines
