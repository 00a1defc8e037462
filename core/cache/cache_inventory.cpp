// SPDX-License-Identifier: Apache-2.0
#include "core/cache/cache_inventory.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/cache/atomic_file.hpp"
#include "core/util/error.hpp"

namespace xl::cache {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::uint64_t present_bytes(const CompletionRecord& record) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& file : record.files) {
    const auto size = fs::file_size(record.snapshot_dir / fs::path(file.path), ec);
    if (!ec) {
      total += size;
    }
  }
  return total;
}

// HF snapshot folders sit at {repo}/snapshots/{commit}; the repo folder is two levels up.
bool is_hf_snapshot(const CompletionRecord& record) {
  return record.hub == "huggingface" && record.snapshot_dir.parent_path().filename() == "snapshots";
}

// Every blob some snapshot entry of the repository links to, ignoring `excluded` entries.
std::set<fs::path> referenced_blobs(const fs::path& repo_dir, const std::set<fs::path>& excluded) {
  std::set<fs::path> blobs;
  std::error_code ec;
  const fs::path snapshots = repo_dir / "snapshots";
  if (!fs::is_directory(snapshots, ec)) {
    return blobs;
  }
  for (auto it = fs::recursive_directory_iterator(snapshots, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) {
      break;
    }
    if (!it->is_symlink(ec) || excluded.count(it->path()) != 0) {
      continue;
    }
    const fs::path target = fs::weakly_canonical(it->path().parent_path() / fs::read_symlink(it->path(), ec), ec);
    blobs.insert(target);
  }
  return blobs;
}

// `inner` is `outer` or lies below it; both already canonical.
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) {
      return false;
    }
  }
  return true;
}

void prune_empty_dirs(fs::path dir, const fs::path& stop) {
  std::error_code ec;
  while (dir != stop && dir.has_parent_path() && fs::is_directory(dir, ec) && fs::is_empty(dir, ec)) {
    fs::remove(dir, ec);
    dir = dir.parent_path();
  }
}

}  // namespace

std::vector<CachedEntry> list_cached(const RecordStore& records, const std::optional<std::string>& model_name,
                                     std::vector<fs::path>* unreadable) {
  std::vector<CachedEntry> entries;
  const std::string prefix = model_name ? lower(*model_name) + "--" : "";
  for (const auto& record : records.list(unreadable)) {
    if (model_name && lower(record.model_version).rfind(prefix, 0) != 0) {
      continue;
    }
    CachedEntry entry;
    entry.model_version = record.model_version;
    entry.hub = record.hub;
    entry.model_id = record.model_id;
    entry.revision = record.revision;
    entry.commit = record.commit;
    entry.bytes = present_bytes(record);
    entry.path = record.snapshot_dir;
    entry.complete = record.complete && record.files_present();
    entries.push_back(std::move(entry));
  }
  return entries;
}

RemovalPlan plan_removal(const RecordStore& records, const std::string& model_version) {
  RemovalPlan plan;
  plan.model_version = model_version;
  const auto all = records.list();
  for (const auto& record : all) {
    if (record.model_version == model_version) {
      plan.records.push_back(record);
    }
  }
  if (plan.records.empty()) {
    throw Error(ExitCode::usage, "There is no model version named " + model_version +
                                     ". See `xlaunch cached` for the cached ones.");
  }
  // Entries other records still need stay.
  std::set<fs::path> kept;
  for (const auto& record : all) {
    if (record.model_version == model_version) {
      continue;
    }
    for (const auto& file : record.files) {
      kept.insert(record.snapshot_dir / fs::path(file.path));
    }
  }
  std::set<fs::path> paths;
  std::set<fs::path> outside;
  std::error_code ec;
  for (const auto& record : plan.records) {
    std::set<fs::path> removed_entries;
    // Records only name paths inside their snapshot folder (RecordStore rejects others), but a
    // folder on the way may be a symlink: what an entry resolves to is checked too.
    const fs::path snapshot = fs::weakly_canonical(record.snapshot_dir, ec);
    for (const auto& file : record.files) {
      const fs::path entry = record.snapshot_dir / fs::path(file.path);
      if (kept.count(entry) != 0 || !fs::exists(fs::symlink_status(entry, ec))) {
        continue;
      }
      if (!is_within(fs::weakly_canonical(entry.parent_path(), ec), snapshot)) {
        outside.insert(entry);
        continue;
      }
      removed_entries.insert(entry);
      paths.insert(entry);
      if (!fs::is_symlink(fs::symlink_status(entry, ec))) {
        plan.bytes += fs::file_size(entry, ec);
      }
    }
    if (!is_hf_snapshot(record)) {
      continue;
    }
    const fs::path repo_dir = record.snapshot_dir.parent_path().parent_path();
    const fs::path blobs = fs::weakly_canonical(repo_dir / "blobs", ec);
    const auto still_used = referenced_blobs(repo_dir, removed_entries);
    for (const auto& entry : removed_entries) {
      if (!fs::is_symlink(fs::symlink_status(entry, ec))) {
        continue;
      }
      const fs::path blob = fs::weakly_canonical(entry.parent_path() / fs::read_symlink(entry, ec), ec);
      if (blob.parent_path() != blobs) {
        if (fs::exists(blob, ec)) {
          outside.insert(blob);  // the link goes, what it points at stays
        }
        continue;
      }
      if (still_used.count(blob) == 0 && fs::exists(blob, ec) && paths.insert(blob).second) {
        plan.bytes += fs::file_size(blob, ec);
      }
    }
  }
  plan.paths.assign(paths.begin(), paths.end());
  plan.outside.assign(outside.begin(), outside.end());
  return plan;
}

void execute_removal(const RecordStore& records, const RemovalPlan& plan) {
  std::error_code ec;
  for (const auto& path : plan.paths) {
    fs::remove(path, ec);
    if (ec) {
      throw Error(ExitCode::download, "cannot delete " + path.string() + ": " + ec.message());
    }
  }
  for (const auto& record : plan.records) {
    for (const auto& file : record.files) {
      prune_empty_dirs((record.snapshot_dir / fs::path(file.path)).parent_path(), record.snapshot_dir);
    }
    prune_empty_dirs(record.snapshot_dir, record.cache_root);
    if (is_hf_snapshot(record) && !fs::exists(record.snapshot_dir, ec)) {
      // The snapshot is gone: drop what points at it (refs naming its commit, its tree file).
      const fs::path repo_dir = record.snapshot_dir.parent_path().parent_path();
      const std::string commit = record.snapshot_dir.filename().string();
      fs::remove(repo_dir / "trees" / (commit + ".json"), ec);
      const fs::path refs = repo_dir / "refs";
      std::vector<fs::path> stale;
      for (auto it = fs::recursive_directory_iterator(refs, ec); it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (ec) {
          break;
        }
        if (it->is_regular_file(ec) && read_file(it->path()) == commit) {
          stale.push_back(it->path());
        }
      }
      for (const auto& ref : stale) {
        fs::remove(ref, ec);
        prune_empty_dirs(ref.parent_path(), repo_dir);
      }
      for (const char* sub : {"trees", "snapshots", "blobs"}) {
        prune_empty_dirs(repo_dir / sub, repo_dir.parent_path());
      }
    }
    records.remove(record);
  }
}

}  // namespace xl::cache
