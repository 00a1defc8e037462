// SPDX-License-Identifier: Apache-2.0
#include "core/completion/catalog_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace xl::completion {
namespace {

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// "1_5" and "1.5" are the same size (Xinference's match_model_size); compare the spelling with
// `_` read as `.`, so "671" matches "671" and "1.5" matches "1_5".
std::string size_display(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '_', '.');
  return out;
}

double size_number(std::string_view text) {
  const auto display = size_display(text);
  double number = 0;
  std::from_chars(display.data(), display.data() + display.size(), number);
  return number;
}

bool matches(const catalog::FlatSpec& spec, const Selection& selection, ValueKind skip, const EngineRules& rules) {
  if (skip != ValueKind::model && selection.model && (spec.family == nullptr || !same_text(spec.family->model_name, *selection.model))) {
    return false;
  }
  if (skip != ValueKind::format && selection.format && !same_text(spec.model_format, *selection.format)) {
    return false;
  }
  if (skip != ValueKind::size && selection.size && size_display(*selection.size) != size_display(spec.size.text)) {
    return false;
  }
  if (skip != ValueKind::quantization && selection.quantization && !same_text(spec.quantization, *selection.quantization)) {
    return false;
  }
  if (skip != ValueKind::hub && selection.hub && !same_text(*selection.hub, "auto") && !same_text(spec.hub, *selection.hub)) {
    return false;
  }
  if (skip != ValueKind::engine && selection.engine) {
    const auto engine = rules.canonical_name(*selection.engine);
    if (!engine || rules.why_cannot_run(*engine, spec)) {
      return false;
    }
  }
  return true;
}

void add_unique(std::vector<Candidate>& out, std::string value, std::string description = {}) {
  const bool present = std::any_of(out.begin(), out.end(), [&](const Candidate& c) { return c.value == value; });
  if (!present) {
    out.push_back({std::move(value), std::move(description)});
  }
}

std::string model_description(const catalog::LlmFamily& family) {
  std::string text;
  for (const auto& ability : family.model_ability) {
    text += (text.empty() ? "" : ", ") + ability;
  }
  return text;
}

}  // namespace

std::vector<Candidate> catalog_values(ValueKind kind, const Selection& selection,
                                      std::span<const catalog::FlatSpec> specs, const EngineRules& rules) {
  std::vector<Candidate> out;
  std::vector<const catalog::FlatSpec*> matching;
  for (const auto& spec : specs) {
    if (matches(spec, selection, kind, rules)) {
      matching.push_back(&spec);
    }
  }
  switch (kind) {
    case ValueKind::model:
      for (const auto* spec : matching) {
        if (spec->family != nullptr) {
          add_unique(out, spec->family->model_name, model_description(*spec->family));
        }
      }
      break;
    case ValueKind::engine:
      for (const auto& engine : rules.engine_names()) {
        if (std::any_of(matching.begin(), matching.end(), [&](const auto* spec) { return !rules.why_cannot_run(engine, *spec); })) {
          add_unique(out, engine);
        }
      }
      break;
    case ValueKind::format:
      for (const auto* spec : matching) {
        add_unique(out, spec->model_format);
      }
      break;
    case ValueKind::size:
      std::stable_sort(matching.begin(), matching.end(),
                       [](const auto* a, const auto* b) { return size_number(a->size.text) < size_number(b->size.text); });
      for (const auto* spec : matching) {
        add_unique(out, size_display(spec->size.text), "billion parameters");
      }
      break;
    case ValueKind::quantization:
      for (const auto* spec : matching) {
        add_unique(out, spec->quantization);
      }
      break;
    case ValueKind::hub:
      add_unique(out, "auto", "pick the hub automatically");
      for (const auto* spec : matching) {
        add_unique(out, spec->hub);
      }
      break;
    default:
      break;
  }
  return out;
}

}  // namespace xl::completion
