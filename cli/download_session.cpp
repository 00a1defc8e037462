// SPDX-License-Identifier: Apache-2.0
#include "cli/download_session.hpp"

#include <chrono>

#include "core/config/config_file.hpp"
#include "core/config/settings.hpp"

#include <csignal>
#include <iostream>

#include "cli/progress_display.hpp"
#include "core/cache/disk_space.hpp"
#include "core/download/downloader.hpp"
#include "core/download/target_from_spec.hpp"
#include "core/http/curl_engine.hpp"
#include "core/paths/writable_folder.hpp"
#include "core/paths/xlaunch_home.hpp"
#include "core/util/error.hpp"

namespace xl::cli {
namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_interrupt(int) { g_cancel.store(true); }

// SIGINT/SIGTERM set the cancel flag while a download runs, then the old handlers return.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_cancel.store(false);
    m_int = std::signal(SIGINT, on_interrupt);
    m_term = std::signal(SIGTERM, on_interrupt);
  }
  ~InterruptGuard() {
    std::signal(SIGINT, m_int);
    std::signal(SIGTERM, m_term);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*m_int)(int) = SIG_DFL;
  void (*m_term)(int) = SIG_DFL;
};

// XLAUNCH_MAX_CONNECTIONS, XLAUNCH_RETRIES, XLAUNCH_*_TIMEOUT (or config.json): read once.
const config::Settings& effective_settings() {
  static const config::Settings settings = config::load_settings(ProcessEnvironment{}, config::DiskConfigFileReader{});
  return settings;
}

// A Hugging Face token file other users can read is said once per run (never the token).
HubSettings hub_settings_with_warnings() {
  HubSettings settings = read_hub_settings(ProcessEnvironment());
  static bool warned = false;
  if (auto warning = token_file_warning(settings.hf); warning && !warned) {
    warned = true;
    std::cerr << "xlaunch: warning: " << *warning << "\n";
  }
  return settings;
}

struct Session {
  HubSettings settings = hub_settings_with_warnings();
  std::unique_ptr<http::Client> client;
  std::unique_ptr<http::Transport> transport;
  cache::SystemDiskSpace disk;

  Session(const LaunchOptions& options, bool planning_only) {
    http::TransferSettings transfer = http::transfer_settings_from_environment(http::process_environment);
    const config::Settings& configured = effective_settings();
    // --max-connections, resolved with the other settings by the command (0: not resolved).
    transfer.max_connections = options.max_connections > 0 ? options.max_connections : configured.connections;
    transfer.max_attempts = configured.retries + 1;
    transfer.connect_timeout = std::chrono::seconds(configured.connect_timeout);
    transfer.stall_timeout = std::chrono::seconds(configured.stall_timeout);
    if (planning_only) {
      transfer.max_attempts = 1;  // a dry run reports an unreachable hub at once
    }
    client = http::make_curl_client(transfer, &g_cancel);
    transport = http::make_curl_transport(transfer, &g_cancel);
  }
  download::Downloader downloader() {
    return download::Downloader(settings, *client, *transport, disk, cache::RecordStore(xlaunch_home() / "downloads"));
  }
};

// The first variable of `names` that is set, else "HOME": which one a user fixes.
std::string setting_variable(std::initializer_list<const char*> names) {
  const ProcessEnvironment env;
  for (const char* name : names) {
    if (env.non_empty(name)) {
      return name;
    }
  }
  return "HOME";
}

// The folders a download writes, checked before the hub is asked (--cache-dir was checked
// with the flags): a file in the way, or a folder the user cannot write, is a usage error
// naming the variable to fix, not a failure after the last byte arrived.
void check_download_folders(const download::DownloadTarget& target, const LaunchOptions& options,
                            const HubSettings& settings) {
  const auto refuse = [](const std::string& variable, const std::filesystem::path& folder, const std::string& problem,
                         const std::string& what) {
    throw Error(ExitCode::usage, variable + " (" + folder.string() + "): " + problem + "; point " +
                                     (variable == "HOME" ? std::string("XLAUNCH_HOME or HOME") : variable) +
                                     " at a folder you can write to for " + what);
  };
  const std::filesystem::path records = xlaunch_home() / "downloads";
  if (auto problem = folder_problem(records)) {
    refuse(setting_variable({"XLAUNCH_HOME"}), records.parent_path(), *problem, "xlaunch's download records");
  }
  if (options.cache_dir) {
    return;
  }
  const bool is_hf = target.hub == "huggingface";
  const std::filesystem::path& cache = is_hf ? settings.hf.cache : settings.ms.cache;
  if (auto problem = folder_problem(cache)) {
    refuse(is_hf ? setting_variable({"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"})
                 : setting_variable({"MODELSCOPE_CACHE"}),
           cache, *problem, is_hf ? "the Hugging Face cache" : "the ModelScope cache");
  }
}

}  // namespace

