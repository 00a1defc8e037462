// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shell completion as a pure function: given the command grammar, the words typed so far and
// the catalog, return the candidates for the word under the cursor. The shell scripts in
// completions/ call `xlaunch __complete <words...>` and print what this returns, so the values
// always come from the binary's own catalog and flags.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/llm_family.hpp"
#include "core/matching/engine_rules.hpp"

namespace xl::completion {

// What the value of an option (or a positional argument) is.
enum class ValueKind {
  none,           // free text: no candidates
  model,          // a catalog model name
  engine,         // an engine that can run the model/format/... typed so far
  format,         // a model format of the matching specs
  size,           // a model size (billions) of the matching specs
  quantization,   // a quantization of the matching specs
  hub,            // auto or a hub the matching specs are on
  model_version,  // a cached model version (remove-cache)
  choice,         // one of OptionInfo::choices
  file,           // let the shell complete file names
  directory,      // let the shell complete folder names
};

struct OptionInfo {
  std::vector<std::string> names;  // e.g. {"-n", "--model-name"}
  int values = 0;                  // words the option consumes: 0 (a switch), 1, or 2 (-ev KEY VALUE)
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;
  std::string description;
  bool repeatable = false;  // offered again after it was typed
};

struct CommandInfo {
  std::string name;
  std::string description;
  std::vector<OptionInfo> options;
  ValueKind positional = ValueKind::none;  // kind of its positional arguments
  std::vector<std::string> positional_choices;
};

struct Grammar {
  std::vector<CommandInfo> commands;       // visible subcommands
  std::string default_command;             // runs when the first word is not a command
  std::vector<OptionInfo> global_options;  // accepted everywhere (--help, --version)
};

struct CompletionData {
  std::span<const catalog::FlatSpec> specs;   // flattened catalog
  std::vector<std::string> cached_versions;   // model versions in the local cache
  const EngineRules& engines;                 // which engine runs which spec on this host
};

struct Candidate {
  std::string value;
  std::string description;  // may be empty
};

// What the shell should do besides offering the candidates.
enum class Fallback { none, files, directories };

struct Completion {
  std::vector<Candidate> candidates;
  Fallback fallback = Fallback::none;
};

// `words` are the words after the program name; the last one is the word being completed and
// may be empty. Candidates start with that word (values compare case-insensitively);
// `--opt=value` words yield `--opt=` + value.
Completion complete(const Grammar& grammar, std::span<const std::string> words, const CompletionData& data);

// The value kind of a long option xlaunch defines (--model-name -> model), none if unknown.
ValueKind value_kind_for(std::string_view long_name);

// The wire format of `xlaunch __complete`: one "value\tdescription" line per candidate (the tab
// only when there is a description), then ":files" or ":dirs" when the shell should add those.
std::string format_completion(const Completion& completion);

}  // namespace xl::completion
