// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace xl {

// Names the calling thread as `top -H`, `ps -L` and debuggers show it. Linux keeps 15
// characters; longer names are cut. Best effort: a name is only a label, so a failure (or
// another system) changes nothing else.
void name_this_thread(std::string_view name);

}  // namespace xl
