// SPDX-License-Identifier: Apache-2.0
#include "core/cache/completion_record.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/cache/atomic_file.hpp"

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
    file.size = entry.value("size", std::uint64_t{0});
    if (entry.contains("sha256") && entry["sha256"].is_string()) {
      file.sha256 = entry["sha256"].get<std::string>();
    }
    if (entry.contains("blob") && entry["blob"].is_string()) {
      file.blob = entry["blob"].get<std::string>();
    }
    record.files.push_back(std::move(file));
  }
  if (record.model_version.empty() || record.hub.empty() || record.snapshot_dir.empty()) {
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

fs::path RecordStore::path_for(const std::string& hub, const std::string& model_version) const {
  std::string name = hub + "--" + model_version;
  std::replace(name.begin(), name.end(), '/', '_');
  return m_dir / (name + ".json");
}

std::optional<CompletionRecord> RecordStore::load(const std::string& hub, const std::string& model_version) const {
  const fs::path path = path_for(hub, model_version);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  try {
    auto record = from_json(json::parse(read_file(path), nullptr, false));
    if (record && record->hub == hub && record->model_version == model_version) {
      return record;
    }
  } catch (const std::exception&) {
    // unreadable: treated as absent
  }
  return std::nullopt;
}

RenderedRecord::RenderedRecord(const CompletionRecord& record)
    : m_hub(record.hub), m_model_version(record.model_version), m_text(to_json(record).dump(2) + "\n") {}

void RecordStore::save(const CompletionRecord& record) const { save(RenderedRecord(record)); }

void RecordStore::save(const RenderedRecord& record) const {
  write_file_atomic(path_for(record.m_hub, record.m_model_version), record.m_text);
}

void RecordStore::remove(const std::string& hub, const std::string& model_version) const {
  std::error_code ec;
  fs::remove(path_for(hub, model_version), ec);
}

std::vector<CompletionRecord> RecordStore::list() const {
  std::vector<CompletionRecord> records;
  std::error_code ec;
  if (!fs::is_directory(m_dir, ec)) {
    return records;
  }
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    try {
      if (auto record = from_json(json::parse(read_file(entry.path()), nullptr, false))) {
        records.push_back(std::move(*record));
      }
    } catch (const std::exception&) {
      // skip unreadable records
    }
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.model_version, a.hub) < std::tie(b.model_version, b.hub);
  });
  return records;
}

fs::path default_record_dir(const Environment& env) {
  if (auto home = env.non_empty("XLAUNCH_HOME")) {
    return fs::path(*home) / "downloads";
  }
  return fs::path(env.non_empty("HOME").value_or(".")) / ".xlaunch" / "downloads";
}

}  // namespace xl::cache