download::DownloadTarget download_target(const LaunchPlan& plan) { return download::target_from_spec(plan.match.spec); }

download::DownloadOptions download_options(const LaunchOptions& options) {
  download::DownloadOptions result;
  result.revision = options.revision;
  if (options.cache_dir) {
    result.cache_dir = std::filesystem::absolute(*options.cache_dir);
  }
  result.offline = options.offline;
  result.force = options.force;
  result.lock_timeout = std::chrono::seconds(effective_settings().lock_timeout);
  return result;
}

download::FilePlan plan_download(const LaunchPlan& plan, const LaunchOptions& options) {
  Session session(options, true);
  return session.downloader().plan(download_target(plan), download_options(options));
}

namespace {

// Forwards progress to the display and runs the caller's check when the plan arrives.
class CheckedObserver final : public download::DownloadObserver {
 public:
  CheckedObserver(download::DownloadObserver& inner, const BeforeTransfer& check) : m_inner(inner), m_check(check) {}
  void on_plan(const download::FilePlan& plan) override {
    m_inner.on_plan(plan);
    if (m_check) {
      m_check(plan);
    }
  }
  void on_file_started(const http::FileJob& job, std::uint64_t already_have) override { m_inner.on_file_started(job, already_have); }
  void on_bytes(const http::FileJob& job, std::uint64_t delta) override { m_inner.on_bytes(job, delta); }
  void on_file_finished(const http::FileJob& job, const http::FileResult& result) override { m_inner.on_file_finished(job, result); }

 private:
  download::DownloadObserver& m_inner;
  const BeforeTransfer& m_check;
};

}  // namespace

download::DownloadResult ensure_weights(const LaunchPlan& plan, const LaunchOptions& options,
                                        const BeforeTransfer& before_transfer) {
  InterruptGuard guard;
  Session session(options, false);
  ProgressDisplay display(progress_mode(options.json, options.quiet), std::cerr);
  CheckedObserver observer(display, before_transfer);
  try {
    const auto target = download_target(plan);
    check_download_folders(target, options, session.settings);
    auto result = session.downloader().ensure(target, download_options(options), observer);
    display.finish();
    return result;
  } catch (...) {
    display.finish();
    throw;
  }
}

std::optional<download::FilePlan> add_download_plan(LaunchPlan& plan, const LaunchOptions& options) {
  if (plan.model_path) {
    return std::nullopt;
  }
  // What the real run would refuse, a dry run refuses too; a hub it cannot reach is only a note.
  check_download_folders(download_target(plan), options, hub_settings_with_warnings());
  download::FilePlan files;
  try {
    files = plan_download(plan, options);
  } catch (const Error& error) {
    plan.notes.push_back(std::string("file sizes and cache state unknown: ") + error.what());
    return std::nullopt;
  }
  plan.files.clear();
  for (const auto& file : files.files) {
    plan.files.push_back(PlannedFile{file.path, file.size, file.sha256, file.cached});
  }
  plan.extra["download"] = file_plan_to_json(files);
  if (!files.enough_space()) {
    plan.notes.push_back("not enough disk space in " + files.cache_root.string() + ": need " +
                         cache::human_bytes(files.space_needed()) + ", available " +
                         cache::human_bytes(*files.free_bytes) + " (--force downloads anyway)");
  }
  return files;
}

nlohmann::ordered_json file_plan_to_json(const download::FilePlan& plan) {
  nlohmann::ordered_json json;
  json["commit"] = plan.commit;
  json["cache_root"] = plan.cache_root.string();
  json["snapshot_dir"] = plan.snapshot_dir.string();
  json["files"] = plan.files.size();
  json["total_bytes"] = plan.total_bytes;
  json["bytes_to_fetch"] = plan.bytes_to_fetch;
  json["free_bytes"] = plan.free_bytes ? nlohmann::ordered_json(*plan.free_bytes) : nullptr;
  json["enough_space"] = plan.enough_space();
  json["offline"] = plan.offline;
  json["from_record"] = plan.from_record;
  return json;
}

std::string file_plan_to_text(const download::FilePlan& plan) {
  std::size_t cached = 0;
  for (const auto& file : plan.files) {
    cached += file.cached ? 1 : 0;
  }
  std::string out = "download    " + std::to_string(plan.files.size()) + " files, " + cache::human_bytes(plan.total_bytes) +
                    "; cached " + std::to_string(cached) + ", to fetch " + cache::human_bytes(plan.bytes_to_fetch) + "\n";
  out += "free space  " + (plan.free_bytes ? cache::human_bytes(*plan.free_bytes) : std::string("unknown")) + " in " +
         plan.cache_root.string() + (plan.enough_space() ? "" : "  (NOT ENOUGH)") + "\n";
  out += "snapshot    " + plan.snapshot_dir.string() + (plan.commit.empty() ? "" : " (commit " + plan.commit + ")") + "\n";
  return out;
}

}  // namespace xl::cli
