// SPDX-License-Identifier: Apache-2.0
#include "core/cache/hf_cache.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <string_view>

#include "core/cache/atomic_file.hpp"
#include "core/cache/disk_space.hpp"
#include "core/util/error.hpp"

namespace xl::cache {
namespace {

namespace fs = std::filesystem;

// `root` with relative `parts` appended, as one string. Making a path object splits it into
// components, each a string of its own, and each operator/ does it again: a download plans
// hundreds of paths before its first request (500 blob paths took 3.5 ms), and checks and links
// each file as it goes.
std::string joined(const fs::path& root, std::initializer_list<std::string_view> parts) {
  std::string joined = root.native();
  for (const auto part : parts) {
    if (!joined.empty() && joined.back() != '/') {
      joined.push_back('/');
    }
    joined.append(part);
  }
  return joined;
}

fs::path under(const fs::path& root, std::initializer_list<std::string_view> parts) {
  return fs::path(joined(root, parts));
}

bool is_file_of_size(const std::string& path, std::uint64_t size) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) == size;
}

bool is_commit(const std::string& text) {
  if (text.size() != 40) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string HfCache::repo_folder_name(const std::string& model_id) {
  std::string name = "models--";
  for (char c : model_id) {
    if (c == '/') {
      name += "--";
    } else {
      name.push_back(c);
    }
  }
  return name;
}

fs::path HfCache::repo_dir(const std::string& model_id) const { return under(m_root, {repo_folder_name(model_id)}); }

fs::path HfCache::blob_path(const std::string& model_id, const std::string& blob) const {
  return under(m_root, {repo_folder_name(model_id), "blobs", blob});
}

fs::path HfCache::snapshot_dir(const std::string& model_id, const std::string& commit) const {
  return under(m_root, {repo_folder_name(model_id), "snapshots", commit});
}

fs::path HfCache::snapshot_file(const std::string& model_id, const std::string& commit, const std::string& path) const {
  return snapshot_dir(model_id, commit) / fs::path(path);
}

bool HfCache::has_snapshot_file(const std::string& model_id, const std::string& commit, const std::string& path,
                                std::uint64_t size) const {
  return is_file_of_size(joined(m_root, {repo_folder_name(model_id), "snapshots", commit, path}), size);
}

bool HfCache::has_blob(const std::string& model_id, const std::string& blob, std::uint64_t size) const {
  return is_file_of_size(joined(m_root, {repo_folder_name(model_id), "blobs", blob}), size);
}

fs::path HfCache::lock_path(const std::string& model_id, const std::string& blob) const {
  return under(m_root, {".locks", repo_folder_name(model_id), blob + ".lock"});
}

std::optional<std::string> HfCache::read_ref(const std::string& model_id, const std::string& revision) const {
  const fs::path ref = repo_dir(model_id) / "refs" / fs::path(revision);
  std::error_code ec;
  if (!fs::is_regular_file(ref, ec)) {
    return std::nullopt;
  }
  std::string content = read_file(ref);
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' ')) {
    content.pop_back();
  }
  if (!is_commit(content)) {
    return std::nullopt;
  }
  return content;
}

void HfCache::write_ref(const std::string& model_id, const std::string& revision, const std::string& commit) const {
  if (revision == commit) {
    return;
  }
  if (read_ref(model_id, revision) == commit) {
    return;
  }
  write_file_atomic(repo_dir(model_id) / "refs" / fs::path(revision), commit);
}

