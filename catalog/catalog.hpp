// SPDX-License-Identifier: Apache-2.0
#pragma once

// The catalog a command works with: the built-in families, then each extra catalog file
// merged over them (a family with the same model_name replaces the earlier one).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/llm_family.hpp"

namespace xl::catalog {

class Catalog {
 public:
  // The families compiled into the binary.
  static Catalog built_in();

  // Built-in, then `$XLAUNCH_HOME/catalog.d/*.json` in name order (when the folder exists; dot
  // files skipped), then each `--catalog FILE` in the order given. Errors name the file and
  // the fix for where it came from (exit code 2).
  static Catalog load(const std::filesystem::path& catalog_dir, const std::vector<std::string>& extra_files);

  // Adds families from JSON text; same-name families replace existing ones in place.
  void merge(std::string_view text, const std::string& origin);
  // `fix` ends an error about the file itself (missing, a folder): what the user should do.
  void merge_file(const std::filesystem::path& file, const std::string& fix);

  const std::vector<std::unique_ptr<LlmFamily>>& families() const { return m_families; }
  std::vector<std::string> names() const;
  const LlmFamily* find(const std::string& model_name) const;
  // A family whose name equals `model_name` ignoring case (used with a note to the user).
  const LlmFamily* find_ignoring_case(const std::string& model_name) const;

 private:
  std::vector<std::unique_ptr<LlmFamily>> m_families;
};

}  // namespace xl::catalog
