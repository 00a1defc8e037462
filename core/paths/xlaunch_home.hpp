// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>

namespace xl {

// $XLAUNCH_HOME, else ~/.xlaunch: where xlaunch keeps its config, catalog.d and small caches.
std::filesystem::path xlaunch_home();

}  // namespace xl