void HfCache::link_snapshot_file(const std::string& model_id, const std::string& commit, const std::string& path,
                                 const std::string& blob) const {
  // Strings and plain calls, not path objects: this runs for every file a download places.
  const std::string pointer = joined(m_root, {repo_folder_name(model_id), "snapshots", commit, path});
  // Relative, as huggingface_hub writes it (os.path.relpath(blob, dirname(pointer))): up out of
  // the file's folders, the commit's and snapshots/, then down into blobs/. Listed paths have
  // no empty, "." or ".." segments (repo_path_problem), so counting slashes counts folders.
  const std::string below_repo = commit + "/" + path;
  std::string relative;
  for (auto up = std::count(below_repo.begin(), below_repo.end(), '/') + 1; up > 0; --up) {
    relative += "../";
  }
  relative += "blobs/";
  relative += blob;
  // Usually the folder is there and nothing is in the way: create first, and make the folder
  // or look at what is there only when that fails.
  if (::symlink(relative.c_str(), pointer.c_str()) == 0) {
    return;
  }
  int error = errno;
  const fs::path pointer_path(pointer);
  std::error_code ec;
  if (error == ENOENT || error == ENOTDIR) {
    fs::create_directories(pointer_path.parent_path(), ec);
    if (ec) {
      throw_write_error("create", pointer_path.parent_path(), ec.value());
    }
    if (::symlink(relative.c_str(), pointer.c_str()) == 0) {
      return;
    }
    error = errno;
  }
  if (error == EEXIST) {
    if (fs::is_symlink(fs::symlink_status(pointer_path, ec)) && fs::read_symlink(pointer_path, ec) == relative) {
      return;
    }
    fs::remove(pointer_path, ec);
    if (::symlink(relative.c_str(), pointer.c_str()) == 0) {
      return;
    }
  }
  // No symlinks here (some network and Windows filesystems): a plain copy, as
  // huggingface_hub does with HF_HUB_DISABLE_SYMLINKS.
  const fs::path target = blob_path(model_id, blob);
  std::error_code copy_error;
  fs::copy_file(target, pointer_path, fs::copy_options::overwrite_existing, copy_error);
  if (copy_error) {
    throw_write_error("link or copy " + target.string() + " to", pointer_path, copy_error.value());
  }
}

void HfCache::write_tree(const std::string& model_id, const std::string& commit,
                         const std::vector<hubs::RemoteFile>& files) const {
  nlohmann::ordered_json entries = nlohmann::ordered_json::object();
  for (const auto& file : files) {
    nlohmann::ordered_json entry;
    entry["size"] = file.size;
    entry["blob_id"] = file.git_oid.value_or("");
    if (file.lfs && file.sha256) {
      entry["lfs_sha256"] = *file.sha256;
      entry["lfs_size"] = file.size;
    }
    entries[file.path] = std::move(entry);
  }
  nlohmann::ordered_json tree;
  tree["format_version"] = 1;
  tree["files"] = std::move(entries);
  write_file_atomic(repo_dir(model_id) / "trees" / (commit + ".json"), tree.dump(1));
}

std::optional<std::vector<hubs::RemoteFile>> HfCache::read_tree(const std::string& model_id,
                                                                const std::string& commit) const {
  const fs::path path = repo_dir(model_id) / "trees" / (commit + ".json");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  auto tree = nlohmann::json::parse(read_file(path), nullptr, false);
  if (tree.is_discarded() || !tree.is_object() || tree.value("format_version", 0) != 1 || !tree.contains("files") ||
      !tree["files"].is_object()) {
    return std::nullopt;
  }
  std::vector<hubs::RemoteFile> files;
  for (const auto& [name, entry] : tree["files"].items()) {
    if (!entry.is_object() || !hubs::is_safe_repo_path(name)) {
      return std::nullopt;
    }
    hubs::RemoteFile file;
    file.path = name;
    file.size = entry.value("size", std::uint64_t{0});
    const std::string blob_id = entry.value("blob_id", "");
    if (!blob_id.empty()) {
      file.git_oid = blob_id;
    }
    if (entry.contains("lfs_sha256") && entry["lfs_sha256"].is_string()) {
      file.lfs = true;
      file.sha256 = entry["lfs_sha256"].get<std::string>();
    }
    files.push_back(std::move(file));
  }
  return files;
}

void HfCache::ensure_cachedir_tag() const {
  const fs::path tag = m_root / "CACHEDIR.TAG";
  std::error_code ec;
  if (fs::exists(tag, ec)) {
    return;
  }
  write_file_atomic(tag,
                    "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# This file is a cache directory tag created by xlaunch (Hugging Face hub cache).\n"
                    "# For information about cache directory tags, see: https://bford.info/cachedir/\n");
}

std::optional<std::string> hf_blob_name(const hubs::RemoteFile& file) {
  if (file.lfs && file.sha256) {
    return file.sha256;
  }
  if (file.git_oid && !file.git_oid->empty()) {
    return file.git_oid;
  }
  return file.sha256;
}

}  // namespace xl::cache
