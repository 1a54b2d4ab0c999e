// Key wrapping: how vending keys (and any other key material) are kept at rest. A key is
// sealed with AES-256-GCM under the key-encryption key (KEK), which the deployment
// supplies through a systemd credential or an environment variable (Secret::load with
// "credential:NAME" or "env:NAME"); the KEK itself is never stored next to what it wraps.
//
// Wrapped form: version byte 0x01 | 12-byte random nonce | ciphertext | 16-byte tag. The
// context string (e.g. "sts-vk sgc=123456 krn=1") is authenticated but not stored: a
// wrapped key copied to another record fails to unwrap. Thread-safe.
#ifndef PINTAR_VENDING_STS_KEY_WRAP_H_
#define PINTAR_VENDING_STS_KEY_WRAP_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "common/status.h"

namespace pintar::sts {

inline constexpr size_t kKekSize = 32;

// InvalidArgument when the KEK is not 32 bytes.
Result<std::vector<uint8_t>> wrap_key(const Secret& kek, std::span<const uint8_t> key, std::string_view context);

// Corruption when the wrapped bytes were altered, the KEK is wrong or the context differs
// (GCM cannot tell these apart, and the message does not pretend to).
Result<Secret> unwrap_key(const Secret& kek, std::span<const uint8_t> wrapped, std::string_view context);

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_KEY_WRAP_H_
