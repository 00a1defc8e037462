// SPDX-License-Identifier: Apache-2.0
#include "core/plan/launch_plan.hpp"

#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "core/util/strings.hpp"

namespace xl {

std::string default_revision(const std::string& hub) {
  return hub == "modelscope" ? "master" : "main";
}

LaunchPlan make_plan(Match match, HubDecision hub, const LaunchOptions& options) {
  LaunchPlan plan;
  const catalog::FlatSpec& spec = match.spec;
  plan.hub = std::move(hub);
  plan.hub.hub = spec.hub;  // matching may have fallen back to another hub (with a note)
  plan.repo_id = spec.model_id;
  if (options.revision) {
    plan.revision = *options.revision;
    plan.revision_source = "--revision";
  } else if (spec.model_revision) {
    plan.revision = *spec.model_revision;
    plan.revision_source = "catalog";
  } else {
    plan.revision = default_revision(spec.hub);
    plan.revision_source = "hub default";
  }
  // The revision names a folder (ModelScope snapshots/<revision>, Hugging Face refs/<revision>):
  // one that climbs out with ".." or is absolute would put files outside the cache.
  if (auto problem = repo_path_problem(plan.revision)) {
    throw Error(ExitCode::usage, "revision " + printable(plan.revision) + " (from " + plan.revision_source + ") " +
                                     *problem + "; give a branch, tag or commit id such as main or refs/pr/1");
  }
  if (spec.is_gguf()) {
    plan.whole_repository = false;
    for (auto& file : spec.gguf_files()) {
      plan.files.push_back(PlannedFile{std::move(file), std::nullopt, std::nullopt, false});
    }
  }
  plan.model_version = spec.model_version();
  plan.model_path = options.model_path;
  plan.notes = match.notes;
  plan.match = std::move(match);
  return plan;
}

nlohmann::ordered_json plan_to_json(const LaunchPlan& plan) {
  const catalog::FlatSpec& spec = plan.match.spec;
  const catalog::LlmFamily& family = *plan.match.family;
  nlohmann::ordered_json json;
  json["model_name"] = family.model_name;
  json["model_version"] = plan.model_version;
  json["catalog"] = family.origin;
  nlohmann::ordered_json spec_json;
  spec_json["model_format"] = spec.model_format;
  spec_json["model_size_in_billions"] = spec.size.display();
  spec_json["activated_size_in_billions"] = spec.activated_size ? nlohmann::ordered_json(spec.activated_size->display()) : nullptr;
  spec_json["quantization"] = spec.quantization;
  spec_json["context_length"] = family.context_length;
  json["spec"] = spec_json;
  json["hub"] = {{"name", plan.hub.hub}, {"reason", plan.hub.reason}};
  json["repo_id"] = plan.repo_id;
  json["revision"] = {{"name", plan.revision}, {"source", plan.revision_source}};
  json["whole_repository"] = plan.whole_repository;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& file : plan.files) {
    nlohmann::ordered_json entry;
    entry["path"] = file.path;
    entry["size"] = file.size ? nlohmann::ordered_json(*file.size) : nullptr;
    entry["sha256"] = file.sha256 ? nlohmann::ordered_json(*file.sha256) : nullptr;
    entry["cached"] = file.cached;
    files.push_back(std::move(entry));
  }
  json["files"] = std::move(files);
  json["model_path"] = plan.model_path ? nlohmann::ordered_json(*plan.model_path) : nullptr;
  json["engine"] = {{"name", plan.match.engine}, {"reason", plan.match.engine_reason}};
  for (const auto& [key, value] : plan.extra.items()) {
    json[key] = value;
  }
  json["notes"] = plan.notes;
  return json;
}

std::string plan_to_text(const LaunchPlan& plan) {
  const catalog::FlatSpec& spec = plan.match.spec;
  const catalog::LlmFamily& family = *plan.match.family;
  std::string out;
  auto line = [&](const std::string& label, const std::string& value) {
    out += label + std::string(label.size() < 12 ? 12 - label.size() : 1, ' ') + value + "\n";
  };
  line("model", family.model_name + (family.origin == "built-in" ? "" : " (from " + family.origin + ")"));
  std::string spec_text = spec.model_format + ", " + spec.size.display() + "B";
  if (spec.activated_size) {
    spec_text += " (" + spec.activated_size->display() + "B activated)";
  }
  spec_text += ", quantization " + spec.quantization + ", context " + std::to_string(family.context_length);
  line("spec", spec_text);
  line("version", plan.model_version);
  line("hub", plan.hub.hub + " (" + plan.hub.reason + ")");
  line("repository", plan.repo_id + " @ " + plan.revision + " (" + plan.revision_source + ")");
  if (plan.model_path) {
    line("weights", *plan.model_path + " (--model-path: nothing is downloaded)");
  } else if (plan.whole_repository) {
    line("files", "whole repository");
  } else {
    line("files", std::to_string(plan.files.size()) + (plan.files.size() == 1 ? " GGUF file" : " GGUF parts"));
    for (const auto& file : plan.files) {
      out += std::string(12, ' ') + file.path + "\n";
    }
  }
  line("engine", plan.match.engine + " (" + plan.match.engine_reason + ")");
  for (const auto& note : plan.notes) {
    out += "note: " + note + "\n";
  }
  return out;
}

}  // namespace xl
