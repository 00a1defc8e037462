// SPDX-License-Identifier: Apache-2.0
#include "tests/unit/support/range_server.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace xl::test {

namespace fs = std::filesystem;

RangeServer::RangeServer() {
  std::string pattern = (fs::temp_directory_path() / "xlaunch-http-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_root = pattern;
  m_served = m_root / "served";
  m_scratch = m_root / "scratch";
  m_log = m_root / "requests.jsonl";
  fs::create_directories(m_served);
  fs::create_directories(m_scratch);

  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  const std::string script = std::string(XLAUNCH_TESTS_DIR) + "/support/range_server.py";
  std::vector<std::string> args = {"python3", script, m_served.string(), m_log.string()};
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (error != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("cannot start python3 for the range server");
  }
  m_pid = pid;
  std::string line;
  char c = 0;
  while (::read(pipe_fds[0], &c, 1) == 1 && c != '\n') {
    line.push_back(c);
  }
  ::close(pipe_fds[0]);
  m_port = std::atoi(line.c_str());
  if (m_port <= 0) {
    throw std::runtime_error("range server did not report its port");
  }
}

RangeServer::~RangeServer() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
  }
  std::error_code ignored;
  fs::remove_all(m_root, ignored);
}

std::string RangeServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(m_port) + std::string(path);
}

void RangeServer::add_file(const std::string& name, const std::string& bytes) const {
  const auto path = m_served / name;
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<nlohmann::json> RangeServer::requests() const {
  std::vector<nlohmann::json> entries;
  std::ifstream in(m_log);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      entries.push_back(nlohmann::json::parse(line));
    }
  }
  return entries;
}

std::string random_bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i + 4 <= size; i += 4) {
    const auto word = generator();
    bytes[i] = static_cast<char>(word & 0xff);
    bytes[i + 1] = static_cast<char>((word >> 8) & 0xff);
    bytes[i + 2] = static_cast<char>((word >> 16) & 0xff);
    bytes[i + 3] = static_cast<char>(word >> 24);
  }
  for (std::size_t i = size - size % 4; i < size; ++i) {
    bytes[i] = static_cast<char>(generator() & 0xff);
  }
  return bytes;
}

void RecordingObserver::on_file_started(const http::FileJob& job, std::uint64_t have) {
  started.push_back(job.display_name);
  already_have += have;
}

void RecordingObserver::on_bytes(const http::FileJob&, std::uint64_t delta) { bytes += delta; }

void RecordingObserver::on_file_finished(const http::FileJob& job, const http::FileResult&) {
  finished.push_back(job.display_name);
}

}  // namespace xl::test
