// SPDX-License-Identifier: Apache-2.0
#pragma once

// A hub's answers are untrusted: a broken mirror or a hostile endpoint can send any JSON. The
// parsers read every field through here, so a wrong type, a path that would leave the snapshot
// folder, an absurd size or a malformed hash is refused with an error naming the entry and the
// problem (Error(download)), never a crash and never a file written somewhere unexpected.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hubs/hub.hpp"

namespace xl::hubs {

// Deepest nesting accepted in a hub's JSON answer; a listing nests three levels.
inline constexpr int k_max_answer_depth = 32;
// Largest file size believed (1 PiB); anything above is a broken or hostile listing.
inline constexpr std::uint64_t k_max_file_size = std::uint64_t{1} << 50U;

// The parsed answer, or a discarded value when the body is not JSON or nests too deeply.
nlohmann::json parse_answer(std::string_view body);

// Parses an answer whose top level is a JSON list, handing each element to `take` as soon as it
// is complete and dropping it afterwards, so the whole list never exists as one JSON tree. For
// 500 files that tree was a megabyte of memory touched for the first time, which cost more than
// parsing it (4.2 ms cold against 1.4 ms for the same parse in warm memory). False when the body
// is not JSON, nests too deeply or is not a list; elements seen before such a flaw were already
// handed over, so the caller must discard what it built from them. Whatever `take` throws ends
// the parse and propagates.
bool for_each_listed(std::string_view body, const std::function<void(const nlohmann::json&)>& take);

class EntryReader {
 public:
  // `hub`: "Hugging Face"; `endpoint_variable`: the variable that points xlaunch at that hub.
  EntryReader(std::string hub, std::string model_id, std::string endpoint_variable)
      : m_hub(std::move(hub)), m_model_id(std::move(model_id)), m_endpoint_variable(std::move(endpoint_variable)) {}

  // The entry must be a JSON object.
  const nlohmann::json& object(const nlohmann::json& entry) const;
  // A string field, absent (nullopt) or of the wrong type (refused).
  std::optional<std::string> text(const nlohmann::json& entry, const char* key, std::string_view path) const;
  // The entry's repo path: required, a string, safe to join to a snapshot folder.
  std::string path(const nlohmann::json& entry, const char* key) const;
  // A byte count: a non-negative integer up to k_max_file_size. Required unless `fallback`.
  std::uint64_t size(const nlohmann::json& entry, const char* key, std::string_view path,
                     std::optional<std::uint64_t> fallback = std::nullopt) const;
  // A hash of exactly `digits` hex digits, returned in lowercase; absent, null or "" is nullopt.
  std::optional<std::string> hex(const nlohmann::json& entry, const char* key, std::size_t digits,
                                 std::string_view path) const;
  // A boolean field; absent is `fallback`.
  bool flag(const nlohmann::json& entry, const char* key, std::string_view path, bool fallback) const;

  [[noreturn]] void fail(std::string_view path, const std::string& problem) const;

 private:
  std::string m_hub;
  std::string m_model_id;
  std::string m_endpoint_variable;
};

// The whole listing (every page): no path twice and no path that is both a file and a folder
// ("a" and "a/b"), either of which would make one file overwrite or block another.
void check_listing(const std::vector<RemoteFile>& files, const std::string& hub, const std::string& model_id);

}  // namespace xl::hubs
