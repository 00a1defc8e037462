// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one entry point the CLI calls for weights: plan what a spec needs, then make sure it is
// in the hub cache, verified, and return the snapshot folder.
//
// Requests made by plan()/ensure():
//   - offline (--offline, or HF_HUB_OFFLINE for Hugging Face): none. The completion record,
//     else the hub cache itself (HF refs + trees/{commit}.json or the GGUF files; MS snapshot
//     folder), must hold every file, else Error(download) saying what is missing.
//   - online with a complete record for the same model version/revision/cache: one revision
//     check (none when the revision is a full HF commit); a changed commit re-plans.
//   - otherwise: revision check, the paginated listing, then only the missing files.
// GGUF targets fetch only their listed files; other formats the whole repository.

#include <memory>

#include "core/cache/completion_record.hpp"
#include "core/cache/disk_space.hpp"
#include "core/download/cache_layout.hpp"
#include "core/download/download_types.hpp"
#include "core/http/http_types.hpp"
#include "core/hub_env/hub_settings.hpp"

namespace xl::download {

class Downloader {
 public:
  Downloader(HubSettings settings, http::Client& client, http::Transport& transport, const cache::DiskSpace& disk,
             cache::RecordStore records);

  // What would be fetched; no file is written. Throws Error on hub/cache failures.
  FilePlan plan(const DownloadTarget& target, const DownloadOptions& options);

  // Brings every file of the plan into the cache. Refuses with Error(resources) when the free
  // space is below the bytes to fetch (unless options.force); Error(download) for hub and
  // integrity failures; Error(interrupted) when the transfer was cancelled.
  DownloadResult ensure(const DownloadTarget& target, const DownloadOptions& options, DownloadObserver& observer);

 private:
  struct Resolved;
  Resolved resolve(const DownloadTarget& target, const DownloadOptions& options);

  HubSettings m_settings;
  http::Client& m_client;
  http::Transport& m_transport;
  const cache::DiskSpace& m_disk;
  cache::RecordStore m_records;
};

}  // namespace xl::download
