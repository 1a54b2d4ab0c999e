// The engine's keys, from the credential store (common/secret.h sources): the modem keys
// (docs/modem-protocol.md, "Authentication") and the STS vending key (docs/sts.md, "How keys
// are kept").
//
// Modem keyring: ONE text file, a key a line, '#' starts a comment, blank lines ignored:
//     <key id> <meter number> <key, hex>        e.g.  M1400001 14000000001 0011...1F
// The key id is the protocol's K (1..16 of A-Z 0-9), the meter number the meter the key
// belongs to (an identity comes from the key, never from a sender number), the key 16..64
// bytes. A key id given twice, a malformed line or key is refused (naming the line, never its
// key). Source: "file:/path", "credential:NAME" ($CREDENTIALS_DIRECTORY/NAME) or a bare path.
//
// Vending key: the key's bytes sealed with sts::wrap_key under the KEK and the context
// kVendingKeyContext, stored raw ("file:", "credential:") or as hex ("hexfile:"); its length
// says its DKGA (8 bytes DKGA02, 20 bytes DKGA04). The KEK (32 bytes) comes from its own
// source, normally "credential:NAME" or "env:NAME"; it is never stored with the wrapped key.
// The unwrapped key lives in memory only (a Secret, wiped when dropped).
//
// Every file read here must be a regular file that neither its group may write nor others
// may read, write or run (0600, 0640, 0400, 0440): FailedPrecondition otherwise, naming the
// path and its mode. Key bytes never appear in an error or a log line. Thread-safe.
#ifndef PINTAR_VENDING_ENGINE_ENGINE_KEYS_H_
#define PINTAR_VENDING_ENGINE_ENGINE_KEYS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "common/status.h"
#include "meters/modem_auth.h"
#include "vending/sts/decoder_key.h"

namespace pintar::engine {

// The associated data every wrapped vending key is sealed with.
inline constexpr std::string_view kVendingKeyContext = "pintar sts-vk v1";

Result<std::unique_ptr<meters::ModemKeyring>> load_modem_keyring(std::string_view source);
Result<sts::VendingKey> load_vending_key(std::string_view wrapped_source, std::string_view kek_source);

// What `pintar keys vending` writes: `vending_key` (8 or 20 bytes) sealed for load_vending_key.
Result<std::vector<uint8_t>> wrap_vending_key(const Secret& kek, std::span<const uint8_t> vending_key);

// The file behind a file:, hexfile: or credential: spec (or a bare path); "" for env:/hex:.
Result<std::string> key_file_path(std::string_view source);
// OK for a regular file with no group-write and no other bits; FailedPrecondition otherwise.
Status check_key_file_mode(const std::string& path);

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_ENGINE_KEYS_H_
