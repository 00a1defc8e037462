// SPDX-License-Identifier: Apache-2.0
#pragma once

// A model hub as xlaunch uses it: it builds requests and parses answers, never does I/O
// (core/download drives the requests through http::Client / http::Transport).
//
// The three steps of every download:
//   1. revision -> RevisionInfo   (HF: /api/models/{repo}/revision/{rev} -> sha; a 40-hex
//                                   commit needs no request. MS: /revisions must list it.)
//   2. listing                    (HF: /tree/{commit}?recursive=true&expand=false, paginated
//                                   through Link rel="next". MS: /repo/files?Recursive=True)
//   3. one file request per file  (HF: /{repo}/resolve/{commit}/{path}; MS: /repo?FilePath=)
// Every parse_* throws xl::Error(ExitCode::download, ...) with a message the user can act on
// (repo not found, revision not found, file not found, gated/private: set the token).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/http/http_types.hpp"
#include "core/hub_env/hub_settings.hpp"

namespace xl::hubs {

struct RemoteFile {
  std::string path;                   // repo-relative, "/"-separated, validated (no "..", not absolute)
  std::uint64_t size = 0;
  std::optional<std::string> sha256;  // lowercase hex, when the hub publishes it
  std::optional<std::string> git_oid; // HF: git blob sha1 (the ETag of a non-LFS file)
  bool lfs = false;
};

struct RevisionInfo {
  std::string revision;  // as requested ("main", "master", a tag, or a commit)
  std::string commit;    // HF: the 40-hex commit. MS: the CommitId when known, else the revision
};

struct ListingPage {
  std::vector<RemoteFile> files;         // files only; directories dropped
  std::optional<std::string> next_url;   // absolute URL of the next page
};

class Hub {
 public:
  virtual ~Hub() = default;

  virtual std::string name() const = 0;              // "huggingface" | "modelscope"
  virtual std::string display_name() const = 0;      // "Hugging Face" | "ModelScope"
  virtual std::string endpoint() const = 0;
  virtual std::string default_revision() const = 0;  // "main" | "master"

  // The revision needs no request to be resolved (HF: already a full commit).
  virtual std::optional<RevisionInfo> pinned(const std::string& revision) const = 0;
  virtual http::Request revision_request(const std::string& model_id, const std::string& revision) const = 0;
  virtual RevisionInfo parse_revision(const http::Response& response, const std::string& model_id,
                                      const std::string& revision) const = 0;

  virtual http::Request listing_request(const std::string& model_id, const RevisionInfo& revision) const = 0;
  // A request for a page URL taken from a previous ListingPage (same headers as the first).
  virtual http::Request page_request(const std::string& url) const = 0;
  virtual ListingPage parse_listing(const http::Response& response, const std::string& model_id,
                                    const RevisionInfo& revision) const = 0;

  virtual http::Request file_request(const std::string& model_id, const RevisionInfo& revision,
                                     const std::string& path) const = 0;
  // Turns a failed file transfer (HTTP status + body as received) into the user-facing message.
  virtual std::string file_error_message(long http_status, const std::string& model_id,
                                         const RevisionInfo& revision, const std::string& path) const = 0;
};

// "huggingface" or "modelscope"; anything else throws Error(usage).
std::unique_ptr<Hub> make_hub(const std::string& name, const HubSettings& settings);

// Validates a repo id the way huggingface_hub does (^(ns/)?name$, [A-Za-z0-9_.-], <= 96 chars,
// no "--" or "..", no leading/trailing "-" or "."). Throws Error(usage) naming the id.
void validate_repo_id(const std::string& model_id);

// Rejects listed paths that would escape the snapshot folder ("..", absolute, empty segments,
// control characters, over-long names): core/util/repo_path.hpp has the rule.
bool is_safe_repo_path(const std::string& path);

}  // namespace xl::hubs
