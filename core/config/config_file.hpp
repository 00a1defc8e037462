// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading the config file through a small interface, so settings logic is tested without disk.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace xl::config {

class ConfigFileReader {
 public:
  virtual ~ConfigFileReader() = default;
  // The file's contents, or nullopt when it does not exist. Throws xl::Error (usage) when it
  // exists but cannot be read.
  virtual std::optional<std::string> read(const std::filesystem::path& path) const = 0;
};

class DiskConfigFileReader final : public ConfigFileReader {
 public:
  std::optional<std::string> read(const std::filesystem::path& path) const override;
};

// In-memory files keyed by path, for tests.
class MapConfigFileReader final : public ConfigFileReader {
 public:
  void add(const std::filesystem::path& path, std::string content) { m_files[path.string()] = std::move(content); }
  std::optional<std::string> read(const std::filesystem::path& path) const override;

 private:
  std::map<std::string, std::string> m_files;
};

}  // namespace xl::config
