// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <sys/types.h>

namespace xl {

// open(2) that, when `flags` hold O_CREAT, makes the missing folders above `path`, but only
// after the first attempt says they are missing (ENOENT). Checking them before every create
// costs a stat per file, and a download creates several files for each of hundreds. Returns
// the descriptor, or -1 with errno set by the last attempt.
int open_making_folders(const std::string& path, int flags, mode_t mode);

}  // namespace xl
