// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the CLI asks the downloader for, and what it gets back.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/http/http_types.hpp"

namespace xl::download {

// The hub-side identity of what a spec needs. Built from a catalog FlatSpec by
// target_from_spec() (target_from_spec.hpp).
struct DownloadTarget {
  std::string hub;                       // "huggingface" | "modelscope"
  std::string model_id;
  std::optional<std::string> revision;   // the catalog's pin; nullopt = hub default
  std::vector<std::string> files;        // GGUF: exactly these; empty: the whole repository
  std::string model_version;             // Xinference's name, keys the completion record
};

struct DownloadOptions {
  std::optional<std::string> revision;              // --revision: overrides the catalog pin
  std::optional<std::filesystem::path> cache_dir;   // --cache-dir: overrides the hub cache root
  bool offline = false;                             // --offline (HF_HUB_OFFLINE also applies to HF)
  bool force = false;                               // --force: download despite low disk space
  std::chrono::milliseconds lock_timeout = std::chrono::minutes(10);
};

struct PlannedFile {
  std::string path;                      // repo-relative
  std::uint64_t size = 0;
  std::optional<std::string> sha256;
  bool cached = false;                   // present (or reusable without transfer)
  std::uint64_t bytes_to_fetch = 0;
  std::filesystem::path local_path;      // where it is (or will be) in the snapshot folder
};

struct FilePlan {
  std::string hub;
  std::string model_id;
  std::string model_version;
  std::string revision;                  // as resolved from options/catalog/default
  std::string commit;                    // HF commit; MS CommitId (or the revision name)
  std::filesystem::path cache_root;
  std::filesystem::path snapshot_dir;
  std::vector<PlannedFile> files;
  std::uint64_t total_bytes = 0;
  std::uint64_t bytes_to_fetch = 0;
  // Disk space the partials of earlier runs already hold for these files (reserved or written).
  std::uint64_t bytes_held = 0;
  std::optional<std::uint64_t> free_bytes;   // at cache_root; nullopt when unknown
  bool offline = false;
  bool from_record = false;              // decided from the completion record (no listing)
  // Free space the transfer still has to find.
  std::uint64_t space_needed() const { return bytes_to_fetch - std::min(bytes_to_fetch, bytes_held); }
  bool enough_space() const { return !free_bytes || *free_bytes >= space_needed(); }
};

struct DownloadResult {
  std::filesystem::path snapshot_dir;
  std::vector<std::filesystem::path> files;  // the target's files (GGUF: in part order), or all
  std::string commit;
  std::uint64_t bytes_transferred = 0;
  std::uint64_t bytes_reused = 0;            // partial data from an earlier run
  std::size_t files_fetched = 0;
};

// Progress for the CLI: the plan once, then the transfer engine's per-file events.
class DownloadObserver : public http::TransferObserver {
 public:
  virtual void on_plan(const FilePlan& plan) = 0;
};

}  // namespace xl::download
