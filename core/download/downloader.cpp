// SPDX-License-Identifier: Apache-2.0
#include "core/download/downloader.hpp"

#include <atomic>
#include <exception>
#include <future>
#include <set>
#include <unordered_set>

#include "core/cache/shared_locks.hpp"
#include "core/cache/hf_cache.hpp"
#include "core/download/remote_listing.hpp"
#include "core/http/folder_sync.hpp"
#include "core/http/partial_file.hpp"
#include "core/util/error.hpp"
#include "core/util/strings.hpp"

namespace xl::download {
namespace {

namespace fs = std::filesystem;

std::vector<hubs::RemoteFile> files_from_record(const cache::CompletionRecord& record) {
  std::vector<hubs::RemoteFile> files;
  for (const auto& entry : record.files) {
    hubs::RemoteFile file;
    file.path = entry.path;
    file.size = entry.size;
    file.sha256 = entry.sha256;
    if (entry.blob && entry.blob->size() == 64) {
      file.lfs = true;
      file.sha256 = entry.blob;
    } else if (entry.blob) {
      file.git_oid = entry.blob;
    }
    files.push_back(std::move(file));
  }
  return files;
}

[[noreturn]] void throw_transfer_failure(const hubs::Hub& hub, const std::string& model_id,
                                         const hubs::RevisionInfo& rev, const hubs::RemoteFile& file,
                                         const http::FileResult& result, std::size_t failures) {
  const std::string where = model_id + "/" + file.path;
  const std::string more = failures > 1 ? " (" + std::to_string(failures - 1) + " more files failed)" : "";
  // The engine's cause starts with the file name, already in `where`: "GET <url> -> 404 (...)".
  std::string_view cause = result.error;
  if (cause.starts_with(file.path + ": ")) {
    cause.remove_prefix(file.path.size() + 2);
  }
  const std::string detail = cause.empty() ? "" : ": " + std::string(cause);
  const std::string request = cause.empty() ? "" : " (" + std::string(cause) + ")";
  switch (result.status) {
    case http::FileStatus::not_found:
      // The listing (or the completion record) has the file: it went away after that.
      throw Error(ExitCode::download, hub.display_name() + " no longer has " + where + ", which its file listing names" +
                                          request + "; the repository changed during the download, run the same "
                                          "command again" + more);
    case http::FileStatus::unauthorized:
      throw Error(ExitCode::download,
                  hub.file_error_message(result.http_status != 0 ? result.http_status : 401, model_id, rev, file.path) +
                      request + more);
    case http::FileStatus::http_error:
      if (result.http_status >= 400 && result.http_status < 500 && result.http_status != 429 &&
          result.http_status != 408) {
        throw Error(ExitCode::download,
                    hub.file_error_message(result.http_status, model_id, rev, file.path) + request + more);
      }
      break;  // the server's trouble (or a redirect loop): partial data is kept, a later run resumes
    case http::FileStatus::integrity_error:
      throw Error(ExitCode::download, "integrity check failed for " + where + detail +
                                          "; the damaged data was discarded, run again to retry" + more);
    case http::FileStatus::no_space:
      throw Error(ExitCode::resources, "no space left while downloading " + where + detail +
                                           "; the bytes received are kept: free space (or choose another folder "
                                           "with --cache-dir) and run again to resume" + more);
    case http::FileStatus::cancelled:
      throw Error(ExitCode::interrupted, "download of " + where + " interrupted; run again to resume" + more);
    case http::FileStatus::io_error:
      throw Error(ExitCode::download, "cannot write " + where + " into the cache" + detail +
                                          "; check permissions of the cache folder" + more);
    case http::FileStatus::lock_failed:
      // The lock's own message names the lock, its holder and what to do.
      throw Error(ExitCode::download, std::string(cause) + more);
    case http::FileStatus::network_error:
    case http::FileStatus::ok:
      break;
  }
  throw Error(ExitCode::download, "download of " + where + " from " + hub.display_name() + " failed" + detail +
                                      "; run the same command again to resume" + more);
}

}  // namespace

struct Downloader::Resolved {
  std::unique_ptr<hubs::Hub> hub;
  std::unique_ptr<CacheLayout> layout;
  hubs::RevisionInfo rev;
  std::vector<hubs::RemoteFile> listing;   // the whole repository; empty when not listed
  std::vector<hubs::RemoteFile> selected;  // what the target needs, in target order
  FilePlan plan;
  bool cache_was_empty = false;  // when planned: nothing of the repo was in the cache
};

Downloader::Downloader(HubSettings settings, http::Client& client, http::Transport& transport,
                       const cache::DiskSpace& disk, cache::RecordStore records)
    : m_settings(std::move(settings)),
      m_client(client),
      m_transport(transport),
      m_disk(disk),
      m_records(std::move(records)) {}

Downloader::Resolved Downloader::resolve(const DownloadTarget& target, const DownloadOptions& options) {
  Resolved r;
  r.hub = hubs::make_hub(target.hub, m_settings);
  const bool is_hf = target.hub == "huggingface";
  const fs::path root = options.cache_dir ? *options.cache_dir : (is_hf ? m_settings.hf.cache : m_settings.ms.cache);
  r.layout = is_hf ? make_hf_layout(root) : make_ms_layout(root);
  const std::string revision = options.revision.value_or(target.revision.value_or(r.hub->default_revision()));
  const bool offline = options.offline || (is_hf && m_settings.hf.offline);

  auto record = m_records.load(target.hub, target.model_version, root);  // this cache root's only
  const bool same_target = record && record->model_id == target.model_id && record->revision == revision;
  const bool record_usable = same_target && record->complete && record->files_present();
  bool from_record = false;

  if (offline) {
    if (record_usable) {
      r.rev = {record->revision, record->commit};
      r.selected = files_from_record(*record);
      from_record = true;
    } else if (auto found = same_target ? std::nullopt : r.layout->offline_lookup(target.model_id, revision, target.files)) {
      r.rev = found->first;
      r.selected = std::move(found->second);
    } else {
      // A complete copy from the other hub is the likelier fix than a download.
      for (const auto& other : m_records.list()) {
        if (other.model_version == target.model_version && other.hub != target.hub && other.complete &&
            other.files_present()) {
          throw Error(ExitCode::download, target.model_version + " is not in the " + r.hub->display_name() +
                                              " cache at " + root.string() + ", but complete in the " +
                                              hubs::make_hub(other.hub, m_settings)->display_name() + " cache at " +
                                              other.snapshot_dir.string() + "; add --download-hub " + other.hub);
        }
      }
      throw Error(ExitCode::download, target.model_version + " (" + target.model_id + "@" + revision + ") is " +
                                          (same_target ? "only partly" : "not") + " in the " + r.hub->display_name() +
                                          " cache at " + root.string() + "; run once without --offline" +
                                          (is_hf ? " (or HF_HUB_OFFLINE)" : "") + " to download it");
    }
  } else {
    r.rev = resolve_revision(*r.hub, m_client, target.model_id, revision);
    if (record_usable && record->commit == r.rev.commit) {
      r.selected = files_from_record(*record);
      from_record = true;
    } else {
      r.listing = list_files(*r.hub, m_client, target.model_id, r.rev);
      r.selected = select_files(r.listing, target.files, *r.hub, target.model_id, r.rev);
    }
  }

  FilePlan& plan = r.plan;
  plan.hub = target.hub;
  plan.model_id = target.model_id;
  plan.model_version = target.model_version;
  plan.revision = r.rev.revision;
  plan.commit = r.rev.commit;
  plan.cache_root = root;
  plan.snapshot_dir = r.layout->snapshot_dir(target.model_id, r.rev);
  plan.offline = offline;
  plan.from_record = from_record;
  // A first download (nothing of the repo in the cache) skips three stats per file.
  r.cache_was_empty = !from_record && r.layout->holds_nothing_of(target.model_id);
  for (const auto& file : r.selected) {
    PlannedFile planned;
    planned.path = file.path;
    planned.size = file.size;
    planned.sha256 = file.sha256;
    // One path object, made from one string: `snapshot_dir / fs::path(file.path)` made two,
    // each split into components, for each of hundreds of files.
    planned.local_path = fs::path(plan.snapshot_dir.native() + "/" + file.path);
    planned.cached = from_record || (!r.cache_was_empty && (r.layout->is_cached(target.model_id, r.rev, file) ||
                                                            r.layout->reusable(target.model_id, r.rev, file)));
    planned.bytes_to_fetch = planned.cached ? 0 : file.size;
    if (!planned.cached && !r.cache_was_empty) {
      // A resumed partial already owns its blocks: without this, a disk with room for the
      // model once refuses to finish it after an interruption.
      plan.bytes_held += std::min<std::uint64_t>(
          file.size, http::partial_disk_usage(r.layout->fetch_destination(target.model_id, r.rev, file)));
    }
    plan.total_bytes += file.size;
    plan.bytes_to_fetch += planned.bytes_to_fetch;
    plan.files.push_back(std::move(planned));
  }
  plan.free_bytes = m_disk.available(root);
  return r;
}

FilePlan Downloader::plan(const DownloadTarget& target, const DownloadOptions& options) {
  return resolve(target, options).plan;
}

DownloadResult Downloader::ensure(const DownloadTarget& target, const DownloadOptions& options,
                                  DownloadObserver& observer) {
  Resolved r = resolve(target, options);
  observer.on_plan(r.plan);
  const std::string& model_id = target.model_id;

  cache::CompletionRecord record;
  record.model_version = target.model_version;
  record.hub = target.hub;
  record.model_id = model_id;
  record.revision = r.rev.revision;
  record.commit = r.rev.commit;
  record.cache_root = r.plan.cache_root;
  record.snapshot_dir = r.plan.snapshot_dir;
  DownloadResult result;
  result.snapshot_dir = r.plan.snapshot_dir;
  result.commit = r.rev.commit;
  // The record's and the result's file lists: for 500 files, 2 ms of strings and path objects
  // in memory touched for the first time. A download makes them on the thread that saves the
  // partial record, while this one prepares the transfer; neither list is read before that
  // thread is done (partial_record_saved.get()).
  const auto fill_file_lists = [&record, &result, &r, is_hf = target.hub == "huggingface"] {
    record.files.reserve(r.selected.size());
    for (const auto& file : r.selected) {
      record.files.push_back({file.path, file.size, file.sha256, is_hf ? cache::hf_blob_name(file) : std::nullopt});
    }
    result.files.reserve(r.plan.files.size());
    for (const auto& file : r.plan.files) {
      result.files.push_back(file.local_path);
    }
  };

  // Pointers into r.selected, which does not change from here on. Two copies of each listed
  // file were memory touched for the first time, which costs more than the copying itself.
  std::vector<const hubs::RemoteFile*> missing;
  std::future<void> finished;  // the snapshot folders synced and the ref written
  std::optional<cache::RenderedRecord> rendered_complete;  // once every file is in place
  for (std::size_t i = 0; i < r.selected.size(); ++i) {
    if (r.cache_was_empty || !r.layout->is_cached(model_id, r.rev, r.selected[i])) {
      missing.push_back(&r.selected[i]);
    }
  }
  if (!missing.empty()) {
    cache::check_free_space(r.plan.space_needed(), r.plan.free_bytes, r.plan.cache_root, options.force);
    // Files with the same blob (identical content under two paths) are fetched once: one job
    // per destination, the others are linked to it afterwards.
    std::vector<const hubs::RemoteFile*> to_fetch;
    std::vector<fs::path> destinations;  // of to_fetch
    std::vector<const hubs::RemoteFile*> sharing;
    std::unordered_set<std::string> seen;  // not a set of fs::path: comparing paths splits them
    for (const hubs::RemoteFile* file : missing) {
      auto destination = r.layout->fetch_destination(model_id, r.rev, *file);
      if (seen.insert(destination.native()).second) {
        to_fetch.push_back(file);
        destinations.push_back(std::move(destination));
      } else {
        sharing.push_back(file);
      }
    }
    // Each file is claimed just before it is opened, on the engine's opener thread, while the
    // files before it transfer: its lock is taken, then the cache is checked again, since
    // another process may have finished the file meanwhile. So a lock held elsewhere stops only
    // the files from it on, not the whole download before its first byte; Ctrl-C ends the wait;
    // and each lock is let go as soon as its file settles, so waiting for one lock never waits
    // on anything we hold: no two downloads can deadlock, whatever order they take files in.
    // (Speed was not the reason: on 500 small files, no wall change against taking every lock
    // up front.)
    // Each fetched file is put in the snapshot by the engine's finisher thread as soon as it is
    // in place, not in one pass after the last byte: for 500 small files that pass was a fifth
    // of the run. A file the engine did not install (or whose install failed) is handled
    // below, on this thread.
    cache::SharedLocks locks;
    // Once the repo's folder is seen, it is not looked for again: its absence only spares
    // the two stats below, and if it vanished they would find nothing either.
    std::atomic<bool> repo_folder_seen{false};
    std::vector<char> installed(to_fetch.size(), 0);  // char, not bool: written from several threads
    std::vector<std::exception_ptr> install_errors(to_fetch.size());
    const CacheLayout& layout = *r.layout;
    std::vector<http::FileJob> jobs;
    for (std::size_t i = 0; i < to_fetch.size(); ++i) {
      const hubs::RemoteFile& file = *to_fetch[i];
      http::FileJob job;
      job.display_name = file.path;
      job.request = r.hub->file_request(model_id, r.rev, file.path);
      job.destination = std::move(destinations[i]);
      job.expected_size = file.size;
      job.expected_sha256 = file.sha256;
      job.claim = [&layout, &locks, &model_id, &rev = r.rev, &file, &installed, &repo_folder_seen,
                   timeout = options.lock_timeout, i](const std::atomic<bool>* cancel) {
        http::Claim claim;
        const auto lock = locks.hold(layout.lock_path(model_id, file), timeout, cancel);
        claim.held = lock;
        // A lock file this download had to create was never taken before, and every download
        // takes the lock before it writes (huggingface_hub too): no earlier attempt left a
        // partial of the file or its record to look for. The file itself is still looked for
        // below, as another download may have taken the new lock between its creation and our
        // flock, and finished.
        claim.first_attempt = lock->created_file();
        // While the repo is absent from the cache no one has the file (one stat for a first
        // download); after that, one while the blob is missing (CacheLayout::find_in_place).
        if (!repo_folder_seen.load(std::memory_order_relaxed)) {
          if (layout.holds_nothing_of(model_id)) {
            claim.first_attempt = true;
            return claim;
          }
          repo_folder_seen.store(true, std::memory_order_relaxed);
        }
        const auto in_place = layout.find_in_place(model_id, rev, file);
        if (in_place.in_snapshot) {
          claim.transfer_needed = false;
        } else if (in_place.source) {
          layout.install(model_id, rev, file, in_place.source);
          claim.transfer_needed = false;
        }
        if (!claim.transfer_needed) {
          installed[i] = 1;
        }
        return claim;
      };
      job.after_commit = [&layout, &model_id, &rev = r.rev, &file, &installed, &install_errors, i] {
        try {
          layout.install(model_id, rev, file, std::nullopt);
          installed[i] = 1;
        } catch (...) {
          install_errors[i] = std::current_exception();
        }
      };
      jobs.push_back(std::move(job));
    }
    // "partial": shows in `xlaunch cached` until it completes. With the revision's description,
    // a few milliseconds of filesystem work for hundreds of files, done while they download.
    // Started only now, once the jobs are built: started before, that thread making its lists
    // and its heap slowed this one's destinations by 1 to 4 ms, and the first request waits for
    // them (timestamps, 8 alternated runs of 500 files: listing to first request 10.5 -> 9.4 ms).
    // The complete record is rendered there too: after the last file, only writing it is left.
    auto partial_record_saved = std::async(std::launch::async, [&] {
      fill_file_lists();
      m_records.save(record);
      record.complete = true;
      rendered_complete.emplace(record);
      r.layout->describe(model_id, r.rev, r.listing);
    });
    const auto results = jobs.empty() ? std::vector<http::FileResult>{} : m_transport.fetch(jobs, observer);
    partial_record_saved.get();
    std::size_t failures = 0;
    std::optional<std::size_t> first_failure;
    for (std::size_t i = 0; i < to_fetch.size(); ++i) {
      if (!(i < results.size() && results[i].status == http::FileStatus::ok)) {
        ++failures;
        first_failure = first_failure.value_or(i);
      }
    }
    for (std::size_t i = 0; i < to_fetch.size(); ++i) {
      if (!(i < results.size() && results[i].status == http::FileStatus::ok)) {
        continue;
      }
      result.bytes_transferred += results[i].bytes_transferred;
      result.bytes_reused += results[i].bytes_reused;
      result.files_fetched += results[i].found_in_place ? 0 : 1;
      try {
        if (install_errors[i]) {
          std::rethrow_exception(install_errors[i]);
        }
        if (!installed[i]) {
          r.layout->install(model_id, r.rev, *to_fetch[i], std::nullopt);
        }
      } catch (const Error&) {
        // A failed transfer is the cause to report (e.g. the disk that filled up), not the
        // install that then failed for the same reason; the blob stays for the next run.
        if (!first_failure) {
          throw;
        }
      }
    }
    if (first_failure) {
      const std::size_t i = *first_failure;
      http::FileResult missing_result;
      missing_result.status = http::FileStatus::network_error;
      missing_result.error = "the transfer engine returned no result";
      throw_transfer_failure(*r.hub, model_id, r.rev, *to_fetch[i], i < results.size() ? results[i] : missing_result,
                             failures);
    }
    for (const hubs::RemoteFile* file : sharing) {
      r.layout->install(model_id, r.rev, *file, std::nullopt);  // every job succeeded: its blob is in place
    }
    // The snapshot entries made for them become durable with one fsync per folder, told apart
    // by the hub paths (a path object per file cost 2 ms for 500 files). The folders and the ref
    // are written on another thread while the record is: the ref and the record only say the
    // files are there, and whoever reads them checks that every file is (offline_lookup,
    // CompletionRecord::files_present).
    std::set<std::string> subfolders;
    for (const hubs::RemoteFile* file : missing) {
      subfolders.emplace(folder_part(file->path));
    }
    finished = std::async(std::launch::async, [&r, &model_id, subfolders] {
      for (const auto& subfolder : subfolders) {
        http::fsync_folder(subfolder.empty() ? r.plan.snapshot_dir : r.plan.snapshot_dir / fs::path(subfolder));
      }
      r.layout->finish(model_id, r.rev);
    });
  } else {
    fill_file_lists();
    r.layout->describe(model_id, r.rev, r.listing);
    r.layout->finish(model_id, r.rev);
  }
  record.complete = true;
  if (rendered_complete) {
    m_records.save(*rendered_complete);
  } else if (!r.plan.from_record) {
    m_records.save(record);
  }
  if (finished.valid()) {
    finished.get();
  }
  return result;
}

}  // namespace xl::download
