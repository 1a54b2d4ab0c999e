// CURVE (ZeroMQ RFC 26) keys for the gateway <-> engine link, shared by both ends: the
// gateway's ZAP handler (gateway/engine_auth.h) pins engine keys with them, `pintar keys zmq`
// makes pairs with them, and bridge::Client is a CURVE client with CurveClientKeys.
//
// Keys: CurveKey holds the 32 octets; its text form is Z85 (RFC 32, 40 characters). A secret
// key comes from the credential store (Secret::load) as its 32 raw octets, or as its 40 Z85
// characters with an optional trailing newline.
//
// Errors: a public key may appear in an error message; a secret key never does. Every
// function is pure (libzmq's key functions) and thread-safe.
#ifndef PINTAR_BRIDGE_CURVE_H_
#define PINTAR_BRIDGE_CURVE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "common/secret.h"
#include "common/status.h"

namespace pintar::bridge {

inline constexpr size_t kZ85KeyLength = 40;
using CurveKey = std::array<uint8_t, 32>;

// 40 Z85 characters -> 32 octets; InvalidArgument otherwise (the text is a public key,
// so it may appear in the message).
Result<CurveKey> parse_z85_key(std::string_view text);
std::string z85(const CurveKey& key);

// A CURVE secret key loaded by Secret::load: 32 octets, or 40 Z85 characters (+ CR/LF).
// Returns the 32 octets.
Result<Secret> curve_secret_key(const Secret& loaded);
// The public key that belongs to a 32-octet secret key (zmq_curve_public).
Result<CurveKey> curve_public_key(const Secret& secret_key);
// A 32-octet secret key as its 40 Z85 characters, as `pintar keys zmq` writes it.
Secret z85_secret(const Secret& secret_key);

struct CurveKeypair {
  CurveKey public_key{};
  Secret secret_key{};  // 32 octets
};
// A fresh keypair from libzmq's libsodium (zmq_curve_keypair).
Result<CurveKeypair> generate_curve_keypair();

// What the engine's DEALER needs to be a CURVE client (bridge/client.h).
struct CurveClientKeys {  // all z85 (40 characters)
  std::string public_key;
  Secret secret_key;               // Z85 text or the 32 octets (curve_secret_key accepts both)
  std::string server_public_key;   // the gateway's
};
// Every key parses, and public_key belongs to secret_key (a pair mixed up from two files
// would otherwise fail only in the handshake, with nothing said). InvalidArgument naming the
// key otherwise.
Status validate(const CurveClientKeys& keys);
// Makes `socket` a CURVE client with these keys (before connect()). validate() first.
Status apply_client_keys(zmq::socket_t& socket, const CurveClientKeys& keys);

}  // namespace pintar::bridge

#endif  // PINTAR_BRIDGE_CURVE_H_
