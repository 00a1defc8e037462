// SPDX-License-Identifier: Apache-2.0
#include "hubs/huggingface_hub.hpp"

#include <nlohmann/json.hpp>

#include "core/util/error.hpp"
#include "hubs/listing_entry.hpp"
#include "hubs/url.hpp"

namespace xl::hubs {
namespace {

using nlohmann::json;

// {"error": "..."}, {"error": [...]}, {"errors": [{"message": ...}]}, or short plain text.
std::string body_message(const std::string& body) {
  auto parsed = parse_answer(body);
  if (!parsed.is_discarded() && parsed.is_object()) {
    if (auto it = parsed.find("error"); it != parsed.end()) {
      if (it->is_string()) {
        return it->get<std::string>();
      }
      if (it->is_array() && !it->empty() && it->front().is_string()) {
        return it->front().get<std::string>();
      }
    }
    if (auto it = parsed.find("errors"); it != parsed.end() && it->is_array() && !it->empty() &&
                                         it->front().is_object() && it->front().contains("message") &&
                                         it->front()["message"].is_string()) {
      return it->front()["message"].get<std::string>();
    }
    return {};
  }
  if (body.size() < 200 && body.find('<') == std::string::npos && body.find('\n') == std::string::npos) {
    return body;
  }
  return {};
}

bool is_lower_hex(const std::string& text, std::size_t length) {
  if (text.size() != length) {
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

bool is_commit_hash(const std::string& revision) { return is_lower_hex(revision, 40); }

std::optional<RevisionInfo> HuggingFaceHub::pinned(const std::string& revision) const {
  if (is_commit_hash(revision)) {
    return RevisionInfo{revision, revision};
  }
  return std::nullopt;
}

http::Request HuggingFaceHub::request(std::string url) const {
  http::Request req;
  req.method = http::Method::get;
  req.url = std::move(url);
  req.headers.items.emplace_back("User-Agent", std::string("xlaunch/") + XLAUNCH_VERSION);
  if (m_settings.token) {
    req.headers.items.emplace_back("Authorization", "Bearer " + *m_settings.token);
  }
  return req;
}

http::Request HuggingFaceHub::revision_request(const std::string& model_id, const std::string& revision) const {
  validate_repo_id(model_id);
  return request(m_settings.endpoint + "/api/models/" + model_id + "/revision/" + quote(revision, ""));
}

RevisionInfo HuggingFaceHub::parse_revision(const http::Response& response, const std::string& model_id,
                                            const std::string& revision) const {
  if (response.status != 200) {
    throw Error(ExitCode::download, error_message(response, model_id, revision));
  }
  auto parsed = parse_answer(response.body);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("sha") || !parsed["sha"].is_string() ||
      !is_commit_hash(parsed["sha"].get<std::string>())) {
    throw Error(ExitCode::download, "Hugging Face (" + m_settings.endpoint + ") answered the revision query for " +
                                        model_id + "@" + revision +
                                        " without a commit id; is HF_ENDPOINT a Hugging Face Hub or mirror?");
  }
  return RevisionInfo{revision, parsed["sha"].get<std::string>()};
}

http::Request HuggingFaceHub::listing_request(const std::string& model_id, const RevisionInfo& revision) const {
  validate_repo_id(model_id);
  return request(m_settings.endpoint + "/api/models/" + model_id + "/tree/" + quote(revision.commit, "") +
                 "?recursive=true&expand=false");
}

http::Request HuggingFaceHub::page_request(const std::string& url) const { return request(url); }

ListingPage HuggingFaceHub::parse_listing(const http::Response& response, const std::string& model_id,
                                          const RevisionInfo& revision) const {
  if (response.status != 200) {
    throw Error(ExitCode::download, error_message(response, model_id, revision.revision));
  }
  const EntryReader read("Hugging Face", model_id, "HF_ENDPOINT");
  ListingPage page;
  const bool is_list = for_each_listed(response.body, [&](const nlohmann::json& item) {
    const auto& entry = read.object(item);
    if (read.text(entry, "type", read.text(entry, "path", {}).value_or("")) != "file") {
      return;  // directories (and whatever else a future API lists) hold no bytes
    }
    RemoteFile file;
    file.path = read.path(entry, "path");
    file.size = read.size(entry, "size", file.path);
    // The blob's git sha1 names a regular file in the cache's blobs/ folder: only 40 hex digits
    // may become a file name there.
    file.git_oid = read.hex(entry, "oid", 40, file.path);
    if (const auto lfs = entry.find("lfs"); lfs != entry.end() && !lfs->is_null()) {
      read.object(*lfs);
      file.lfs = true;
      file.sha256 = read.hex(*lfs, "oid", 64, file.path);
      if (!file.sha256) {
        read.fail(file.path, "an LFS file without its sha256 ('lfs.oid')");
      }
      file.size = read.size(*lfs, "size", file.path, file.size);
    }
    page.files.push_back(std::move(file));
  });
  if (!is_list) {
    throw Error(ExitCode::download, "Hugging Face answered the file listing of " + model_id + "@" +
                                        revision.revision + " with something that is not a JSON list");
  }
  if (auto link = header_value(response.headers, "Link")) {
    page.next_url = link_next(*link, url_origin(m_settings.endpoint));
  }
  return page;
}

http::Request HuggingFaceHub::file_request(const std::string& model_id, const RevisionInfo& revision,
                                           const std::string& path) const {
  validate_repo_id(model_id);
  return request(m_settings.endpoint + "/" + model_id + "/resolve/" + quote(revision.commit, "") + "/" + quote(path));
}

std::string HuggingFaceHub::file_error_message(long http_status, const std::string& model_id,
                                               const RevisionInfo& revision, const std::string& path) const {
  http::Response response;
  response.status = http_status;
  if (http_status == 404) {
    response.headers.items.emplace_back("X-Error-Code", "EntryNotFound");
  }
  return error_message(response, model_id, revision.revision, path);
}

std::string HuggingFaceHub::error_message(const http::Response& response, const std::string& model_id,
                                          const std::string& revision, const std::string& path) const {
  const std::string& endpoint = m_settings.endpoint;
  if (response.status == 0) {
    return "cannot reach Hugging Face at " + endpoint + (response.error.empty() ? "" : ": " + response.error) +
           "; check the network, HF_ENDPOINT and https_proxy, or pass --offline to use the cache";
  }
  const std::string code = header_value(response.headers, "X-Error-Code").value_or("");
  std::string message = header_value(response.headers, "X-Error-Message").value_or("");
  if (message.empty()) {
    message = body_message(response.body);
  }
  const std::string status = std::to_string(response.status);
  const std::string token_hint = m_settings.token ? "the token from " + m_settings.token_source
                                                  : std::string("no token (set HF_TOKEN)");
  if (code == "GatedRepo") {
    if (m_settings.token && response.status == 403) {
      return model_id + " is a gated model and " + token_hint + " has not been granted access; request it at " +
             endpoint + "/" + model_id;
    }
    return model_id + " is a gated model: accept its terms at " + endpoint + "/" + model_id +
           ", then set HF_TOKEN to a token of that account";
  }
  if (code == "RevisionNotFound") {
    return "revision '" + revision + "' not found in " + model_id + " on Hugging Face; check --revision";
  }
  if (code == "EntryNotFound") {
    return "file '" + path + "' not found in " + model_id + " at revision " + revision +
           " on Hugging Face; the catalog entry may name a file the repository no longer has";
  }
  if (response.status == 401 && message.find("Invalid credentials") != std::string::npos) {
    return "Hugging Face rejected " + token_hint + " (401 invalid credentials); fix or unset it";
  }
  if (code == "RepoNotFound" || response.status == 401 || (response.status == 404 && path.empty())) {
    if (m_settings.token) {
      return "repository " + model_id + " not found on Hugging Face (" + endpoint + "), or " + token_hint +
             " cannot see it; check the model id";
    }
    return "repository " + model_id + " not found on Hugging Face (" + endpoint +
           "); check the model id, or set HF_TOKEN if it is private";
  }
  if (response.status == 403) {
    return "Hugging Face refused access to " + model_id + " (403" + (message.empty() ? "" : ": " + message) +
           "); check HF_TOKEN";
  }
  if (response.status == 429) {
    return "Hugging Face rate-limited the requests for " + model_id + " (429); wait a minute and retry" +
           (m_settings.token ? std::string() : std::string(", or set HF_TOKEN for a higher limit"));
  }
  return "Hugging Face answered " + status + " for " + model_id + (path.empty() ? "" : "/" + path) +
         (message.empty() ? "" : ": " + message) + "; retry later or check HF_ENDPOINT";
}

}  // namespace xl::hubs
