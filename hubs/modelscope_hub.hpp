// SPDX-License-Identifier: Apache-2.0
#pragma once

// ModelScope requests and answers (hubs.md Part B, recipe B11). The token goes both as
// `Authorization: Bearer` and as cookie `m_session_id`, as modelscope_hub sends it.
// Revisions are branch or tag names (commits are not accepted by ModelScope); an unknown
// revision is reported from /revisions, and a listing with `Files: null` is an error.

#include "hubs/hub.hpp"

namespace xl::hubs {

class ModelScopeHub final : public Hub {
 public:
  explicit ModelScopeHub(MsSettings settings) : m_settings(std::move(settings)) {}

  std::string name() const override { return "modelscope"; }
  std::string display_name() const override { return "ModelScope"; }
  std::string endpoint() const override { return m_settings.endpoint; }
  std::string default_revision() const override { return "master"; }

  std::optional<RevisionInfo> pinned(const std::string&) const override { return std::nullopt; }
  http::Request revision_request(const std::string& model_id, const std::string& revision) const override;
  RevisionInfo parse_revision(const http::Response& response, const std::string& model_id,
                              const std::string& revision) const override;
  http::Request listing_request(const std::string& model_id, const RevisionInfo& revision) const override;
  http::Request page_request(const std::string& url) const override;
  ListingPage parse_listing(const http::Response& response, const std::string& model_id,
                            const RevisionInfo& revision) const override;
  http::Request file_request(const std::string& model_id, const RevisionInfo& revision,
                             const std::string& path) const override;
  std::string file_error_message(long http_status, const std::string& model_id, const RevisionInfo& revision,
                                 const std::string& path) const override;

  std::string error_message(const http::Response& response, const std::string& model_id,
                            const std::string& path = {}) const;

 private:
  http::Request request(std::string url) const;

  MsSettings m_settings;
};

}  // namespace xl::hubs
