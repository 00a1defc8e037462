// SPDX-License-Identifier: Apache-2.0
#pragma once

// One JSON record per (hub, model version, cache root) saying which files a spec needs, where
// they are, and whether they all arrived. Written "partial" before a transfer starts and "complete"
// after every file is verified, so a later launch starts from the cache with zero requests
// offline (or one revision check online), and `xlaunch cached` can show partial downloads.
//
//   {dir}/{hub}--{model_version}--{root}.json   dir = $XLAUNCH_HOME/downloads, root = 8 hex
//   digits of a hash of the cache root: a download into another --cache-dir, or one that
//   failed there, never replaces the record of a complete copy elsewhere. Records written
//   before the cache root was part of the name ({hub}--{model_version}.json) are still read.
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
  std::filesystem::path source;       // the record's own file, when it was read from one

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
  std::filesystem::path m_cache_root;
  std::string m_text;
};

class RecordStore {
 public:
  explicit RecordStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path path_for(const std::string& hub, const std::string& model_version,
                                 const std::filesystem::path& cache_root) const;
  // nullopt when absent or unreadable (a damaged record means "not cached", never an error).
  std::optional<CompletionRecord> load(const std::string& hub, const std::string& model_version,
                                       const std::filesystem::path& cache_root) const;
  void save(const CompletionRecord& record) const;  // atomic
  void save(const RenderedRecord& record) const;    // atomic; replaces a record of the old name
  void remove(const CompletionRecord& record) const;
  // Every readable record, sorted by model version, hub and cache root. Records that cannot be
  // read, or that name files outside their snapshot folder, are skipped and, when asked for,
  // their files listed in `unreadable`.
  std::vector<CompletionRecord> list(std::vector<std::filesystem::path>* unreadable = nullptr) const;

 private:
  std::filesystem::path m_dir;
};

// $XLAUNCH_HOME/downloads, default $HOME/.xlaunch/downloads.
std::filesystem::path default_record_dir(const Environment& env);

}  // namespace xl::cache
