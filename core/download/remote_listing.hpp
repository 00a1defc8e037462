// SPDX-License-Identifier: Apache-2.0
#pragma once

// The request loops a hub needs before any file moves: revision -> commit, and the complete
// (paginated) file listing, driven through http::Client.

#include <string>
#include <vector>

#include "core/http/http_types.hpp"
#include "hubs/hub.hpp"

namespace xl::download {

// No request when the hub considers the revision pinned (HF: a 40-hex commit).
hubs::RevisionInfo resolve_revision(const hubs::Hub& hub, http::Client& client, const std::string& model_id,
                                    const std::string& revision);

// Every file of the repository at `revision`, following every page. Throws Error(download)
// on a failed page or a pagination loop.
std::vector<hubs::RemoteFile> list_files(const hubs::Hub& hub, http::Client& client, const std::string& model_id,
                                         const hubs::RevisionInfo& revision);

// `wanted` in its own order (empty: all of `listing`). Throws Error(download) naming the first
// wanted file the listing lacks.
std::vector<hubs::RemoteFile> select_files(const std::vector<hubs::RemoteFile>& listing,
                                           const std::vector<std::string>& wanted, const hubs::Hub& hub,
                                           const std::string& model_id, const hubs::RevisionInfo& revision);

}  // namespace xl::download
