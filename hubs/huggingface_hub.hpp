// SPDX-License-Identifier: Apache-2.0
#pragma once

// Hugging Face Hub requests and answers (hubs.md Part A). Sends `Authorization: Bearer` on
// every request when a token is known; the transfer engine must drop it on a cross-host
// redirect (the CDN URL is signed).

#include "hubs/hub.hpp"

namespace xl::hubs {

class HuggingFaceHub final : public Hub {
 public:
  explicit HuggingFaceHub(HfSettings settings) : m_settings(std::move(settings)) {}

  std::string name() const override { return "huggingface"; }
  std::string display_name() const override { return "Hugging Face"; }
  std::string endpoint() const override { return m_settings.endpoint; }
  std::string default_revision() const override { return "main"; }

  std::optional<RevisionInfo> pinned(const std::string& revision) const override;
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

  // The message for a failed Hub answer (status, X-Error-Code, X-Error-Message, JSON body).
  std::string error_message(const http::Response& response, const std::string& model_id,
                            const std::string& revision, const std::string& path = {}) const;

 private:
  http::Request request(std::string url) const;

  HfSettings m_settings;
};

// True for a full lowercase 40-hex commit id.
bool is_commit_hash(const std::string& revision);

}  // namespace xl::hubs
