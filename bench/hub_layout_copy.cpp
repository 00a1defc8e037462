// SPDX-License-Identifier: Apache-2.0
//
// A floor of bench/run.sh: the least a client must do to leave files where huggingface_hub
// looks for them, with nothing of a download. Per file it takes huggingface_hub's lock
// (.locks/<repo>/<blob>.lock, created and flock'ed), creates the partial exclusively
// (blobs/<blob>.incomplete), copies the bytes into it with read and write, and, once one
// syncfs has made every file durable, renames it into place and links the snapshot to it
// (snapshots/<commit>/<path> -> ../../blobs/<blob>). Its CPU time, next to `cp -r`'s, is what
// the cache layout itself costs: it checks, verifies and fetches nothing.
//
// Usage: hub_layout_copy MANIFEST SOURCE_DIR REPO_CACHE_DIR LOCK_DIR COMMIT
// MANIFEST has one line per file: <blob name> TAB <path in the repo>. Built by bench/run.sh
// with the system's C++ compiler; it is not part of xlaunch.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

struct Entry {
  std::string blob;
  std::string path;
  int lock = -1;
};

[[noreturn]] void die(const std::string& what, const std::string& path) {
  std::fprintf(stderr, "hub_layout_copy: cannot %s %s: %s\n", what.c_str(), path.c_str(), std::strerror(errno));
  std::exit(1);
}

// Each folder once: a floor makes no call a client would not need.
void make_folders(const std::string& folder, std::set<std::string>& made) {
  if (folder.empty() || !made.insert(folder).second) {
    return;
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    errno = error.value();
    die("create folder", folder);
  }
}

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

void copy_into(const std::string& source, int out, const std::string& out_path) {
  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    die("open", source);
  }
  static std::vector<char> buffer(256 * 1024);
  for (;;) {
    const ssize_t got = ::read(in, buffer.data(), buffer.size());
    if (got < 0) {
      die("read", source);
    }
    if (got == 0) {
      break;
    }
    for (ssize_t done = 0; done < got;) {
      const ssize_t put = ::write(out, buffer.data() + done, static_cast<std::size_t>(got - done));
      if (put < 0) {
        die("write", out_path);
      }
      done += put;
    }
  }
  ::close(in);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: hub_layout_copy MANIFEST SOURCE_DIR REPO_CACHE_DIR LOCK_DIR COMMIT\n");
    return 2;
  }
  const std::string source_dir = argv[2];
  const std::string repo_dir = argv[3];
  const std::string lock_dir = argv[4];
  const std::string snapshot = repo_dir + "/snapshots/" + argv[5];
  const std::string blobs = repo_dir + "/blobs";

  std::vector<Entry> entries;
  std::ifstream manifest(argv[1]);
  for (std::string line; std::getline(manifest, line);) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) {
      entries.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  if (entries.empty()) {
    std::fprintf(stderr, "hub_layout_copy: no file in %s\n", argv[1]);
    return 1;
  }
  // Every lock is held until its file is in place, as a download holds it: one descriptor per
  // file at once.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  std::set<std::string> made;
  make_folders(blobs, made);
  make_folders(lock_dir, made);
  for (auto& entry : entries) {
    const std::string lock_path = lock_dir + "/" + entry.blob + ".lock";
    entry.lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
    if (entry.lock < 0 || ::flock(entry.lock, LOCK_EX) != 0) {
      die("lock", lock_path);
    }
    const std::string partial = blobs + "/" + entry.blob + ".incomplete";
    const int out = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
      die("create", partial);
    }
    copy_into(source_dir + "/" + entry.path, out, partial);
    ::close(out);
  }
  const int blobs_fd = ::open(blobs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (blobs_fd < 0 || ::syncfs(blobs_fd) != 0) {
    die("sync the filesystem of", blobs);
  }
  std::set<std::string> link_folders;
  for (auto& entry : entries) {
    const std::string blob = blobs + "/" + entry.blob;
    if (::rename((blob + ".incomplete").c_str(), blob.c_str()) != 0) {
      die("rename into place", blob);
    }
    const std::string link = snapshot + "/" + entry.path;
    const std::string folder = parent_of(link);
    make_folders(folder, made);
    link_folders.insert(folder);
    // One "../" per folder between the snapshot and the file, then up to the repo's folder.
    std::string target = "../../blobs/" + entry.blob;
    for (const char c : entry.path) {
      if (c == '/') {
        target.insert(0, "../");
      }
    }
    if (::symlink(target.c_str(), link.c_str()) != 0) {
      die("link", link);
    }
    ::close(entry.lock);
  }
  // The renames and links are durable once their folders are.
  link_folders.insert(blobs);
  for (const auto& folder : link_folders) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
      die("sync", folder);
    }
    ::close(fd);
  }
  return 0;
}
