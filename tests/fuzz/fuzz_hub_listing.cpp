// SPDX-License-Identifier: Apache-2.0
// Fuzz target: any bytes as a hub's answer to the revision and listing requests, for both hubs.
// The first byte picks the hub and the HTTP status; the rest is the body. Parsing must return
// values or throw xl::Error; every listed path it returns must be safe to join to a snapshot, and
// every hash it returns must be hex of the right length (HF blob names become file names).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/hub_env/environment.hpp"
#include "core/hub_env/hub_settings.hpp"
#include "core/util/error.hpp"
#include "hubs/hub.hpp"

namespace {

bool is_hex(const std::string& text, std::size_t length) {
  return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

const xl::HubSettings& settings() {
  static const xl::HubSettings value = [] {
    xl::MapEnvironment env;
    env.set("HOME", "/nonexistent-home");
    return xl::read_hub_settings(env);
  }();
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static const long k_statuses[] = {200, 200, 200, 401, 403, 404, 500, 302};
  const std::string hub_name = (data[0] & 1) != 0 ? "modelscope" : "huggingface";
  const auto hub = xl::hubs::make_hub(hub_name, settings());
  xl::http::Response response;
  response.status = k_statuses[(data[0] >> 1) & 7];
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  response.headers.set("Link", "<https://huggingface.co/api/models/a/b/tree/main?cursor=x>; rel=\"next\"");
  try {
    const auto revision = hub->parse_revision(response, "owner/model", "main");
    (void)hub->listing_request("owner/model", revision);
  } catch (const xl::Error&) {
  }
  try {
    const xl::hubs::RevisionInfo revision{"main", std::string(40, 'a')};
    const auto page = hub->parse_listing(response, "owner/model", revision);
    for (const auto& file : page.files) {
      if (!xl::hubs::is_safe_repo_path(file.path)) {
        std::abort();  // the parser let through a path that escapes the snapshot folder
      }
      if ((file.git_oid && !is_hex(*file.git_oid, 40)) || (file.sha256 && !is_hex(*file.sha256, 64))) {
        std::abort();  // a hash that is not hex could name a blob file outside blobs/
      }
    }
  } catch (const xl::Error&) {
  }
  return 0;
}
