// SPDX-License-Identifier: Apache-2.0
#include "cli/engine_stage.hpp"

#include <iostream>

#include "core/exec/command_runner.hpp"
#include "core/exec/exec.hpp"
#include "core/paths/xlaunch_home.hpp"
#include "core/util/error.hpp"

namespace xl::cli {
namespace {

engines::Mode mode_of(const LaunchOptions& options) {
  return options.dry_run ? engines::Mode::dry_run : engines::Mode::launch;
}

// What the engine is given when nothing was downloaded yet (dry run without --model-path).
std::string weights_for_display(const LaunchPlan& plan) {
  if (plan.model_path) {
    return *plan.model_path;
  }
  return "<snapshot of " + plan.repo_id + "@" + plan.revision + ">";
}

// The spec's size when every planned file has a known size (hub listing) or the weights are local.
std::optional<std::uint64_t> known_weight_bytes(const LaunchPlan& plan) {
  if (plan.model_path) {
    return engines::local_weight_bytes(*plan.model_path, plan.match.spec);
  }
  if (plan.files.empty()) {
    return std::nullopt;
  }
  std::uint64_t sum = 0;
  for (const auto& file : plan.files) {
    if (!file.size) {
      return std::nullopt;
    }
    sum += *file.size;
  }
  return sum;
}

}  // namespace

engines::EngineLaunch engine_preflight(const LaunchPlan& plan, const LaunchOptions& options) {
  static exec::PosixCommandRunner runner;
  engines::MachineProbe probe;
  probe.platform = hardware::host_platform();
  probe.env = engines::process_env();
  probe.runner = &runner;
  probe.xlaunch_home = xlaunch_home().string();
  return engines::preflight_launch(engines::parse_engine(plan.match.engine), options, probe, mode_of(options));
}

void print_dry_run(LaunchPlan plan, engines::EngineLaunch launch, const LaunchOptions& options,
                   std::optional<std::uint64_t> weight_bytes, const std::string& file_text) {
  std::optional<engines::FitResult> fit;
  if (const auto bytes = weight_bytes ? weight_bytes : known_weight_bytes(plan)) {
    fit = engines::fit_launch(launch, plan.match.spec, options, *bytes, {}, engines::Mode::dry_run);
  }
  std::vector<engines::NodePlan> nodes;
  try {
    nodes = engines::build_node_plans(
        engines::launch_command(launch, plan.match.spec, options, weights_for_display(plan), fit));
  } catch (const Error& e) {
    if (e.code() != ExitCode::preflight) {
      throw;
    }
    launch.problems.push_back(e.what());
  }
  if (options.json) {
    plan.extra["launch"] = engines::launch_to_json(launch, fit, nodes, options);
    std::cout << plan_to_json(plan).dump(2) << "\n";
  } else {
    std::cout << plan_to_text(plan) << file_text << engines::launch_to_text(launch, fit, nodes, options);
  }
}

void exec_engine(const LaunchPlan& plan, const engines::EngineLaunch& launch, const LaunchOptions& options,
                 const std::string& weights, std::optional<std::uint64_t> weight_bytes) {
  std::optional<engines::FitResult> fit;
  if (weight_bytes) {
    fit = engines::fit_launch(launch, plan.match.spec, options, *weight_bytes, {}, engines::Mode::launch);
  }
  const auto input = engines::launch_command(launch, plan.match.spec, options, weights, fit);
  const auto command = engines::build_exec_plan(input);
  if (!options.quiet) {
    // The same remarks a dry run shows (offload chosen, a parser left out and why): the engine's
    // own output follows, so these are the user's only chance to see them.
    for (const auto& note : command.notes) {
      std::cerr << "xlaunch: note: " << note << "\n";
    }
    std::cerr << "xlaunch: exec " << engines::render_command(command, options.api_key ? std::vector<std::string>{*options.api_key} : std::vector<std::string>{}) << "\n";
    std::cerr.flush();
  }
  exec::exec_plan(command);
}

}  // namespace xl::cli
