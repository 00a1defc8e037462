// SPDX-License-Identifier: Apache-2.0
#include "catalog/flatten.hpp"

#include "catalog/template_expansion.hpp"

namespace xl::catalog {

std::vector<FlatSpec> flatten(const LlmFamily& family) {
  std::vector<FlatSpec> flat;
  for (std::size_t index = 0; index < family.specs.size(); ++index) {
    const FamilySpec& spec = family.specs[index];
    for (const HubSource& source : spec.sources) {
      for (const std::string& quantization : source.quantizations) {
        FlatSpec entry;
        entry.family = &family;
        entry.spec_index = index;
        entry.model_format = spec.model_format;
        entry.size = spec.size;
        entry.activated_size = spec.activated_size;
        entry.hub = source.hub;
        entry.quantization = quantization;
        entry.model_id = expand_quantization(source.model_id, quantization);
        if (source.model_revision) {
          entry.model_revision = expand_quantization(*source.model_revision, quantization);
        }
        if (source.model_file_name_template) {
          entry.file_name_template = expand_quantization(*source.model_file_name_template, quantization);
        }
        if (source.model_file_name_split_template) {
          entry.split_template = expand_quantization(*source.model_file_name_split_template, quantization);
        }
        for (const auto& [name, parts] : source.quantization_parts) {
          if (name == quantization) {
            entry.parts = parts;
          }
        }
        flat.push_back(std::move(entry));
      }
    }
  }
  return flat;
}

}  // namespace xl::catalog
