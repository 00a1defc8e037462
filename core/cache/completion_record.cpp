// SPDX-License-Identifier: Apache-2.0
#include "core/cache/completion_record.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/cache/atomic_file.hpp"
#include "core/util/repo_path.hpp"

namespace xl::cache {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json to_json(const CompletionRecord& record) {
  json files = json::array();
  for (const auto& file : record.files) {
    json entry = {{"path", file.path}, {"size", file.size}};
    if (file.sha256) {
      entry["sha256"] = *file.sha256;
    }
    if (file.blob) {
      entry["blob"] = *file.blob;
    }
    files.push_back(std::move(entry));
  }
  return {{"format_version", 1},
          {"model_version", record.model_version},
          {"hub", record.hub},
          {"model_id", record.model_id},
          {"revision", record.revision},
          {"commit", record.commit},
          {"cache_root", record.cache_root.string()},
          {"snapshot_dir", record.snapshot_dir.string()},
          {"state", record.complete ? "complete" : "partial"},
          {"files", std::move(files)}};
}

// `inner` lies inside `outer`, judged on the words of the paths alone (no file system).
bool lexically_inside(const fs::path& inner, const fs::path& outer) {
  const fs::path relative = inner.lexically_normal().lexically_relative(outer.lexically_normal());
  return !relative.empty() && *relative.begin() != ".." && relative != ".";
}

std::optional<CompletionRecord> from_json(const json& value) {
  if (!value.is_object() || value.value("format_version", 0) != 1 || !value.contains("files") ||
      !value["files"].is_array()) {
    return std::nullopt;
  }
  CompletionRecord record;
  record.model_version = value.value("model_version", "");
  record.hub = value.value("hub", "");
  record.model_id = value.value("model_id", "");
  record.revision = value.value("revision", "");
  record.commit = value.value("commit", "");
  record.cache_root = value.value("cache_root", "");
  record.snapshot_dir = value.value("snapshot_dir", "");
  record.complete = value.value("state", "") == "complete";
  for (const auto& entry : value["files"]) {
    if (!entry.is_object() || !entry.contains("path") || !entry["path"].is_string()) {
      return std::nullopt;
    }
    RecordFile file;
    file.path = entry["path"].get<std::string>();
    // `xlaunch remove-cache` deletes what a record lists: a path that could leave the snapshot
    // folder makes the whole record untrusted.
    if (repo_path_problem(file.path)) {
      return std::nullopt;
    }
    file.size = entry.value("size", std::uint64_t{0});
    if (entry.contains("sha256") && entry["sha256"].is_string()) {
      file.sha256 = entry["sha256"].get<std::string>();
    }
    if (entry.contains("blob") && entry["blob"].is_string()) {
      file.blob = entry["blob"].get<std::string>();
    }
    record.files.push_back(std::move(file));
  }
  if (record.model_version.empty() || record.hub.empty() || record.snapshot_dir.empty() ||
      !lexically_inside(record.snapshot_dir, record.cache_root)) {
    return std::nullopt;
  }
  return record;
}

}  // namespace

std::uint64_t CompletionRecord::total_bytes() const {
  std::uint64_t total = 0;
  for (const auto& file : files) {
    total += file.size;
  }
  return total;
}

bool CompletionRecord::files_present() const {
  std::error_code ec;
  for (const auto& file : files) {
    const fs::path path = snapshot_dir / fs::path(file.path);
    const auto size = fs::file_size(path, ec);  // follows the snapshot symlink
    if (ec || size != file.size) {
      return false;
    }
  }
  return true;
}

namespace {

std::string record_name(const std::string& hub, const std::string& model_version) {
  std::string name = hub + "--" + model_version;
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

std::optional<CompletionRecord> read_record(const fs::path& path) {
  try {
    auto record = from_json(json::parse(read_file(path), nullptr, false));
    if (record) {
      record->source = path;
    }
    return record;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: treated as absent
  }
}

// 8 hex digits of the cache root's FNV-1a hash: a name, not a secret, and no libcrypto, which
// a launch from the cache never loads otherwise.
std::string root_tag(const fs::path& cache_root) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : cache_root.lexically_normal().string()) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string tag;
  for (int shift = 60; shift >= 32; shift -= 4) {
    tag += k_hex[(hash >> shift) & 0xF];
  }
  return tag;
}

}  // namespace

fs::path RecordStore::path_for(const std::string& hub, const std::string& model_version,
                               const fs::path& cache_root) const {
  return m_dir / (record_name(hub, model_version) + "--" + root_tag(cache_root) + ".json");
}

std::optional<CompletionRecord> RecordStore::load(const std::string& hub, const std::string& model_version,
                                                  const fs::path& cache_root) const {
  const fs::path old_name = m_dir / (record_name(hub, model_version) + ".json");
  for (const fs::path& path : {path_for(hub, model_version, cache_root), old_name}) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      continue;
    }
    auto record = read_record(path);
    if (record && record->hub == hub && record->model_version == model_version &&
        record->cache_root.lexically_normal() == cache_root.lexically_normal()) {
      return record;
    }
  }
  return std::nullopt;
}

RenderedRecord::RenderedRecord(const CompletionRecord& record)
    : m_hub(record.hub),
      m_model_version(record.model_version),
      m_cache_root(record.cache_root),
      m_text(to_json(record).dump(2) + "\n") {}

void RecordStore::save(const CompletionRecord& record) const { save(RenderedRecord(record)); }

void RecordStore::save(const RenderedRecord& record) const {
  write_file_atomic(path_for(record.m_hub, record.m_model_version, record.m_cache_root), record.m_text);
  // A record of the old name for the same cache root now says less than this one.
  const fs::path old_name = m_dir / (record_name(record.m_hub, record.m_model_version) + ".json");
  std::error_code ec;
  if (fs::exists(old_name, ec)) {
    const auto old = read_record(old_name);
    if (old && old->cache_root.lexically_normal() == record.m_cache_root.lexically_normal()) {
      fs::remove(old_name, ec);
    }
  }
}

void RecordStore::remove(const CompletionRecord& record) const {
  std::error_code ec;
  fs::remove(record.source.empty() ? path_for(record.hub, record.model_version, record.cache_root) : record.source, ec);
}

std::vector<CompletionRecord> RecordStore::list(std::vector<fs::path>* unreadable) const {
  std::vector<CompletionRecord> records;
  std::error_code ec;
  if (!fs::is_directory(m_dir, ec)) {
    return records;
  }
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    // Dot files are the atomic writer's temporaries (and nothing a user should see listed).
    if (entry.path().extension() != ".json" || entry.path().filename().string().front() == '.') {
      continue;
    }
    if (auto record = read_record(entry.path())) {
      records.push_back(std::move(*record));
    } else if (unreadable != nullptr) {
      unreadable->push_back(entry.path());
    }
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.model_version, a.hub, a.cache_root) < std::tie(b.model_version, b.hub, b.cache_root);
  });
  if (unreadable != nullptr) {
    std::sort(unreadable->begin(), unreadable->end());
  }
  return records;
}

fs::path default_record_dir(const Environment& env) {
  if (auto home = env.non_empty("XLAUNCH_HOME")) {
    return fs::path(*home) / "downloads";
  }
  return fs::path(env.non_empty("HOME").value_or(".")) / ".xlaunch" / "downloads";
}

}  // namespace xl::cache
