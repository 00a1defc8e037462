// SPDX-License-Identifier: Apache-2.0
#include "catalog/llm_family.hpp"
