// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test fixture: tests/support/range_server.py on 127.0.0.1 (port 0) serving a fresh temporary
// folder, plus a scratch folder for downloads. Everything is removed on destruction.

#include "core/http/http_types.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace xl::test {

class RangeServer {
 public:
  RangeServer();
  ~RangeServer();
  RangeServer(const RangeServer&) = delete;
  RangeServer& operator=(const RangeServer&) = delete;

  // "http://127.0.0.1:<port><path>"
  std::string url(std::string_view path) const;
  int port() const { return m_port; }
  // Writes `bytes` to the served folder as `name`.
  void add_file(const std::string& name, const std::string& bytes) const;
  // One JSON object per request served so far (method, path, status, sent, range,
  // authorization, cookie, user_agent).
  std::vector<nlohmann::json> requests() const;
  // A folder for download destinations.
  const std::filesystem::path& scratch() const { return m_scratch; }

 private:
  std::filesystem::path m_root;
  std::filesystem::path m_served;
  std::filesystem::path m_scratch;
  std::filesystem::path m_log;
  int m_pid = -1;
  int m_port = 0;
};

// Deterministic pseudo-random bytes.
std::string random_bytes(std::size_t size, std::uint32_t seed);

// Records every observer event (the transport calls it on the fetching thread).
class RecordingObserver : public http::TransferObserver {
 public:
  void on_file_started(const http::FileJob& job, std::uint64_t already_have) override;
  void on_bytes(const http::FileJob& job, std::uint64_t delta) override;
  void on_file_finished(const http::FileJob& job, const http::FileResult& result) override;

  std::vector<std::string> started;
  std::vector<std::string> finished;
  std::uint64_t bytes = 0;
  std::uint64_t already_have = 0;
};

}  // namespace xl::test
