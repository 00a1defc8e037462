// SPDX-License-Identifier: Apache-2.0
#pragma once

// The ModelScope cache in the modelscope_hub (modelscope >= 1.38) layout (hubs.md B10):
//
//   {root}/                                    MODELSCOPE_CACHE, default ~/.cache/modelscope
//   ├── .lock/xlaunch_{owner}___{name}.lock     flock held while xlaunch writes the model
//   └── models/{owner}--{name}/snapshots/{revision}/{path}     plain files, keyed by the
//                                               branch/tag name, not the commit
//
// Legacy SDK folders ({root}/models/{owner}/{name with "." -> "___"} and the same under
// {root}/hub/) are reused file by file when size and sha256 match the listing.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hubs/hub.hpp"

namespace xl::cache {

class MsCache {
 public:
  explicit MsCache(std::filesystem::path root) : m_root(std::move(root)) {}

  const std::filesystem::path& root() const { return m_root; }
  std::filesystem::path repo_dir(const std::string& model_id) const;
  std::filesystem::path snapshot_dir(const std::string& model_id, const std::string& revision) const;
  std::filesystem::path lock_path(const std::string& model_id) const;
  // Existing legacy folders for this model, most specific first.
  std::vector<std::filesystem::path> legacy_dirs(const std::string& model_id) const;
  // A legacy copy of `file` whose size and sha256 match, if any (hashes candidate files).
  std::optional<std::filesystem::path> find_legacy_copy(const std::string& model_id,
                                                        const hubs::RemoteFile& file) const;

 private:
  std::filesystem::path m_root;
};

// "Qwen2.5-7B" -> "Qwen2___5-7B": the legacy SDK's masking of dots in the model name.
std::string ms_legacy_name(const std::string& name);

// Puts `source` at `destination` without copying bytes when possible: hard link, else a
// copy. Creates parent folders. Throws Error(download) on failure.
void place_file(const std::filesystem::path& source, const std::filesystem::path& destination);

}  // namespace xl::cache
