// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace xl::cache {

// Writes `content` to `path` through a temp file in the same folder, fsync and rename, so a
// reader sees the old content or the new one, never a mix. Creates missing parent folders.
// Throws Error naming the path on failure (resources when the disk is full, else download).
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// The whole file; throws Error(download) naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Lowercase hex sha256 of a file's content, streamed. Throws Error(download) on read failure.
std::string sha256_file(const std::filesystem::path& path);

// Lowercase hex git blob id: sha1("blob {size}\0" + content), the ETag of a non-LFS HF file.
std::string git_blob_sha1_file(const std::filesystem::path& path);

}  // namespace xl::cache
