// Thin, allocation-light wrappers over OpenSSL for the primitives every module shares:
// SHA-256, HMAC-SHA-256, constant-time comparison and secure random bytes.
// Thread-safe (OpenSSL 3 is). Keys are never copied into logs or error messages.
#ifndef PINTAR_COMMON_CRYPTO_H_
#define PINTAR_COMMON_CRYPTO_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"

namespace pintar::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Sha256Digest sha256(std::span<const uint8_t> data);
Sha256Digest hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> data);

// True when a and b have the same length and bytes; the time taken depends only on the
// length, never on where they differ (CRYPTO_memcmp).
bool constant_time_equal(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Fills out from the OS CSPRNG (RAND_bytes). Fails only if OpenSSL cannot seed.
Status random_bytes(std::span<uint8_t> out);

// Overwrites memory in a way the compiler may not elide (OPENSSL_cleanse).
void cleanse(std::span<uint8_t> bytes);

}  // namespace pintar::crypto

#endif  // PINTAR_COMMON_CRYPTO_H_
