// SPDX-License-Identifier: Apache-2.0
#pragma once

// Publishes a tiny repository on FakeClient/FakeTransport with the URL shapes of the real
// hubs (hubs.md A3-A5, B2-B5), so the downloader is tested end to end in memory.

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "fake_http.hpp"

namespace xl::testing {

struct FakeRepo {
  std::string id = "acme/tiny";
  std::string commit = "7c1d3e0f5a2b4c6d8e9f0a1b2c3d4e5f6a7b8c9d";
  std::string revision_name = "main";
  std::map<std::string, std::string> files;
  std::set<std::string> lfs;  // paths served as LFS (sha256-named blobs)
  std::size_t page_size = 2;
};

inline void serve_hf(FakeClient& client, FakeTransport& transport, const std::string& endpoint, const FakeRepo& repo) {
  client.responses[endpoint + "/api/models/" + repo.id + "/revision/" + hubs::quote(repo.revision_name, "")] =
      json_response(200, nlohmann::json{{"id", repo.id}, {"sha", repo.commit}}.dump());
  std::vector<nlohmann::json> entries;
  for (const auto& [path, data] : repo.files) {
    nlohmann::json entry = {{"type", "file"}, {"path", path}, {"size", data.size()}, {"oid", git_sha1_hex(data)}};
    if (repo.lfs.count(path) != 0) {
      entry["lfs"] = {{"oid", sha256_hex(data)}, {"size", data.size()}, {"pointerSize", 134}};
    }
    entries.push_back(entry);
    transport.contents[endpoint + "/" + repo.id + "/resolve/" + repo.commit + "/" + hubs::quote(path)] = data;
  }
  entries.push_back({{"type", "directory"}, {"path", "sub"}, {"size", 0}, {"oid", "0d1e"}});
  const std::string base = endpoint + "/api/models/" + repo.id + "/tree/" + repo.commit + "?recursive=true&expand=false";
  for (std::size_t start = 0, page = 0; start < entries.size(); start += repo.page_size, ++page) {
    nlohmann::json body = nlohmann::json::array();
    for (std::size_t i = start; i < std::min(entries.size(), start + repo.page_size); ++i) {
      body.push_back(entries[i]);
    }
    http::Response response = json_response(200, body.dump());
    if (start + repo.page_size < entries.size()) {
      response.headers.items.emplace_back("Link", "<" + base + "&cursor=" + std::to_string(page + 1) + ">; rel=\"next\"");
    }
    client.responses[page == 0 ? base : base + "&cursor=" + std::to_string(page)] = response;
  }
}

inline void serve_ms(FakeClient& client, FakeTransport& transport, const std::string& endpoint, const FakeRepo& repo) {
  const std::string api = endpoint + "/api/v1/models/" + repo.id;
  client.responses[api + "/revisions"] = json_response(
      200, nlohmann::json{{"Code", 200},
                          {"Success", true},
                          {"Data",
                           {{"RevisionMap",
                             {{"Branches", {{{"Revision", repo.revision_name}, {"CommitId", repo.commit}}}},
                              {"Tags", nlohmann::json::array()}}}}}}
               .dump());
  nlohmann::json files = nlohmann::json::array();
  files.push_back({{"Name", ".gitattributes"}, {"Path", ".gitattributes"}, {"Type", "blob"}, {"Size", 3}});
  for (const auto& [path, data] : repo.files) {
    files.push_back({{"Name", path.substr(path.rfind('/') + 1)},
                     {"Path", path},
                     {"Type", "blob"},
                     {"Size", data.size()},
                     {"Sha256", sha256_hex(data)},
                     {"Revision", repo.commit}});
    transport.contents[api + "/repo?Revision=" + hubs::quote_plus(repo.revision_name) +
                       "&FilePath=" + hubs::quote_plus(path)] = data;
  }
  client.responses[api + "/repo/files?Revision=" + hubs::quote_plus(repo.revision_name) + "&Recursive=True"] =
      json_response(200, nlohmann::json{{"Code", 200}, {"Success", true}, {"Data", {{"Files", files}}}}.dump());
}

}  // namespace xl::testing
