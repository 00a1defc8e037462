// SPDX-License-Identifier: Apache-2.0
#pragma once

// How one hub's cache stores a snapshot; the downloader is written once against this and
// each hub supplies its layout (HF: blobs + relative symlinks; ModelScope: plain files).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hubs/hub.hpp"

namespace xl::download {

class CacheLayout {
 public:
  virtual ~CacheLayout() = default;

  virtual const std::filesystem::path& root() const = 0;
  virtual std::filesystem::path snapshot_dir(const std::string& model_id, const hubs::RevisionInfo& rev) const = 0;
  // True when the cache has nothing of `model_id` yet: no snapshot file, blob or partial can
  // exist, so the per-file checks below would all say no. A hint for skipping them: false is
  // always safe.
  virtual bool holds_nothing_of(const std::string& model_id) const = 0;
  // The file is in the snapshot folder with the listed size.
  virtual bool is_cached(const std::string& model_id, const hubs::RevisionInfo& rev,
                         const hubs::RemoteFile& file) const = 0;
  // The file can be put in place without a transfer (HF: its blob exists; MS: a verified
  // legacy copy). Returns the source path.
  virtual std::optional<std::filesystem::path> reusable(const std::string& model_id, const hubs::RevisionInfo& rev,
                                                        const hubs::RemoteFile& file) const = 0;
  // What another process may have put in place of a file since the plan: the file itself
  // (`in_snapshot`), or a source to install it from. The downloader asks this under the file's
  // lock, just before fetching it. By default is_cached(), then reusable().
  struct InPlace {
    bool in_snapshot = false;
    std::optional<std::filesystem::path> source;
  };
  virtual InPlace find_in_place(const std::string& model_id, const hubs::RevisionInfo& rev,
                                const hubs::RemoteFile& file) const {
    if (is_cached(model_id, rev, file)) {
      return {true, std::nullopt};
    }
    return {false, reusable(model_id, rev, file)};
  }
  // Where the transfer engine writes the bytes.
  virtual std::filesystem::path fetch_destination(const std::string& model_id, const hubs::RevisionInfo& rev,
                                                  const hubs::RemoteFile& file) const = 0;
  // The lock to hold while fetching this file, shared with the hub's own clients (HF: one per
  // blob, as huggingface_hub takes; MS: one per repository).
  virtual std::filesystem::path lock_path(const std::string& model_id, const hubs::RemoteFile& file) const = 0;
  // After a file was fetched or found reusable: check what the engine could not (HF git
  // sha1 of non-LFS files) and put it in the snapshot folder. Throws Error(download).
  virtual void install(const std::string& model_id, const hubs::RevisionInfo& rev, const hubs::RemoteFile& file,
                       const std::optional<std::filesystem::path>& reused_from) const = 0;
  // What the revision holds, whatever of it is present (HF: CACHEDIR.TAG, trees/{commit}.json
  // when `listing` is not empty), so it may be written while the files download.
  virtual void describe(const std::string& model_id, const hubs::RevisionInfo& rev,
                        const std::vector<hubs::RemoteFile>& listing) const = 0;
  // After the whole selection is in place (HF: refs/{revision}).
  virtual void finish(const std::string& model_id, const hubs::RevisionInfo& rev) const = 0;
  // Offline: the revision and the files of `wanted` (empty: the whole snapshot) when the cache
  // holds all of them; nullopt otherwise. No network.
  virtual std::optional<std::pair<hubs::RevisionInfo, std::vector<hubs::RemoteFile>>> offline_lookup(
      const std::string& model_id, const std::string& revision, const std::vector<std::string>& wanted) const = 0;
};

std::unique_ptr<CacheLayout> make_hf_layout(std::filesystem::path root);
std::unique_ptr<CacheLayout> make_ms_layout(std::filesystem::path root);

}  // namespace xl::download
