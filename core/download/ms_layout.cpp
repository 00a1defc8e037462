// SPDX-License-Identifier: Apache-2.0
#include "core/cache/ms_cache.hpp"
#include "core/cache/snapshot_path.hpp"
#include "core/download/cache_layout.hpp"

namespace xl::download {
namespace {

namespace fs = std::filesystem;

class MsLayout final : public CacheLayout {
 public:
  explicit MsLayout(fs::path root) : m_cache(std::move(root)) {}

  const fs::path& root() const override { return m_cache.root(); }

  fs::path snapshot_dir(const std::string& model_id, const hubs::RevisionInfo& rev) const override {
    return m_cache.snapshot_dir(model_id, rev.revision);
  }

  // A verified copy in the legacy layout may exist elsewhere: every file is always checked.
  bool holds_nothing_of(const std::string&) const override { return false; }

  bool is_cached(const std::string& model_id, const hubs::RevisionInfo& rev,
                 const hubs::RemoteFile& file) const override {
    // Files only ever appear at this path complete and verified (by the transfer engine or by
    // modelscope_hub), so the size check is enough; re-hashing would cost minutes per launch.
    std::error_code ec;
    const auto size = fs::file_size(snapshot_dir(model_id, rev) / fs::path(file.path), ec);
    return !ec && size == file.size;
  }

  std::optional<fs::path> reusable(const std::string& model_id, const hubs::RevisionInfo&,
                                   const hubs::RemoteFile& file) const override {
    return m_cache.find_legacy_copy(model_id, file);
  }

  fs::path fetch_destination(const std::string& model_id, const hubs::RevisionInfo& rev,
                             const hubs::RemoteFile& file) const override {
    cache::check_snapshot_path([&] { return snapshot_dir(model_id, rev); }, file.path);
    return snapshot_dir(model_id, rev) / fs::path(file.path);
  }

  fs::path lock_path(const std::string& model_id, const hubs::RemoteFile&) const override {
    return m_cache.lock_path(model_id);
  }

  void install(const std::string& model_id, const hubs::RevisionInfo& rev, const hubs::RemoteFile& file,
               const std::optional<fs::path>& reused_from) const override {
    if (reused_from) {
      cache::place_file(*reused_from, fetch_destination(model_id, rev, file));
    }
  }

  void describe(const std::string&, const hubs::RevisionInfo&, const std::vector<hubs::RemoteFile>&) const override {}
  void finish(const std::string&, const hubs::RevisionInfo&) const override {}

  std::optional<std::pair<hubs::RevisionInfo, std::vector<hubs::RemoteFile>>> offline_lookup(
      const std::string& model_id, const std::string& revision, const std::vector<std::string>& wanted) const override {
    const hubs::RevisionInfo rev{revision, revision};
    const fs::path dir = snapshot_dir(model_id, rev);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return std::nullopt;
    }
    std::vector<hubs::RemoteFile> files;
    auto add = [&](const std::string& path) {
      hubs::RemoteFile file;
      file.path = path;
      file.size = fs::file_size(dir / fs::path(path), ec);
      if (ec) {
        return false;
      }
      files.push_back(std::move(file));
      return true;
    };
    if (wanted.empty()) {
      // modelscope_hub's local_files_only rule: an existing snapshot folder is the model.
      for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const bool temporary = name.ends_with(".part") || name.ends_with(".incomplete") || name.ends_with(".tmp");
        if (entry.is_regular_file(ec) && !temporary) {
          add(entry.path().lexically_relative(dir).generic_string());
        }
      }
      if (files.empty()) {
        return std::nullopt;
      }
    } else {
      for (const auto& path : wanted) {
        if (!add(path)) {
          return std::nullopt;
        }
      }
    }
    return std::make_pair(rev, std::move(files));
  }

 private:
  cache::MsCache m_cache;
};

}  // namespace

std::unique_ptr<CacheLayout> make_ms_layout(fs::path root) { return std::make_unique<MsLayout>(std::move(root)); }

}  // namespace xl::download
