// SPDX-License-Identifier: Apache-2.0
#include "hubs/listing_entry.hpp"

#include <set>

#include "core/util/error.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/repo_path.hpp"

namespace xl::hubs {
namespace {

using nlohmann::json;

// A JSON value as it can appear in a one-line error.
std::string shown(const json& value) {
  return printable(value.dump(-1, ' ', false, json::error_handler_t::replace), 60);
}

}  // namespace

json parse_answer(std::string_view body) {
  if (json_nests_deeper_than(body, k_max_answer_depth)) {
    return json(json::value_t::discarded);
  }
  return json::parse(body.begin(), body.end(), nullptr, false);
}

bool for_each_listed(std::string_view body, const std::function<void(const json&)>& take) {
  if (json_nests_deeper_than(body, k_max_answer_depth)) {
    return false;
  }
  bool top_is_list = false;
  const json::parser_callback_t element_done = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 0 && event == json::parse_event_t::array_start) {
      top_is_list = true;
    }
    const bool element_complete = event == json::parse_event_t::object_end ||
                                  event == json::parse_event_t::array_end || event == json::parse_event_t::value;
    if (top_is_list && depth == 1 && element_complete) {
      take(parsed);
      return false;  // not kept in the list: the next element reuses its memory
    }
    return true;
  };
  const json parsed = json::parse(body.begin(), body.end(), element_done, false);
  return top_is_list && parsed.is_array();
}

void EntryReader::fail(std::string_view path, const std::string& problem) const {
  throw Error(ExitCode::download, m_hub + " listed " + (path.empty() ? std::string("an entry") : printable(path)) +
                                      " in " + m_model_id + ": " + problem +
                                      "; the listing was refused and nothing was written; check that " +
                                      m_endpoint_variable + " points at a trustworthy hub");
}

const json& EntryReader::object(const json& entry) const {
  if (!entry.is_object()) {
    fail({}, "expected an object, got " + shown(entry));
  }
  return entry;
}

std::optional<std::string> EntryReader::text(const json& entry, const char* key, std::string_view path) const {
  const auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    fail(path, std::string("field '") + key + "' is " + shown(*it) + ", not a string");
  }
  return it->get<std::string>();
}

std::string EntryReader::path(const json& entry, const char* key) const {
  auto value = text(entry, key, {});
  if (!value) {
    fail({}, std::string("an entry without '") + key + "': " + shown(entry));
  }
  if (auto problem = repo_path_problem(*value)) {
    fail(*value, "the path " + *problem);
  }
  return *value;
}

std::uint64_t EntryReader::size(const json& entry, const char* key, std::string_view path,
                                std::optional<std::uint64_t> fallback) const {
  const auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) {
    if (fallback) {
      return *fallback;
    }
    fail(path, std::string("no '") + key + "' (file size)");
  }
  // nlohmann stores non-negative integers as unsigned; negative ones, fractions and numbers
  // beyond 64 bits (stored as double) are all not byte counts.
  if (!it->is_number_unsigned()) {
    fail(path, "size " + shown(*it) + " is not a byte count");
  }
  const auto value = it->get<std::uint64_t>();
  if (value > k_max_file_size) {
    fail(path, "size " + std::to_string(value) + " is larger than 1 PiB");
  }
  return value;
}

std::optional<std::string> EntryReader::hex(const json& entry, const char* key, std::size_t digits,
                                            std::string_view path) const {
  auto value = text(entry, key, path);
  if (!value || value->empty()) {
    return std::nullopt;
  }
  bool ok = value->size() == digits;
  for (char& c : *value) {
    if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  if (!ok) {
    fail(path, std::string("field '") + key + "' is " + printable(*value, 40) + ", not " + std::to_string(digits) +
                   " hex digits");
  }
  return value;
}

bool EntryReader::flag(const json& entry, const char* key, std::string_view path, bool fallback) const {
  const auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) {
    return fallback;
  }
  if (!it->is_boolean()) {
    fail(path, std::string("field '") + key + "' is " + shown(*it) + ", not true or false");
  }
  return it->get<bool>();
}

void check_listing(const std::vector<RemoteFile>& files, const std::string& hub, const std::string& model_id) {
  auto fail = [&](const std::string& path, const std::string& problem) {
    throw Error(ExitCode::download, hub + " listed " + printable(path) + " in " + model_id + " " + problem +
                                        "; the listing was refused and nothing was written; retry later or report "
                                        "it to the hub");
  };
  std::set<std::string_view> paths;
  for (const auto& file : files) {
    if (!paths.insert(file.path).second) {
      fail(file.path, "twice");
    }
  }
  for (const auto& file : files) {
    for (auto slash = file.path.find('/'); slash != std::string::npos; slash = file.path.find('/', slash + 1)) {
      const std::string_view folder = std::string_view(file.path).substr(0, slash);
      if (paths.count(folder) != 0) {
        fail(std::string(folder), "both as a file and as the folder of " + printable(file.path));
      }
    }
  }
}

}  // namespace xl::hubs
