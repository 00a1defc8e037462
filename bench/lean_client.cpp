// SPDX-License-Identifier: Apache-2.0
//
// A reference client of bench/run.sh: the leanest download that does xlaunch's duties. It
// fetches with libcurl's multi interface as curl --parallel --parallel-max 16 does (one thread,
// 16 transfers at once, redirects followed), and per file it does what huggingface_hub's cache
// and verification ask of any client, and nothing more:
//   - takes the lock .locks/<repo>/<blob>.lock (created, flock'ed, held until the file is in
//     place) and creates the partial blobs/<blob>.incomplete exclusively;
//   - writes each piece as it comes and hashes it on the way (sha256 of an LFS file, the git
//     blob sha1 of any other), and checks the hash and the length when the answer ends;
//   - a second thread takes the verified files 64 at a time: one syncfs makes them durable,
//     then each is renamed into place, its snapshot link made and its lock let go. The folders
//     are synced at the end.
// No resume, retries, ranges, block reservation, records or progress: its time against curl's
// is what the duties cost a straightforward client, next to what they cost xlaunch. (With the
// syncs, renames and links after the last transfer instead, on the one thread, it was 0.208 s
// against 0.183 s on scenario c: see bench/HISTORY.md.)
//
// Usage: lean_client MANIFEST REPO_CACHE_DIR LOCK_DIR COMMIT
// MANIFEST has one line per file: URL TAB blob name TAB path in the repo TAB size TAB sha256
// (empty for a file not stored with LFS, whose blob name is its git blob sha1). Built by
// bench/run.sh with the system's C++ compiler, libcurl and libcrypto; not part of xlaunch.

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int k_parallel = 16;       // curl --parallel-max 16, as the benchmark runs curl
constexpr std::size_t k_batch = 64;  // verified files per syncfs

struct Entry {
  std::string url;
  std::string blob;
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;  // empty: not an LFS file; the blob name is its git blob sha1
  int lock = -1;
  int out = -1;
  std::uint64_t received = 0;
  EVP_MD_CTX* digest = nullptr;
  int write_error = 0;  // errno of a failed write, which ends the transfer
};

// Either thread may fail: _Exit ends the process without running destructors under the other.
[[noreturn]] void die(const std::string& what, const std::string& path) {
  std::fprintf(stderr, "lean_client: cannot %s %s: %s\n", what.c_str(), path.c_str(), std::strerror(errno));
  std::_Exit(1);
}

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  std::fprintf(stderr, "lean_client: %s: %s\n", path.c_str(), why.c_str());
  std::_Exit(1);
}

std::vector<Entry> read_manifest(const char* file) {
  std::vector<Entry> entries;
  std::ifstream manifest(file);
  for (std::string line; std::getline(manifest, line);) {
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
      const auto tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) {
        break;
      }
      start = tab + 1;
    }
    if (fields.size() != 5) {
      fail(file, "expected 5 tab-separated fields per line, got: " + line);
    }
    Entry entry;
    entry.url = fields[0];
    entry.blob = fields[1];
    entry.path = fields[2];
    entry.size = std::strtoull(fields[3].c_str(), nullptr, 10);
    entry.sha256 = fields[4];
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string to_hex(const unsigned char* bytes, unsigned length) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (unsigned i = 0; i < length; ++i) {
    text += digits[bytes[i] >> 4];
    text += digits[bytes[i] & 15];
  }
  return text;
}

// An LFS file's name is the sha256 of its bytes; any other's is git's sha1 of "blob <size>\0"
// and its bytes.
void start_digest(Entry& entry) {
  entry.digest = EVP_MD_CTX_new();
  if (entry.sha256.empty()) {
    EVP_DigestInit_ex(entry.digest, EVP_sha1(), nullptr);
    const std::string header = "blob " + std::to_string(entry.size);
    EVP_DigestUpdate(entry.digest, header.c_str(), header.size() + 1);  // with its '\0'
  } else {
    EVP_DigestInit_ex(entry.digest, EVP_sha256(), nullptr);
  }
}

void check_digest(Entry& entry) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_DigestFinal_ex(entry.digest, digest, &length);
  EVP_MD_CTX_free(entry.digest);
  entry.digest = nullptr;
  if (entry.received != entry.size) {
    fail(entry.path, "got " + std::to_string(entry.received) + " bytes, expected " + std::to_string(entry.size));
  }
  const std::string& expected = entry.sha256.empty() ? entry.blob : entry.sha256;
  if (to_hex(digest, length) != expected) {
    fail(entry.path, "hash mismatch");
  }
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* entry = static_cast<Entry*>(user);
  const size_t length = size * count;
  for (size_t done = 0; done < length;) {
    const ssize_t put = ::write(entry->out, data + done, length - done);
    if (put < 0) {
      entry->write_error = errno;  // kept: errno is long overwritten when the loop reports it
      return 0;                    // libcurl ends the transfer with CURLE_WRITE_ERROR
    }
    done += static_cast<size_t>(put);
  }
  EVP_DigestUpdate(entry->digest, data, length);
  entry->received += length;
  return length;
}

void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    die("sync", folder);
  }
  ::close(fd);
}

