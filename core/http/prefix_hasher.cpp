// SPDX-License-Identifier: Apache-2.0
#include "core/http/prefix_hasher.hpp"

#include "core/http/partial_file.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <new>

namespace xl::http {

namespace {

// Each large file's hasher thread has a buffer of this size (BackgroundHasher), so the
// resident size grows with it: 16 files of 128 MiB peaked at 38.5 MiB with 1 MiB buffers.
// 128 KiB, 256 KiB and 1 MiB reads took the same CPU to hash 2 GiB.
constexpr std::size_t k_read_back_chunk = 256 * 1024;
constexpr std::size_t k_read_back_step = 64 * 1024;

std::uint64_t round_up(std::uint64_t value, std::uint64_t step) { return (value + step - 1) / step * step; }

struct MdDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

std::string to_hex(const unsigned char* digest, unsigned int length) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(k_digits[digest[i] >> 4]);
    hex.push_back(k_digits[digest[i] & 0xf]);
  }
  return hex;
}

// SHA-256 looked up once: with OpenSSL 3, EVP_sha256() makes every init search the providers.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return fetched != nullptr ? fetched : EVP_sha256();
}

}  // namespace

struct PrefixHasher::Context {
  std::unique_ptr<EVP_MD_CTX, MdDeleter> md{EVP_MD_CTX_new()};
};

PrefixHasher::PrefixHasher() = default;

PrefixHasher::~PrefixHasher() = default;

void PrefixHasher::reset() {
  if (m_context) {
    EVP_DigestInit_ex(m_context->md.get(), sha256_algorithm(), nullptr);
  }
  m_hashed = 0;
  m_read_back = 0;
}

EVP_MD_CTX* PrefixHasher::context() {
  if (!m_context) {
    auto context = std::make_unique<Context>();
    if (!context->md || EVP_DigestInit_ex(context->md.get(), sha256_algorithm(), nullptr) != 1) {
      throw std::bad_alloc();
    }
    m_context = std::move(context);
  }
  return m_context->md.get();
}

void PrefixHasher::on_written(std::uint64_t offset, const char* data, std::size_t size, const IntervalSet& have,
                              const Reader& read) {
  const std::uint64_t end = offset + size;
  if (offset <= m_hashed && end > m_hashed) {
    const auto skip = static_cast<std::size_t>(m_hashed - offset);
    EVP_DigestUpdate(context(), data + skip, size - skip);
    m_hashed = end;
  }
  if (have.contiguous_end(m_hashed) > m_hashed) {
    catch_up(have, read);
  }
}

void PrefixHasher::catch_up(const IntervalSet& have, const Reader& read) {
  const std::uint64_t target = have.contiguous_end(m_hashed);
  // One buffer per thread, not per file: hundreds of files are open at once, and each holding
  // its own buffer made memory grow with the file count.
  // It grows only as far as the files need: touching a fresh page costs a fault, and on virtual
  // machines a fault can cost 10 us, so a 1 MiB buffer for 64 KiB files made each finisher pay
  // for 240 pages it never read into.
  thread_local std::vector<char> buffer;
  const auto needed = static_cast<std::size_t>(
      std::min<std::uint64_t>(k_read_back_chunk, round_up(target - m_hashed, k_read_back_step)));
  if (buffer.size() < needed) {
    buffer.resize(needed);
  }
  while (m_hashed < target) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), target - m_hashed));
    const std::size_t got = read(m_hashed, buffer.data(), want);
    if (got == 0) {
      throw FileIoError(FileStatus::io_error, "downloaded bytes vanished from the partial file");
    }
    EVP_DigestUpdate(context(), buffer.data(), got);
    m_hashed += got;
    m_read_back += got;
  }
}

std::string PrefixHasher::hex_digest() const {
  if (!m_context) {
    return sha256_hex({});  // nothing hashed yet
  }
  std::unique_ptr<EVP_MD_CTX, MdDeleter> copy(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), m_context->md.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), digest, &length) != 1) {
    throw std::bad_alloc();
  }
  return to_hex(digest, length);
}

bool same_digest(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string sha256_hex(std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdDeleter> context(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!context || EVP_DigestInit_ex(context.get(), sha256_algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    throw std::bad_alloc();
  }
  return to_hex(digest, length);
}

}  // namespace xl::http
