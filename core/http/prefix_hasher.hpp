// SPDX-License-Identifier: Apache-2.0
#pragma once

// sha256 of a file written out of order, computed while it downloads. Bytes that extend the
// hashed prefix are hashed straight from the network buffer; bytes that arrived ahead of the
// prefix are read back once the gap before them closes (while still in the page cache), so a
// download is never read back in full unless it was resumed from an earlier run.

#include "core/http/range_plan.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace xl::http {

class PrefixHasher {
 public:
  // Reads up to `size` bytes at `offset` of the file; returns how many were read.
  using Reader = std::function<std::size_t(std::uint64_t offset, char* data, std::size_t size)>;

  PrefixHasher();
  ~PrefixHasher();
  PrefixHasher(const PrefixHasher&) = delete;
  PrefixHasher& operator=(const PrefixHasher&) = delete;

  void reset();
  std::uint64_t hashed() const { return m_hashed; }
  std::uint64_t read_back() const { return m_read_back; }  // bytes hashed from the file

  // [offset, offset + size) was just written (and recorded in `have`): hash what extends the
  // prefix from memory, then catch up on bytes already present after it.
  void on_written(std::uint64_t offset, const char* data, std::size_t size, const IntervalSet& have,
                  const Reader& read);
  // Hash, by reading back, the present bytes right after the prefix.
  void catch_up(const IntervalSet& have, const Reader& read);
  // Lowercase hex digest of the prefix hashed so far (the hasher can continue afterwards).
  std::string hex_digest() const;

 private:
  struct Context;
  // The digest state, made on first use: hundreds of files are set up before their first byte.
  evp_md_ctx_st* context();
  std::unique_ptr<Context> m_context;
  std::uint64_t m_hashed = 0;
  std::uint64_t m_read_back = 0;
};

// Whether two hex digests are equal, ignoring case.
bool same_digest(std::string_view a, std::string_view b);

// sha256 of a byte string, lowercase hex (for tests and small payloads).
std::string sha256_hex(std::string_view data);

}  // namespace xl::http
