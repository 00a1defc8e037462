// SPDX-License-Identifier: Apache-2.0
#pragma once

// One JSON record per (hub, model version) saying which files a spec needs, where they are,
// and whether they all arrived. Written "partial" before a transfer starts and "complete"
// after every file is verified, so a later launch starts from the cache with zero requests
// offline (or one revision check online), and `xlaunch cached` can show partial downloads.
//
//   {dir}/{hub}--{model_version}.json   dir = $XLAUNCH_HOME/downloads
//   {"format_version": 1, "model_version": "...", "hub": "huggingface", "model_id": "...",
//    "revision": "main", "commit": "<40 hex>", "cache_root": "...", "snapshot_dir": "...",
//    "state": "complete"|"partial", "files": [{"path", "size", "sha256"?, "blob"?}, ...]}

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/hub_env/environment.hpp"

namespace xl::cache {

struct RecordFile {
  std::string path;                   // repo-relative
  std::uint64_t size = 0;
  std::optional<std::string> sha256;
  std::optional<std::string> blob;    // HF blob name
};

struct CompletionRecord {
  std::string model_version;
  std::string hub;
  std::string model_id;
  std::string revision;               // as requested
  std::string commit;                 // HF commit; MS CommitId or revision
  std::filesystem::path cache_root;
  std::filesystem::path snapshot_dir;
  bool complete = false;
  std::vector<RecordFile> files;

  std::uint64_t total_bytes() const;
  // Every file is present in snapshot_dir with the recorded size (stat only, no hashing).
  bool files_present() const;
};

// A record already turned into the text of its file. A download renders its complete record
// while the files transfer, so that writing it is all that is left after the last one: for 500
// files the rendering is about 9.5 million instructions, a millisecond on the critical path.
class RenderedRecord {
 public:
  explicit RenderedRecord(const CompletionRecord& record);

 private:
  friend class RecordStore;
  std::string m_hub;
  std::string m_model_version;
  std::string m_text;
};

class RecordStore {
 public:
  explicit RecordStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path path_for(const std::string& hub, const std::string& model_version) const;
  // nullopt when absent or unreadable (a damaged record means "not cached", never an error).
  std::optional<CompletionRecord> load(const std::string& hub, const std::string& model_version) const;
  void save(const CompletionRecord& record) const;  // atomic
  void save(const RenderedRecord& record) const;    // atomic
  void remove(const std::string& hub, const std::string& model_version) const;
  // Every readable record, sorted by model version then hub.
  std::vector<CompletionRecord> list() const;

 private:
  std::filesystem::path m_dir;
};

// $XLAUNCH_HOME/downloads, default $HOME/.xlaunch/downloads.
std::filesystem::path default_record_dir(const Environment& env);

}  // namespace xl::cache
