// SPDX-License-Identifier: Apache-2.0
#include "hubs/modelscope_hub.hpp"

#include <nlohmann/json.hpp>

#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "hubs/listing_entry.hpp"
#include "hubs/url.hpp"

namespace xl::hubs {
namespace {

using nlohmann::json;

std::string envelope_message(const std::string& body) {
  auto parsed = parse_answer(body);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return {};
  }
  for (const char* key : {"Message", "message", "msg", "error", "detail"}) {
    if (auto it = parsed.find(key); it != parsed.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return {};
}

// The envelope says success: {"Code": 200, "Success": true, ...}. Missing fields are tolerated.
bool envelope_ok(const json& parsed) {
  if (!parsed.is_object()) {
    return false;
  }
  // Compared as JSON values: converting a number like 1e125 to an integer first would be UB.
  if (auto code = parsed.find("Code"); code != parsed.end() && code->is_number() && *code != json(200)) {
    return false;
  }
  if (auto success = parsed.find("Success"); success != parsed.end() && success->is_boolean()) {
    return success->get<bool>();
  }
  return true;
}

std::string not_an_answer(const std::string& what, const std::string& model_id) {
  return "ModelScope answered the " + what + " of " + model_id +
         " with something that is not a ModelScope JSON object (or is nested too deeply); check MODELSCOPE_ENDPOINT";
}

// entry[key] when entry is an object and that is a string; "" otherwise.
std::string string_field(const json& entry, const char* key) {
  if (!entry.is_object()) {
    return {};
  }
  const json& value = entry.value(key, json());
  return value.is_string() ? value.get<std::string>() : std::string();
}

// parsed["Data"][key] when Data is an object; null otherwise (never inserts, never throws).
const json& data_field(const json& parsed, const char* key) {
  static const json k_null;
  if (!parsed.is_object() || !parsed.contains("Data") || !parsed["Data"].is_object() ||
      !parsed["Data"].contains(key)) {
    return k_null;
  }
  return parsed["Data"][key];
}

}  // namespace

http::Request ModelScopeHub::request(std::string url) const {
  http::Request req;
  req.method = http::Method::get;
  req.url = std::move(url);
  req.headers.items.emplace_back("User-Agent", std::string("xlaunch/") + XLAUNCH_VERSION);
  if (m_settings.token) {
    req.headers.items.emplace_back("Authorization", "Bearer " + *m_settings.token);
    req.headers.items.emplace_back("Cookie", "m_session_id=" + *m_settings.token);
  }
  return req;
}

http::Request ModelScopeHub::revision_request(const std::string& model_id, const std::string&) const {
  validate_repo_id(model_id);
  return request(m_settings.endpoint + "/api/v1/models/" + model_id + "/revisions");
}

RevisionInfo ModelScopeHub::parse_revision(const http::Response& response, const std::string& model_id,
                                           const std::string& revision) const {
  if (response.status != 200) {
    throw Error(ExitCode::download, error_message(response, model_id));
  }
  const auto parsed = parse_answer(response.body);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw Error(ExitCode::download, not_an_answer("revision list", model_id));
  }
  if (!envelope_ok(parsed)) {
    throw Error(ExitCode::download, error_message(response, model_id));
  }
  const json& map = data_field(parsed, "RevisionMap");
  std::vector<std::string> known;
  for (const char* kind : {"Branches", "Tags"}) {
    if (!map.is_object() || !map.contains(kind) || !map[kind].is_array()) {
      continue;
    }
    for (const auto& entry : map[kind]) {
      // Anything but {"Revision": "...", "CommitId": "..."} is skipped; an unknown revision is
      // reported below either way.
      const std::string name = string_field(entry, "Revision");
      if (name.empty()) {
        continue;
      }
      if (name == revision) {
        const std::string commit = string_field(entry, "CommitId");
        return RevisionInfo{revision, commit.empty() ? revision : commit};
      }
      known.push_back(escape_controls(name.substr(0, 60)));
    }
  }
  std::string listed;
  for (const auto& name : known) {
    listed += (listed.empty() ? "" : ", ") + name;
  }
  throw Error(ExitCode::download, "revision '" + revision + "' not found in " + model_id + " on ModelScope" +
                                      (listed.empty() ? std::string() : " (it has: " + listed + ")") +
                                      "; ModelScope takes branch or tag names, not commits");
}

http::Request ModelScopeHub::listing_request(const std::string& model_id, const RevisionInfo& revision) const {
  validate_repo_id(model_id);
  return request(m_settings.endpoint + "/api/v1/models/" + model_id +
                 "/repo/files?Revision=" + quote_plus(revision.revision) + "&Recursive=True");
}

http::Request ModelScopeHub::page_request(const std::string& url) const { return request(url); }

ListingPage ModelScopeHub::parse_listing(const http::Response& response, const std::string& model_id,
                                         const RevisionInfo& revision) const {
  if (response.status != 200) {
    throw Error(ExitCode::download, error_message(response, model_id));
  }
  const auto parsed = parse_answer(response.body);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw Error(ExitCode::download, not_an_answer("file listing", model_id));
  }
  if (!envelope_ok(parsed)) {
    throw Error(ExitCode::download, error_message(response, model_id));
  }
  const json& files = data_field(parsed, "Files");
  if (!files.is_array()) {
    // ModelScope answers an unknown revision with 200 and "Files": null (hubs.md B5).
    throw Error(ExitCode::download, "ModelScope lists no files for " + model_id + " at revision '" +
                                        revision.revision + "'; the revision probably does not exist");
  }
  const EntryReader read("ModelScope", model_id, "MODELSCOPE_ENDPOINT");
  ListingPage page;
  for (const auto& item : files) {
    const auto& entry = read.object(item);
    if (read.text(entry, "Type", read.text(entry, "Path", {}).value_or("")).value_or("blob") == "tree") {
      continue;
    }
    RemoteFile file;
    file.path = read.path(entry, "Path");
    if (file.path == ".gitignore" || file.path == ".gitattributes") {
      continue;
    }
    file.size = read.size(entry, "Size", file.path);
    file.sha256 = read.hex(entry, "Sha256", 64, file.path);
    file.lfs = read.flag(entry, "IsLFS", file.path, false);
    page.files.push_back(std::move(file));
  }
  if (page.files.empty()) {
    throw Error(ExitCode::download, "ModelScope lists no files for " + model_id + " at revision '" +
                                        revision.revision + "'; check the model id and revision");
  }
  return page;
}

