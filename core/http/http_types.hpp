// SPDX-License-Identifier: Apache-2.0
#pragma once

// The contract between the hubs (which build requests and parse answers, no I/O) and the
// transfer engine (the only code that talks to libcurl). Plain values, so hubs, cache and
// download logic are unit-tested with fakes of the two interfaces below.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xl::http {

// Header names compare case-insensitively; kept in arrival order.
struct Headers {
  std::vector<std::pair<std::string, std::string>> items;

  std::optional<std::string> get(std::string_view name) const;
  void set(std::string name, std::string value);  // replaces any header of that name
  void remove(std::string_view name);              // drops every header of that name
};

enum class Method { get, head };
enum class Redirects { follow, do_not_follow };

struct Request {
  Method method = Method::get;
  std::string url;
  Headers headers;  // includes Authorization when the hub needs a token
  Redirects redirects = Redirects::follow;
};

struct Response {
  long status = 0;           // final HTTP status (0 when no answer was received)
  Headers headers;           // of the final answer
  std::string body;          // decoded (gzip handled by the engine)
  std::string effective_url; // after redirects
  std::string error;         // transport-level failure, empty when an answer arrived
};

// Small requests (API JSON, HEAD probes). Bounded retries for transient failures live in the
// implementation; an HTTP error status is returned, not thrown.
class Client {
 public:
  virtual ~Client() = default;
  virtual Response send(const Request& request) = 0;
};

// What a job's claim (below) hands back to the transfer engine.
struct Claim {
  bool transfer_needed = true;  // false: the file was found in place; nothing is fetched
  // Kept until the file has settled (in place, failed or cancelled), then released: the lock
  // other processes honour while the file is written.
  std::shared_ptr<const void> held;
  // No earlier attempt at the file can have left anything (its lock had never been taken, or
  // the repo has no folder yet): there is nothing of one to look for (PartialFile::set_first_attempt).
  bool first_attempt = false;
};

// One file to bring into the cache.
struct FileJob {
  std::string display_name;                    // repo-relative path, for messages and progress
  Request request;                             // where the bytes come from
  std::filesystem::path destination;           // final path; appears only complete and verified
  std::optional<std::uint64_t> expected_size;  // verified when known
  std::optional<std::string> expected_sha256;  // lowercase hex; verified while streaming
  // Runs right after the file is renamed onto `destination`, on a finisher thread, so work that
  // needs the file in place (linking it into a snapshot) overlaps the rest of the transfer.
  // Must be thread-safe and must not throw. Optional.
  std::function<void()> after_commit;
  // Runs before anything of the file is touched, on the engine's opener thread: one job after
  // another in job order, while earlier files transfer. Takes what the file must hold while it
  // is written and says whether a transfer is still needed. May block, but must return soon
  // (throwing) once `*cancel` is set (`cancel` may be null). A throw fails this file alone
  // (FileStatus::lock_failed, what() as the error). Optional.
  std::function<Claim(const std::atomic<bool>* cancel)> claim;
};

// io_error: the local file could not be written, synced or renamed (other than ENOSPC).
// lock_failed: the job's claim threw: the lock the file is written under was not taken (another
// process held it past the timeout, or the lock file could not be made), or the check made
// under it failed.
enum class FileStatus {
  ok,
  not_found,
  unauthorized,
  http_error,
  network_error,
  integrity_error,
  no_space,
  cancelled,
  io_error,
  lock_failed
};

struct FileResult {
  FileStatus status = FileStatus::ok;
  long http_status = 0;
  std::string error;                  // one line: the cause, URL without secrets
  std::uint64_t bytes_transferred = 0;  // bytes received over the network by this run
  std::uint64_t bytes_reused = 0;       // bytes of a partial file kept from an earlier run
  // Bytes the sha256 check read back from the file instead of hashing them from memory.
  std::uint64_t bytes_read_back = 0;
  bool found_in_place = false;          // ok without a transfer: the claim found the file done
};

// Progress events, delivered on the calling thread.
class TransferObserver {
 public:
  virtual ~TransferObserver() = default;
  virtual void on_file_started(const FileJob& job, std::uint64_t already_have) = 0;
  virtual void on_bytes(const FileJob& job, std::uint64_t delta) = 0;
  virtual void on_file_finished(const FileJob& job, const FileResult& result) = 0;
};

// Fetches many files concurrently. Results are in job order. Never leaves a wrong or partial
// file at a destination; partial data is kept beside it for the next run to resume.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::vector<FileResult> fetch(std::span<const FileJob> jobs, TransferObserver& observer) = 0;
};

}  // namespace xl::http
