// SPDX-License-Identifier: Apache-2.0
#pragma once

// `xlaunch cached` and `xlaunch remove-cache`: what the completion records say is in the hub
// caches, and removing one model version's snapshot entries plus the blobs nothing else uses.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/cache/completion_record.hpp"

namespace xl::cache {

struct CachedEntry {
  std::string model_version;  // Xinference's name: {model_name}--{size}B--{format}--{quantization}
  std::string hub;
  std::string model_id;
  std::string revision;
  std::string commit;
  std::uint64_t bytes = 0;    // bytes of the files present now
  std::filesystem::path path; // the snapshot folder
  bool complete = false;      // record complete and every file present
};

// Every record, optionally only those whose model version belongs to `model_name`
// (model_version starts with "{model_name}--"; case-insensitive).
// Records that cannot be read are skipped, and listed in `unreadable` when it is given.
std::vector<CachedEntry> list_cached(const RecordStore& records, const std::optional<std::string>& model_name,
                                     std::vector<std::filesystem::path>* unreadable = nullptr);

struct RemovalPlan {
  std::string model_version;
  std::vector<CompletionRecord> records;     // the records removed (one per hub)
  std::vector<std::filesystem::path> paths;  // snapshot entries and blobs to delete, sorted
  std::uint64_t bytes = 0;                   // bytes freed (blobs and plain files)
  // Entries or link targets that resolve outside their snapshot folder or blobs/ folder (a
  // symlinked folder, a link someone retargeted): never deleted, reported instead.
  std::vector<std::filesystem::path> outside;
};

// What removing `model_version` deletes. Snapshot entries still listed by another record stay;
// a blob goes only when no remaining snapshot entry of its repository links to it. Nothing
// outside the record's snapshot folder and its repository's blobs/ is ever planned.
// Throws Error(usage) "There is no model version named X." when no record has it.
RemovalPlan plan_removal(const RecordStore& records, const std::string& model_version);

// Deletes the plan's paths, prunes folders left empty (and refs/trees of a snapshot that is
// gone), and removes the records. Throws Error(download) naming a path it cannot delete.
void execute_removal(const RecordStore& records, const RemovalPlan& plan);

}  // namespace xl::cache
