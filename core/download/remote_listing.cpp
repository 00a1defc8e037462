// SPDX-License-Identifier: Apache-2.0
#include "core/download/remote_listing.hpp"

#include <set>
#include <unordered_map>

#include "core/util/error.hpp"
#include "hubs/listing_entry.hpp"

namespace xl::download {

hubs::RevisionInfo resolve_revision(const hubs::Hub& hub, http::Client& client, const std::string& model_id,
                                    const std::string& revision) {
  if (auto pinned = hub.pinned(revision)) {
    return *pinned;
  }
  return hub.parse_revision(client.send(hub.revision_request(model_id, revision)), model_id, revision);
}

std::vector<hubs::RemoteFile> list_files(const hubs::Hub& hub, http::Client& client, const std::string& model_id,
                                         const hubs::RevisionInfo& revision) {
  std::vector<hubs::RemoteFile> files;
  std::set<std::string> seen_pages;
  http::Request request = hub.listing_request(model_id, revision);
  while (true) {
    auto page = hub.parse_listing(client.send(request), model_id, revision);
    for (auto& file : page.files) {
      files.push_back(std::move(file));
    }
    if (!page.next_url) {
      break;
    }
    if (!seen_pages.insert(*page.next_url).second) {
      throw Error(ExitCode::download, hub.display_name() + " sent the same listing page twice for " + model_id +
                                          "; the server's pagination is broken, retry later");
    }
    request = hub.page_request(*page.next_url);
  }
  if (files.empty()) {
    throw Error(ExitCode::download, hub.display_name() + " lists no files for " + model_id + " at revision '" +
                                        revision.revision + "'; check the model id and revision");
  }
  hubs::check_listing(files, hub.display_name(), model_id);
  return files;
}

std::vector<hubs::RemoteFile> select_files(const std::vector<hubs::RemoteFile>& listing,
                                           const std::vector<std::string>& wanted, const hubs::Hub& hub,
                                           const std::string& model_id, const hubs::RevisionInfo& revision) {
  if (wanted.empty()) {
    return listing;
  }
  std::unordered_map<std::string, const hubs::RemoteFile*> by_path;
  for (const auto& file : listing) {
    by_path.emplace(file.path, &file);
  }
  std::vector<hubs::RemoteFile> selected;
  for (const auto& path : wanted) {
    auto it = by_path.find(path);
    if (it == by_path.end()) {
      throw Error(ExitCode::download, hub.file_error_message(404, model_id, revision, path));
    }
    selected.push_back(*it->second);
  }
  return selected;
}

}  // namespace xl::download
