// SPDX-License-Identifier: Apache-2.0
#include "catalog/catalog.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "catalog/catalog_parser.hpp"
#include "catalog/embedded_catalog.hpp"
#include "core/util/error.hpp"
#include "core/util/strings.hpp"

namespace xl::catalog {

namespace {
// A catalog file larger than this is not a catalog (Xinference's whole catalog is ~2 MB).
constexpr std::uintmax_t k_max_catalog_bytes = 64ULL * 1024 * 1024;
}  // namespace

Catalog Catalog::built_in() {
  Catalog catalog;
  for (const EmbeddedFile& file : embedded_catalog_files()) {
    catalog.merge(file.content, "built-in");
  }
  return catalog;
}

Catalog Catalog::load(const std::filesystem::path& catalog_dir, const std::vector<std::string>& extra_files) {
  Catalog catalog = built_in();
  std::error_code ec;
  if (!catalog_dir.empty() && std::filesystem::is_directory(catalog_dir, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(catalog_dir, ec)) {
      // Dot files are editors' and tools' scratch files, not catalogs someone put there.
      if (entry.path().extension() == ".json" && entry.path().filename().string().front() != '.') {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      catalog.merge_file(file, "remove it from " + catalog_dir.string() + " or fix it");
    }
  }
  for (const auto& file : extra_files) {
    catalog.merge_file(file, "check the --catalog path");
  }
  return catalog;
}

void Catalog::merge(std::string_view text, const std::string& origin) {
  for (LlmFamily& family : parse_catalog(text, origin)) {
    auto replacement = std::make_unique<LlmFamily>(std::move(family));
    auto same_name = std::find_if(m_families.begin(), m_families.end(),
                                  [&](const auto& existing) { return existing->model_name == replacement->model_name; });
    if (same_name != m_families.end()) {
      *same_name = std::move(replacement);
    } else {
      m_families.push_back(std::move(replacement));
    }
  }
}

void Catalog::merge_file(const std::filesystem::path& file, const std::string& fix) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) {
    const bool dangling = std::filesystem::is_symlink(std::filesystem::symlink_status(file, ec));
    throw Error(ExitCode::usage, "catalog " + file.string() + ": " +
                                     (dangling ? "a symbolic link to nothing" : "no such file") + "; " + fix);
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw Error(ExitCode::usage, "catalog " + file.string() + ": " +
                                     (std::filesystem::is_directory(status) ? "a folder" : "not a regular file") +
                                     ", not a JSON file; " + fix);
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > k_max_catalog_bytes) {
    throw Error(ExitCode::usage, "catalog " + file.string() + ": " + (ec ? ec.message() : "larger than 64 MiB; this is not a model catalog"));
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) {
    throw Error(ExitCode::usage, "catalog " + file.string() + ": cannot be read; check its permissions");
  }
  merge(content.str(), file.string());
}

std::vector<std::string> Catalog::names() const {
  std::vector<std::string> names;
  for (const auto& family : m_families) {
    names.push_back(family->model_name);
  }
  return names;
}

const LlmFamily* Catalog::find(const std::string& model_name) const {
  for (const auto& family : m_families) {
    if (family->model_name == model_name) {
      return family.get();
    }
  }
  return nullptr;
}

const LlmFamily* Catalog::find_ignoring_case(const std::string& model_name) const {
  for (const auto& family : m_families) {
    if (iequals(family->model_name, model_name)) {
      return family.get();
    }
  }
  return nullptr;
}

}  // namespace xl::catalog
