// SPDX-License-Identifier: Apache-2.0
#include "core/cache/atomic_file.hpp"
#include "core/cache/hf_cache.hpp"
#include "core/cache/snapshot_path.hpp"
#include "core/download/cache_layout.hpp"
#include "core/util/error.hpp"
#include "hubs/huggingface_hub.hpp"

namespace xl::download {
namespace {

namespace fs = std::filesystem;

std::string require_blob(const std::string& model_id, const hubs::RemoteFile& file) {
  auto blob = cache::hf_blob_name(file);
  if (!blob) {
    throw Error(ExitCode::download, "Hugging Face listed " + model_id + "/" + file.path +
                                        " without a blob id; cannot place it in the cache");
  }
  return *blob;
}

class HfLayout final : public CacheLayout {
 public:
  explicit HfLayout(fs::path root) : m_cache(std::move(root)) {}

  const fs::path& root() const override { return m_cache.root(); }

  fs::path snapshot_dir(const std::string& model_id, const hubs::RevisionInfo& rev) const override {
    return m_cache.snapshot_dir(model_id, rev.commit);
  }

  bool holds_nothing_of(const std::string& model_id) const override {
    // Snapshots, blobs and partials all live under the repo's folder; the locks do not.
    std::error_code ec;
    return !fs::exists(m_cache.repo_dir(model_id), ec) && !ec;
  }

  bool is_cached(const std::string& model_id, const hubs::RevisionInfo& rev,
                 const hubs::RemoteFile& file) const override {
    return m_cache.has_snapshot_file(model_id, rev.commit, file.path, file.size);
  }

  std::optional<fs::path> reusable(const std::string& model_id, const hubs::RevisionInfo&,
                                   const hubs::RemoteFile& file) const override {
    const std::string blob = require_blob(model_id, file);
    if (m_cache.has_blob(model_id, blob, file.size)) {
      return m_cache.blob_path(model_id, blob);
    }
    return std::nullopt;
  }

  InPlace find_in_place(const std::string& model_id, const hubs::RevisionInfo& rev,
                        const hubs::RemoteFile& file) const override {
    // A snapshot entry is a link to its blob: while the blob is missing (as it is for almost
    // every file this asks about) the entry cannot be in place either, so one stat says so,
    // not two. On 500 small files that is 500 failed lookups fewer on the opener's thread.
    auto source = reusable(model_id, rev, file);
    if (!source) {
      return {};
    }
    if (is_cached(model_id, rev, file)) {
      return {true, std::nullopt};
    }
    return {false, std::move(source)};
  }

  fs::path fetch_destination(const std::string& model_id, const hubs::RevisionInfo& rev,
                             const hubs::RemoteFile& file) const override {
    // Checked before any byte moves: install() links the file at this place later.
    cache::check_snapshot_path([&] { return snapshot_dir(model_id, rev); }, file.path);
    return m_cache.blob_path(model_id, require_blob(model_id, file));
  }

  fs::path lock_path(const std::string& model_id, const hubs::RemoteFile& file) const override {
    return m_cache.lock_path(model_id, require_blob(model_id, file));
  }

  void install(const std::string& model_id, const hubs::RevisionInfo& rev, const hubs::RemoteFile& file,
               const std::optional<fs::path>& reused_from) const override {
    const std::string blob = require_blob(model_id, file);
    cache::check_snapshot_path([&] { return snapshot_dir(model_id, rev); }, file.path);
    if (!reused_from && !file.lfs && file.git_oid && file.git_oid->size() == 40) {
      // The engine verifies sha256; regular files are named by their git blob sha1 instead.
      const fs::path path = m_cache.blob_path(model_id, blob);
      const std::string actual = cache::git_blob_sha1_file(path);
      if (actual != *file.git_oid) {
        std::error_code ec;
        fs::remove(path, ec);
        throw Error(ExitCode::download, "integrity check failed for " + model_id + "/" + file.path +
                                            ": git blob id " + actual + ", expected " + *file.git_oid +
                                            "; the damaged file was removed, run again to retry");
      }
    }
    m_cache.link_snapshot_file(model_id, rev.commit, file.path, blob);
  }

  void describe(const std::string& model_id, const hubs::RevisionInfo& rev,
                const std::vector<hubs::RemoteFile>& listing) const override {
    m_cache.ensure_cachedir_tag();
    if (!listing.empty()) {
      // Read offline only after checking every file it names is in place (offline_lookup).
      m_cache.write_tree(model_id, rev.commit, listing);
    }
  }

  void finish(const std::string& model_id, const hubs::RevisionInfo& rev) const override {
    m_cache.write_ref(model_id, rev.revision, rev.commit);
  }

  std::optional<std::pair<hubs::RevisionInfo, std::vector<hubs::RemoteFile>>> offline_lookup(
      const std::string& model_id, const std::string& revision, const std::vector<std::string>& wanted) const override {
    std::optional<std::string> commit =
        hubs::is_commit_hash(revision) ? std::optional<std::string>(revision) : m_cache.read_ref(model_id, revision);
    if (!commit) {
      return std::nullopt;
    }
    const hubs::RevisionInfo rev{revision, *commit};
    std::vector<hubs::RemoteFile> files;
    if (wanted.empty()) {
      // Without the tree file the set of files is unknown: refuse rather than guess.
      auto tree = m_cache.read_tree(model_id, *commit);
      if (!tree) {
        return std::nullopt;
      }
      files = std::move(*tree);
    } else {
      for (const auto& path : wanted) {
        hubs::RemoteFile file;
        file.path = path;
        std::error_code ec;
        file.size = fs::file_size(m_cache.snapshot_file(model_id, *commit, path), ec);
        if (ec) {
          return std::nullopt;
        }
        files.push_back(std::move(file));
      }
    }
    for (const auto& file : files) {
      if (!is_cached(model_id, rev, file)) {
        return std::nullopt;
      }
    }
    return std::make_pair(rev, std::move(files));
  }

 private:
  cache::HfCache m_cache;
};

}  // namespace

std::unique_ptr<CacheLayout> make_hf_layout(fs::path root) { return std::make_unique<HfLayout>(std::move(root)); }

}  // namespace xl::download