// The committer: verified files wait here until a batch is full or the transfers have ended;
// then one syncfs makes the batch durable before its files take their final names.
class Committer {
 public:
  Committer(std::string blobs, std::string snapshot)
      : m_blobs(std::move(blobs)), m_snapshot(std::move(snapshot)), m_thread([this] { run(); }) {}

  void add(const Entry& entry) {
    const std::lock_guard<std::mutex> guard(m_mutex);
    m_waiting.push_back(&entry);
    if (m_waiting.size() >= k_batch) {
      m_wake.notify_one();
    }
  }

  // After the last transfer: commits what is left, then syncs every folder a name went into.
  void finish() {
    {
      const std::lock_guard<std::mutex> guard(m_mutex);
      m_ending = true;
    }
    m_wake.notify_one();
    m_thread.join();
    for (const auto& folder : m_folders) {
      sync_folder(folder);
    }
  }

 private:
  void run() {
    for (;;) {
      std::vector<const Entry*> batch;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_wake.wait(lock, [this] { return m_waiting.size() >= k_batch || m_ending; });
        batch.swap(m_waiting);
      }
      if (batch.empty()) {
        return;  // ending, and nothing left
      }
      commit(batch);
    }
  }

  void commit(const std::vector<const Entry*>& batch) {
    const int blobs_fd = ::open(m_blobs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (blobs_fd < 0 || ::syncfs(blobs_fd) != 0) {
      die("sync the filesystem of", m_blobs);
    }
    ::close(blobs_fd);
    for (const Entry* entry : batch) {
      const std::string blob = m_blobs + "/" + entry->blob;
      if (::rename((blob + ".incomplete").c_str(), blob.c_str()) != 0) {
        die("rename into place", blob);
      }
      const std::string link = m_snapshot + "/" + entry->path;
      const std::string folder = link.substr(0, link.find_last_of('/'));
      if (m_folders.insert(folder).second) {
        std::error_code error;
        std::filesystem::create_directories(folder, error);
      }
      // One "../" per folder between the snapshot and the file, then up to the repo's folder.
      std::string target = "../../blobs/" + entry->blob;
      for (const char c : entry->path) {
        if (c == '/') {
          target.insert(0, "../");
        }
      }
      if (::symlink(target.c_str(), link.c_str()) != 0) {
        die("link", link);
      }
      ::close(entry->lock);
    }
  }

  const std::string m_blobs;
  const std::string m_snapshot;
  std::set<std::string> m_folders{m_blobs};  // only the committer's thread touches it
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<const Entry*> m_waiting;
  bool m_ending = false;
  std::thread m_thread;  // last: starts once the rest is built
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: lean_client MANIFEST REPO_CACHE_DIR LOCK_DIR COMMIT\n");
    return 2;
  }
  std::vector<Entry> entries = read_manifest(argv[1]);
  if (entries.empty()) {
    fail(argv[1], "no file listed");
  }
  const std::string repo_dir = argv[2];
  const std::string lock_dir = argv[3];
  const std::string blobs = repo_dir + "/blobs";
  const std::string snapshot = repo_dir + "/snapshots/" + argv[4];
  // Every lock is held until its file is in place: up to one descriptor per file at once.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  for (const auto& folder : {blobs, lock_dir, snapshot}) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
      errno = error.value();
      die("create folder", folder);
    }
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  std::vector<CURL*> idle;  // easy handles are reused, as curl reuses them
  std::size_t next = 0;
  int active = 0;
  Committer committer(blobs, snapshot);

  const auto start = [&](Entry& entry) {
    const std::string lock_path = lock_dir + "/" + entry.blob + ".lock";
    entry.lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
    if (entry.lock < 0 || ::flock(entry.lock, LOCK_EX) != 0) {
      die("lock", lock_path);
    }
    const std::string partial = blobs + "/" + entry.blob + ".incomplete";
    entry.out = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (entry.out < 0) {
      die("create", partial);
    }
    start_digest(entry);
    CURL* easy = idle.empty() ? curl_easy_init() : idle.back();
    if (!idle.empty()) {
      idle.pop_back();
    }
    curl_easy_setopt(easy, CURLOPT_URL, entry.url.c_str());
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &entry);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &entry);
    curl_multi_add_handle(multi, easy);
    ++active;
  };

  for (;;) {
    while (active < k_parallel && next < entries.size()) {
      start(entries[next++]);
    }
    if (active == 0) {
      break;
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      char* user = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &user);
      Entry& entry = *reinterpret_cast<Entry*>(user);
      if (entry.write_error != 0) {
        errno = entry.write_error;
        die("write", blobs + "/" + entry.blob + ".incomplete");
      }
      if (message->data.result != CURLE_OK) {
        fail(entry.url, curl_easy_strerror(message->data.result));
      }
      check_digest(entry);
      ::close(entry.out);
      curl_multi_remove_handle(multi, message->easy_handle);
      curl_easy_reset(message->easy_handle);
      idle.push_back(message->easy_handle);
      --active;
      committer.add(entry);
    }
    // A freed slot takes the next file first; waiting with nothing in flight would sleep the
    // whole timeout.
    if (active == 0 || (active < k_parallel && next < entries.size())) {
      continue;
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  for (CURL* easy : idle) {
    curl_easy_cleanup(easy);
  }
  curl_multi_cleanup(multi);
  committer.finish();
  return 0;
}
