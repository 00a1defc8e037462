// SPDX-License-Identifier: Apache-2.0
#include "core/matching/spec_matcher.hpp"

#include <algorithm>
#include <map>

#include "catalog/flatten.hpp"
#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "core/util/strings.hpp"

namespace xl {
namespace {

using catalog::FlatSpec;
using catalog::LlmFamily;

const LlmFamily& find_family(const catalog::Catalog& catalog, const std::string& name, std::vector<std::string>& notes) {
  if (const auto* family = catalog.find(name)) {
    return *family;
  }
  if (const auto* family = catalog.find_ignoring_case(name)) {
    notes.push_back("model name '" + name + "' matched '" + family->model_name + "' (names are case-sensitive in Xinference)");
    return *family;
  }
  const auto suggestion = closest_match(name, catalog.names());
  throw Error(ExitCode::usage,
              "unknown model " + printable(name) + (suggestion ? "; did you mean '" + *suggestion + "'?" : "; 'xlaunch list' shows the models"),
              suggestion ? "'xlaunch list' shows every model" : "");
}

std::string constraints_text(const MatchQuery& query) {
  std::vector<std::string> parts;
  if (query.format) {
    parts.push_back("format " + escape_controls(*query.format));
  }
  if (query.size) {
    parts.push_back("size " + escape_controls(*query.size) + "B");
  }
  if (query.quantization) {
    parts.push_back("quantization " + escape_controls(*query.quantization));
  }
  return parts.empty() ? "the given flags" : join(parts, ", ");
}

std::vector<std::string> hubs_of(const std::vector<FlatSpec>& specs) {
  std::vector<std::string> hubs;
  for (const auto& spec : specs) {
    if (std::find(hubs.begin(), hubs.end(), spec.hub) == hubs.end()) {
      hubs.push_back(spec.hub);
    }
  }
  return hubs;
}

}  // namespace

std::vector<FlatSpec> filter_specs(const LlmFamily& family, const std::optional<std::string>& hub,
                                   const std::optional<std::string>& format, const std::optional<std::string>& size,
                                   const std::optional<std::string>& quantization) {
  std::vector<FlatSpec> kept;
  for (FlatSpec& spec : catalog::flatten(family)) {
    if (hub && spec.hub != *hub) {
      continue;
    }
    // Xinference compares formats exactly; a format differing only in case is still clearly
    // meant, so it matches here too (the catalog spelling is what everything downstream sees).
    if (format && !iequals(spec.model_format, *format)) {
      continue;
    }
    if (size && !catalog::sizes_match(*size, spec.size)) {
      continue;
    }
    if (quantization && !iequals(spec.quantization, *quantization)) {
      continue;
    }
    kept.push_back(std::move(spec));
  }
  return kept;
}

std::string describe_specs(const LlmFamily& family, const std::vector<FlatSpec>& specs, const EngineRules& rules) {
  // One row per catalog spec, in catalog order, listing what the flattened entries share.
  std::map<std::size_t, std::vector<const FlatSpec*>> by_spec;
  for (const auto& spec : specs) {
    by_spec[spec.spec_index].push_back(&spec);
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [index, entries] : by_spec) {
    std::vector<std::string> quantizations;
    std::vector<std::string> hubs;
    for (const FlatSpec* entry : entries) {
      if (std::find(quantizations.begin(), quantizations.end(), entry->quantization) == quantizations.end()) {
        quantizations.push_back(entry->quantization);
      }
      if (std::find(hubs.begin(), hubs.end(), entry->hub) == hubs.end()) {
        hubs.push_back(entry->hub);
      }
    }
    std::vector<std::string> engines;
    for (const auto& engine : rules.engine_names()) {
      if (!rules.why_cannot_run(engine, *entries.front())) {
        engines.push_back(engine);
      }
    }
    const auto& spec = family.specs[index];
    rows.push_back({spec.model_format, spec.size.display(), join(quantizations, ", "), join(hubs, ", "),
                    engines.empty() ? "-" : join(engines, ", ")});
  }
  return render_table({"FORMAT", "SIZE", "QUANTIZATIONS", "HUBS", "ENGINES"}, rows);
}

Match match_spec(const catalog::Catalog& catalog, const MatchQuery& query, const EngineRules& rules) {
  Match match;
  const LlmFamily& family = find_family(catalog, query.model_name, match.notes);
  match.family = &family;
  const std::string name = family.model_name;

  std::optional<std::string> engine;
  if (query.engine) {
    engine = rules.canonical_name(*query.engine);
    if (!engine) {
      throw Error(ExitCode::usage, "unknown engine '" + *query.engine + "'; choose one of: " + join(rules.engine_names(), ", "));
    }
  }

  std::vector<FlatSpec> candidates = filter_specs(family, query.hub, query.format, query.size, query.quantization);
  if (candidates.empty()) {
    const auto everywhere = filter_specs(family, std::nullopt, query.format, query.size, query.quantization);
    if (everywhere.empty()) {
      throw Error(ExitCode::usage, "no spec of " + name + " matches " + constraints_text(query) + "; these exist:",
                  describe_specs(family, catalog::flatten(family), rules));
    }
    const std::string other_hubs = join(hubs_of(everywhere), ", ");
    // A catalog may name hubs xlaunch has no client for (csghub, openmind_hub): never advise one.
    const auto usable = std::find_if(everywhere.begin(), everywhere.end(), [](const FlatSpec& spec) {
      return spec.hub == "huggingface" || spec.hub == "modelscope";
    });
    if (usable == everywhere.end() && query.local_weights) {
      candidates = filter_specs(family, everywhere.front().hub, query.format, query.size, query.quantization);
    } else if (usable == everywhere.end()) {
      throw Error(ExitCode::usage, name + " with " + constraints_text(query) + " is only on " + other_hubs +
                                       ", which xlaunch cannot download from; fetch the weights yourself and pass "
                                       "--model-path");
    } else if (query.hub_was_explicit && !query.local_weights) {
      throw Error(ExitCode::usage,
                  name + " with " + constraints_text(query) + " has no " + query.hub + " source; it is on " + other_hubs +
                      ": use --download-hub " + usable->hub);
    } else {
      match.notes.push_back(name + " with " + constraints_text(query) + " has no " + query.hub + " source; using " +
                            usable->hub + " instead");
      candidates = filter_specs(family, usable->hub, query.format, query.size, query.quantization);
    }
  }

  if (engine) {
    std::vector<FlatSpec> runnable;
    std::string first_reason;
    for (auto& spec : candidates) {
      if (const auto reason = rules.why_cannot_run(*engine, spec)) {
        if (first_reason.empty()) {
          first_reason = *reason;
        }
      } else {
        runnable.push_back(std::move(spec));
      }
    }
    if (runnable.empty()) {
      std::vector<FlatSpec> engine_can_run;
      for (auto& spec : catalog::flatten(family)) {
        if (!rules.why_cannot_run(*engine, spec)) {
          engine_can_run.push_back(std::move(spec));
        }
      }
      if (engine_can_run.empty()) {
        throw Error(ExitCode::usage, *engine + " cannot run any spec of " + name + " (" + first_reason + "); these engines can:",
                    describe_specs(family, catalog::flatten(family), rules));
      }
      throw Error(ExitCode::usage,
                  *engine + " cannot run " + name + " with " + constraints_text(query) + ": " + first_reason + "; " + *engine +
                      " can run these:",
                  describe_specs(family, engine_can_run, rules));
    }
    candidates = std::move(runnable);
    match.engine = *engine;
    match.engine_reason = "chosen with --model-engine";
  }

  if (!engine) {
    // The first spec its natural engine can run: a catalog's format no engine knows ("weird")
    // must not reach vLLM as "the natural engine for weird".
    const auto runnable = std::find_if(candidates.begin(), candidates.end(), [&](const FlatSpec& spec) {
      return !rules.why_cannot_run(rules.natural_engine(spec), spec);
    });
    if (runnable == candidates.end()) {
      const FlatSpec& first = candidates.front();
      throw Error(ExitCode::usage,
                  "no engine can run " + name + " with " + constraints_text(query) + " (" +
                      rules.why_cannot_run(rules.natural_engine(first), first).value_or("") + "); these exist:",
                  describe_specs(family, catalog::flatten(family), rules));
    }
    match.spec = std::move(*runnable);
    match.engine = rules.natural_engine(match.spec);
    match.engine_reason = "the natural engine for " + match.spec.model_format + "; choose another with --model-engine";
    return match;
  }
  match.spec = std::move(candidates.front());
  return match;
}

}  // namespace xl
