// SPDX-License-Identifier: Apache-2.0
// `xlaunch [launch]`: match a spec, fetch its weights, exec its engine.
#include <iostream>

#include "cli/flags.hpp"
#include "cli/session.hpp"
#include "core/cli_args/argv_normalizer.hpp"
#include "core/util/error.hpp"

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
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  options.extra_args = group_extra_args(app.remaining(), args.raw_args);
  options.json = common.json;
  options.quiet = common.quiet;

  const catalog::Catalog catalog = load_catalog(common);
  const LaunchPlan plan = plan_launch(catalog, options);
  if (options.dry_run) {
    if (options.json) {
      std::cout << plan_to_json(plan).dump(2) << "\n";
    } else {
      std::cout << plan_to_text(plan);
    }
    return 0;
  }
  throw Error(ExitCode::failure, "launching is not wired in yet; use --dry-run");
}

}  // namespace xl::cli
