// SPDX-License-Identifier: Apache-2.0
// `xlaunch [launch]`: match a spec, fetch its weights, exec its engine.
#include <iostream>

#include "cli/download_session.hpp"
#include "cli/engine_stage.hpp"
#include "cli/flags.hpp"
#include "cli/launch_settings.hpp"
#include "cli/session.hpp"
#include "core/cli_args/argv_normalizer.hpp"
#include "core/engines/local_weights.hpp"
#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"

namespace xl::cli {

int run_launch(const CommandArgs& args) {
  LaunchOptions options;
  CommonOptions common;
  CLI::App app("Launch a model: pick the spec, download its weights, exec its engine.\n"
               "Unknown --key value pairs and everything after -- are passed to the engine.",
               "xlaunch launch");
  app.allow_extras();
  add_spec_flags(app, options, true);
  add_launch_flags(app, options);
  add_transfer_flags(app);
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  apply_settings(app, options);
  check_launch_options(options);
  options.extra_args = group_extra_args(app.remaining(), args.raw_args);
  options.json = common.json;
  options.quiet = common.quiet;

  const catalog::Catalog catalog = load_catalog(common);
  LaunchPlan plan = plan_launch(catalog, options);
  // Engine installed, platform, GPUs: checked before any hub request, so a launch that cannot
  // run sends none.
  const engines::EngineLaunch launch = engine_preflight(plan, options);
  if (!engines::node_reads_weights(launch)) {
    plan.notes.push_back("this node runs llama.cpp's rpc-server, which loads no weights: nothing is downloaded here");
    if (options.dry_run) {
      print_dry_run(plan, launch, options, std::nullopt, {});
      return 0;
    }
    exec_engine(plan, launch, options, plan.model_path.value_or(""), std::nullopt);
  }
  if (plan.model_path) {
    if (auto problem = engines::local_weights_problem(*plan.model_path, plan.match.spec)) {
      throw Error(ExitCode::usage, "--model-path " + printable(*plan.model_path, 200) + " " + *problem);
    }
  }
  if (options.dry_run) {
    const auto files = plan.model_path ? std::nullopt : add_download_plan(plan, options);
    print_dry_run(plan, launch, options, files ? std::optional<std::uint64_t>(files->total_bytes) : std::nullopt,
                  files ? file_plan_to_text(*files) : std::string{});
    return 0;
  }
  if (plan.model_path) {
    exec_engine(plan, launch, options, *plan.model_path, engines::local_weight_bytes(*plan.model_path, plan.match.spec));
  }
  // The fit check needs the weights' real size: it runs once the hub listing is known and
  // before any byte is transferred.
  std::uint64_t weight_bytes = 0;
  const download::DownloadResult weights = ensure_weights(plan, options, [&](const download::FilePlan& files) {
    weight_bytes = files.total_bytes;
    engines::fit_launch(launch, plan.match.spec, options, weight_bytes, {}, engines::Mode::launch);
  });
  exec_engine(plan, launch, options, weights.snapshot_dir.string(), weight_bytes);
}

}  // namespace xl::cli
