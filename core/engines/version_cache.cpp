// SPDX-License-Identifier: Apache-2.0
// The engine-version cache of discovery.hpp: `vllm --version` imports torch and takes seconds,
// so its answer is kept per binary until the binary changes (path + mtime + size).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/engines/discovery.hpp"

namespace xl::engines {
namespace {

struct Stamp {
  std::int64_t mtime_ns = 0;
  std::int64_t size = 0;
};

std::optional<Stamp> stamp_of(const std::string& path) {
  std::error_code ec;
  const auto time = std::filesystem::last_write_time(path, ec);  // follows symlinks
  if (ec) {
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return std::nullopt;
  }
  return Stamp{static_cast<std::int64_t>(
                   std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch())
                       .count()),
               static_cast<std::int64_t>(size)};
}

nlohmann::json read_cache(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    return nlohmann::json::object();
  }
  auto data = nlohmann::json::parse(in, nullptr, false);
  if (data.is_discarded() || !data.is_object() || !data.contains("engines") ||
      !data["engines"].is_object()) {
    return nlohmann::json::object();
  }
  return data;
}

// Whole-file replace through a temporary in the same folder, so a reader never sees half a
// file and two concurrent launches at worst lose one entry.
void write_cache(const std::string& file, const nlohmann::json& data) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  const std::string temp = file + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) {
      return;
    }
    out << data.dump(2) << "\n";
    if (!out) {
      std::filesystem::remove(temp, ec);
      return;
    }
  }
  std::filesystem::rename(temp, file, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
  }
}

}  // namespace

EngineVersion cached_probe_version(const EngineInstall& install, exec::CommandRunner& runner,
                                   const std::string& cache_file,
                                   std::chrono::milliseconds timeout) {
  const auto stamp = stamp_of(install.program);
  // The launcher is part of the key: the same python3 answers for sglang, not for itself.
  const std::string key = install.program + (install.launcher == Launcher::python_module
                                                 ? "#python-module"
                                                 : "");
  auto data = read_cache(cache_file);
  if (stamp && data.contains("engines") && data["engines"].contains(key)) {
    const auto& entry = data["engines"][key];
    if (entry.value("mtime_ns", std::int64_t{-1}) == stamp->mtime_ns &&
        entry.value("size", std::int64_t{-1}) == stamp->size && entry.contains("version") &&
        entry["version"].is_string()) {
      auto version = parse_engine_version(entry["version"].get<std::string>());
      if (version.known()) {
        return version;
      }
    }
  }
  auto version = probe_version(install, runner, timeout);
  if (version.known() && stamp) {
    if (!data.contains("engines")) {
      data["engines"] = nlohmann::json::object();
    }
    data["engines"][key] = {{"mtime_ns", stamp->mtime_ns},
                            {"size", stamp->size},
                            {"engine", std::string(engine_name(install.engine))},
                            {"version", version.text}};
    write_cache(cache_file, data);
  }
  return version;
}

}  // namespace xl::engines