http::Request ModelScopeHub::file_request(const std::string& model_id, const RevisionInfo& revision,
                                          const std::string& path) const {
  validate_repo_id(model_id);
  return request(m_settings.endpoint + "/api/v1/models/" + model_id + "/repo?Revision=" +
                 quote_plus(revision.revision) + "&FilePath=" + quote_plus(path));
}

std::string ModelScopeHub::file_error_message(long http_status, const std::string& model_id,
                                              const RevisionInfo& revision, const std::string& path) const {
  if (http_status == 404) {
    return "file '" + path + "' not found in " + model_id + " at revision " + revision.revision +
           " on ModelScope; the catalog entry may name a file the repository does not have";
  }
  http::Response response;
  response.status = http_status;
  return error_message(response, model_id, path);
}

std::string ModelScopeHub::error_message(const http::Response& response, const std::string& model_id,
                                         const std::string& path) const {
  const std::string& endpoint = m_settings.endpoint;
  if (response.status == 0) {
    return "cannot reach ModelScope at " + endpoint + (response.error.empty() ? "" : ": " + response.error) +
           "; check the network, MODELSCOPE_ENDPOINT and https_proxy, or pass --offline to use the cache";
  }
  const std::string message = envelope_message(response.body);
  if (response.status == 404) {
    return "model " + model_id + " not found on ModelScope (" + endpoint + "); check the model id";
  }
  if (response.status == 401 || response.status == 403) {
    if (m_settings.token) {
      return "ModelScope refused MODELSCOPE_API_TOKEN for " + model_id + " (" + std::to_string(response.status) +
             "); check that the token is valid and has access";
    }
    return "ModelScope refused access to " + model_id + " (" + std::to_string(response.status) +
           "): it may be private; set MODELSCOPE_API_TOKEN";
  }
  if (response.status == 429) {
    return "ModelScope rate-limited the requests for " + model_id + " (429); wait a minute and retry";
  }
  return "ModelScope answered " + std::to_string(response.status) + " for " + model_id +
         (path.empty() ? "" : "/" + path) + (message.empty() ? "" : ": " + message) +
         "; retry later or check MODELSCOPE_ENDPOINT";
}

}  // namespace xl::hubs
