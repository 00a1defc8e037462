// SPDX-License-Identifier: Apache-2.0
// `xlaunch completion SHELL` prints a completion script; the hidden `xlaunch __complete WORDS...`
// answers the scripts with candidates computed from this binary's flags and catalog.
#include <iostream>
#include <map>

#include "catalog/flatten.hpp"
#include "cli/flags.hpp"
#include "cli/session.hpp"
#include "core/cache/completion_record.hpp"
#include "core/cli_args/argv_normalizer.hpp"
#include "core/completion/completion.hpp"
#include "core/completion/scripts.hpp"
#include "core/hub_env/environment.hpp"

namespace xl::cli {
namespace {

// The flags of each command, declared by the same functions the commands use, so completion
// offers exactly what the parser accepts. A new command adds its line here.
struct FlagTargets {  // where the parsed values would go; completion only reads the declarations
  LaunchOptions launch;
  CommonOptions common;
  std::optional<std::string> model_name;
  RemoveCacheOptions remove_cache;
};

void declare_flags(const std::string& command, CLI::App& app, FlagTargets& targets) {
  LaunchOptions& options = targets.launch;
  CommonOptions& common = targets.common;
  if (command == "launch") {
    add_spec_flags(app, options, false);
    add_launch_flags(app, options);
    add_transfer_flags(app);
  } else if (command == "download") {
    add_spec_flags(app, options, false);
    add_download_flags(app, options);
  } else if (command == "engines") {
    add_spec_flags(app, options, false);
  } else if (command == "cached") {
    add_cached_flags(app, targets.model_name);
  } else if (command == "remove-cache") {
    add_remove_cache_flags(app, targets.remove_cache);
  }
  if (command != "completion" && command != "config") {
    add_common_flags(app, common);
  } else {
    app.add_flag("--json", common.json, "print the result as JSON on stdout");
  }
}

completion::OptionInfo option_info(const CLI::Option& option) {
  completion::OptionInfo info;
  for (const auto& name : option.get_snames()) {
    info.names.push_back("-" + name);
  }
  std::string long_name;
  for (const auto& name : option.get_lnames()) {
    info.names.push_back("--" + name);
    long_name = long_name.empty() ? "--" + name : long_name;
  }
  // xinference's spellings (-en, -mp, --download_hub) complete like the flag they stand for.
  for (const auto& [alias, target] : flag_aliases()) {
    if (target == long_name) {
      info.names.insert(alias.starts_with("--") ? info.names.end() : info.names.begin(), alias);
    }
  }
  info.values = option.get_type_size_min() > 0 ? option.get_type_size_max() : 0;
  info.kind = completion::value_kind_for(long_name);
  info.description = option.get_description();
  info.repeatable = option.get_items_expected_max() > option.get_type_size_max();
  return info;
}

completion::Grammar build_grammar() {
  completion::Grammar grammar;
  grammar.default_command = "launch";
  for (const auto& entry : commands()) {
    if (entry.hidden) {
      continue;
    }
    completion::CommandInfo command{entry.name, entry.summary, {}, completion::ValueKind::none, {}};
    FlagTargets targets;
    CLI::App app;
    declare_flags(command.name, app, targets);
    for (const auto* option : app.get_options()) {
      if (!option->get_positional()) {
        command.options.push_back(option_info(*option));
      }
    }
    if (command.name == "remove-cache") {
      command.positional = completion::ValueKind::model_version;
    } else if (command.name == "completion") {
      command.positional = completion::ValueKind::choice;
      for (const auto shell : completion::script_shells()) {
        command.positional_choices.emplace_back(shell);
      }
    }
    grammar.commands.push_back(std::move(command));
  }
  return grammar;
}

// `--catalog FILE` words already typed, so their families complete too.
CommonOptions typed_catalogs(const std::vector<std::string>& words) {
  CommonOptions common;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "--catalog" && i + 2 < words.size()) {
      common.catalogs.push_back(words[i + 1]);
    } else if (words[i].starts_with("--catalog=")) {
      common.catalogs.push_back(words[i].substr(10));
    }
  }
  return common;
}

std::vector<std::string> cached_versions() {
  std::vector<std::string> versions;
  const cache::RecordStore records(cache::default_record_dir(ProcessEnvironment{}));
  for (const auto& record : records.list()) {
    if (versions.empty() || versions.back() != record.model_version) {
      versions.push_back(record.model_version);
    }
  }
  return versions;
}

}  // namespace

int run_completion(const CommandArgs& args) {
  std::string shell;
  bool json = false;
  CLI::App app("Print the shell completion script for bash, zsh or fish.", "xlaunch completion");
  app.add_option("shell", shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  app.add_flag("--json", json, "print {\"shell\", \"script\"} as JSON on stdout");
  if (auto code = parse(app, args)) {
    return *code;
  }
  const auto script = completion::completion_script(shell);
  if (json) {
    std::cout << nlohmann::json{{"shell", shell}, {"script", std::string(script.value_or(""))}}.dump(2) << "\n";
  } else {
    std::cout << script.value_or("");
  }
  return 0;
}

int run_complete(const CommandArgs& args) {
  // Completion must never disturb the shell: any failure means "no candidates".
  try {
    std::vector<std::string> words = args.parser_args;
    if (words.empty()) {
      words.emplace_back();
    }
    catalog::Catalog catalog = catalog::Catalog::built_in();
    try {
      catalog = load_catalog(typed_catalogs(words));
    } catch (const std::exception&) {
      // A half-typed or broken --catalog file: complete from the rest.
    }
    std::vector<catalog::FlatSpec> specs;
    for (const auto& family : catalog.families()) {
      auto flat = catalog::flatten(*family);
      specs.insert(specs.end(), std::make_move_iterator(flat.begin()), std::make_move_iterator(flat.end()));
    }
    const bool wants_versions = words.size() > 1 && words.front() == "remove-cache";
    const completion::CompletionData data{specs, wants_versions ? cached_versions() : std::vector<std::string>{},
                                          engine_rules()};
    std::cout << completion::format_completion(completion::complete(build_grammar(), words, data));
  } catch (const std::exception&) {
    return 0;
  }
  return 0;
}

}  // namespace xl::cli
