// SPDX-License-Identifier: Apache-2.0
#pragma once

// The launch plan: everything xlaunch decided before it acts, as a value. `--dry-run` prints
// it (text or JSON); the real launch carries it out. Sections are filled in stages: matching
// (always), the file listing and cache state (when the hub was asked), the engine (preflight).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/launch_options.hpp"
#include "core/matching/spec_matcher.hpp"

namespace xl {

struct HubDecision {
  std::string hub;     // "huggingface" | "modelscope"
  std::string reason;  // why: "--download-hub", "XINFERENCE_MODEL_SRC", "HF_ENDPOINT answered", ...
  bool explicit_choice = false;
};

struct PlannedFile {
  std::string path;                    // repo-relative
  std::optional<std::uint64_t> size;   // known once the hub listing was read
  std::optional<std::string> sha256;
  bool cached = false;
};

struct LaunchPlan {
  Match match;
  HubDecision hub;
  std::string repo_id;
  std::string revision;          // as requested: a commit, branch or tag
  std::string revision_source;   // "catalog", "--revision", "hub default"
  bool whole_repository = true;  // false for GGUF: only `files` are fetched
  std::vector<PlannedFile> files;
  std::string model_version;     // Xinference's name for this spec's cache entry
  std::optional<std::string> model_path;  // --model-path: no download
  std::vector<std::string> notes;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // sections added by later stages
};

// The plan's first stage, from a match: repository, revision, files. No I/O.
LaunchPlan make_plan(Match match, HubDecision hub, const LaunchOptions& options);

// The default revision a hub uses when the catalog pins none.
std::string default_revision(const std::string& hub);

nlohmann::ordered_json plan_to_json(const LaunchPlan& plan);
std::string plan_to_text(const LaunchPlan& plan);

}  // namespace xl
