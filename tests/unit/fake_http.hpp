// SPDX-License-Identifier: Apache-2.0
#pragma once

// In-memory stand-ins for the transfer engine and a tiny in-memory hub, for unit tests of
// hubs/, core/cache/ and core/download/ without sockets.

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <unistd.h>

#include "core/http/http_types.hpp"
#include "core/util/error.hpp"
#include "hubs/url.hpp"

namespace xl::testing {

inline std::string digest_hex(const std::string& data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, md, nullptr);
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(k_digits[out[i] >> 4U]);
    hex.push_back(k_digits[out[i] & 0x0FU]);
  }
  return hex;
}
inline std::string sha256_hex(const std::string& data) { return digest_hex(data, EVP_sha256()); }
inline std::string git_sha1_hex(const std::string& data) {
  std::string blob = "blob " + std::to_string(data.size());
  blob.push_back('\0');
  return digest_hex(blob + data, EVP_sha1());
}

inline http::Response json_response(long status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.items.emplace_back("Content-Type", "application/json");
  return response;
}

// A fresh folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "xlaunch-unit-XXXXXX").string();
    m_path = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

// Answers by exact URL (then by a handler); records every request; unknown URL -> 404.
class FakeClient final : public http::Client {
 public:
  std::map<std::string, http::Response> responses;
  std::function<std::optional<http::Response>(const http::Request&)> handler;
  std::vector<http::Request> requests;

  http::Response send(const http::Request& request) override {
    requests.push_back(request);
    if (handler) {
      if (auto answer = handler(request)) {
        return *answer;
      }
    }
    auto it = responses.find(request.url);
    if (it != responses.end()) {
      return it->second;
    }
    return json_response(404, R"({"error":"not found"})");
  }
};

// Serves bytes by URL: writes the destination like the real engine (verified, atomic), each
// job under its claim, released once the file has settled.
class FakeTransport final : public http::Transport {
 public:
  std::map<std::string, std::string> contents;  // url -> bytes
  std::map<std::string, http::FileResult> failures;  // url -> forced result
  std::vector<http::FileJob> jobs;     // every job handed over
  std::vector<std::string> fetched;    // display names of the jobs whose claim asked for a transfer
  std::vector<bool> first_attempts;    // of those jobs: whether their claim said no one claimed the file before
  bool run_after_commit = true;  // as the curl transport does; false: a transport without the hook

  std::vector<http::FileResult> fetch(std::span<const http::FileJob> batch, http::TransferObserver& observer) override {
    std::vector<http::FileResult> results;
    for (const auto& job : batch) {
      jobs.push_back(job);
      http::FileResult result;
      http::Claim claim;
      if (job.claim) {
        try {
          claim = job.claim(nullptr);
        } catch (const std::exception& error) {
          observer.on_file_started(job, 0);
          result.status = http::FileStatus::lock_failed;
          result.error = job.display_name + ": " + error.what();
          observer.on_file_finished(job, result);
          results.push_back(result);
          continue;
        }
      }
      if (!claim.transfer_needed) {
        observer.on_file_started(job, job.expected_size.value_or(0));
        result.found_in_place = true;
        observer.on_file_finished(job, result);
        results.push_back(result);
        continue;
      }
      fetched.push_back(job.display_name);
      first_attempts.push_back(claim.first_attempt);
      observer.on_file_started(job, 0);
      if (auto failure = failures.find(job.request.url); failure != failures.end()) {
        result = failure->second;
      } else if (auto it = contents.find(job.request.url); it == contents.end()) {
        result.status = http::FileStatus::not_found;
        result.http_status = 404;
      } else if ((job.expected_size && *job.expected_size != it->second.size()) ||
                 (job.expected_sha256 && *job.expected_sha256 != sha256_hex(it->second))) {
        result.status = http::FileStatus::integrity_error;
        result.error = "size or sha256 mismatch";
      } else {
        std::filesystem::create_directories(job.destination.parent_path());
        std::ofstream(job.destination, std::ios::binary) << it->second;
        result.bytes_transferred = it->second.size();
        observer.on_bytes(job, it->second.size());
        if (run_after_commit && job.after_commit) {
          job.after_commit();
        }
      }
      observer.on_file_finished(job, result);
      results.push_back(result);
    }
    return results;
  }
};

}  // namespace xl::testing
