// SPDX-License-Identifier: Apache-2.0
#include "core/cache/ms_cache.hpp"

#include "core/cache/atomic_file.hpp"
#include "core/cache/disk_space.hpp"
#include "core/util/error.hpp"

namespace xl::cache {
namespace {

namespace fs = std::filesystem;

std::pair<std::string, std::string> split_id(const std::string& model_id) {
  const auto slash = model_id.find('/');
  if (slash == std::string::npos) {
    return {"damo", model_id};  // ModelScope's default owner for bare names
  }
  return {model_id.substr(0, slash), model_id.substr(slash + 1)};
}

}  // namespace

std::string ms_legacy_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '.') {
      out += "___";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

fs::path MsCache::repo_dir(const std::string& model_id) const {
  const auto [owner, name] = split_id(model_id);
  return m_root / "models" / (owner + "--" + name);
}

fs::path MsCache::snapshot_dir(const std::string& model_id, const std::string& revision) const {
  return repo_dir(model_id) / "snapshots" / fs::path(revision);
}

fs::path MsCache::lock_path(const std::string& model_id) const {
  const auto [owner, name] = split_id(model_id);
  return m_root / ".lock" / ("xlaunch_" + owner + "___" + name + ".lock");
}

std::vector<fs::path> MsCache::legacy_dirs(const std::string& model_id) const {
  const auto [owner, name] = split_id(model_id);
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const fs::path& base : {m_root / "models", m_root / "hub" / "models"}) {
    const fs::path candidate = base / owner / ms_legacy_name(name);
    if (fs::is_directory(candidate, ec)) {
      dirs.push_back(candidate);
    }
  }
  return dirs;
}

std::optional<fs::path> MsCache::find_legacy_copy(const std::string& model_id, const hubs::RemoteFile& file) const {
  if (!file.sha256) {
    return std::nullopt;  // without a hash a legacy file cannot be trusted
  }
  std::error_code ec;
  for (const auto& dir : legacy_dirs(model_id)) {
    const fs::path candidate = dir / fs::path(file.path);
    if (!fs::is_regular_file(candidate, ec) || fs::file_size(candidate, ec) != file.size || ec) {
      continue;
    }
    if (sha256_file(candidate) == *file.sha256) {
      return candidate;
    }
  }
  return std::nullopt;
}

void place_file(const fs::path& source, const fs::path& destination) {
  std::error_code ec;
  fs::create_directories(destination.parent_path(), ec);
  fs::remove(destination, ec);
  fs::create_hard_link(source, destination, ec);
  if (!ec) {
    return;
  }
  fs::copy_file(source, destination, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    throw_write_error("copy " + source.string() + " to", destination, ec.value());
  }
}

}  // namespace xl::cache
