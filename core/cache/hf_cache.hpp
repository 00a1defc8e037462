// SPDX-License-Identifier: Apache-2.0
#pragma once

// The Hugging Face hub cache, byte-compatible with huggingface_hub (hubs.md A12), so files
// xlaunch downloads are reused by vLLM/transformers and the other way round:
//
//   {root}/                                   HF_HUB_CACHE, default $HF_HOME/hub
//   ├── CACHEDIR.TAG
//   ├── .locks/models--{ns}--{name}/{blob}.lock     flock, shared with huggingface_hub
//   └── models--{ns}--{name}/
//       ├── blobs/{blob}                      blob = sha256 (LFS) or git blob sha1 (regular)
//       ├── refs/{revision}                   40-hex commit, no newline; "refs/pr/1" nests
//       ├── snapshots/{commit}/{path}         -> ../../blobs/{blob}  (relative; deeper paths
//       │                                        get more "../"); a copy where symlinks fail
//       └── trees/{commit}.json               {"format_version": 1, "files": {...}}

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hubs/hub.hpp"

namespace xl::cache {

class HfCache {
 public:
  explicit HfCache(std::filesystem::path root) : m_root(std::move(root)) {}

  const std::filesystem::path& root() const { return m_root; }
  // "models--" + model_id with "/" replaced by "--".
  static std::string repo_folder_name(const std::string& model_id);

  std::filesystem::path repo_dir(const std::string& model_id) const;
  std::filesystem::path blob_path(const std::string& model_id, const std::string& blob) const;
  std::filesystem::path snapshot_dir(const std::string& model_id, const std::string& commit) const;
  std::filesystem::path snapshot_file(const std::string& model_id, const std::string& commit,
                                      const std::string& path) const;
  std::filesystem::path lock_path(const std::string& model_id, const std::string& blob) const;
  // Whether snapshots/{commit}/{path} (through its link) or blobs/{blob} is a file of `size`
  // bytes. A download asks both for each file it claims, so no path object is made for it.
  bool has_snapshot_file(const std::string& model_id, const std::string& commit, const std::string& path,
                         std::uint64_t size) const;
  bool has_blob(const std::string& model_id, const std::string& blob, std::uint64_t size) const;

  // Content of refs/{revision}; nullopt when absent or not a commit.
  std::optional<std::string> read_ref(const std::string& model_id, const std::string& revision) const;
  // Writes refs/{revision} atomically, only when the content changes. No-op when revision
  // is the commit itself.
  void write_ref(const std::string& model_id, const std::string& revision, const std::string& commit) const;

  // snapshots/{commit}/{path} -> relative link to blobs/{blob}. Replaces a wrong entry. Copies
  // the blob when the filesystem refuses symlinks. Throws Error(download) on failure.
  void link_snapshot_file(const std::string& model_id, const std::string& commit, const std::string& path,
                          const std::string& blob) const;

  // trees/{commit}.json as huggingface_hub >= 1.22 writes it, and back.
  void write_tree(const std::string& model_id, const std::string& commit,
                  const std::vector<hubs::RemoteFile>& files) const;
  std::optional<std::vector<hubs::RemoteFile>> read_tree(const std::string& model_id,
                                                         const std::string& commit) const;

  // CACHEDIR.TAG at the root, so backup tools skip the cache.
  void ensure_cachedir_tag() const;

 private:
  std::filesystem::path m_root;
};

// The blob name of a listed file: its sha256 for LFS files, else its git blob sha1.
// nullopt when the listing gave neither.
std::optional<std::string> hf_blob_name(const hubs::RemoteFile& file);

}  // namespace xl::cache
