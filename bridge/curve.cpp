#include "bridge/curve.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/crypto.h"

namespace pintar::bridge {
namespace {

constexpr const char* kNoCurve = "this libzmq has no CURVE (zmq_has(\"curve\") is false)";

}  // namespace

Result<CurveKey> parse_z85_key(std::string_view text) {
  if (text.size() != kZ85KeyLength) {
    return Status::invalid_argument(fmt::format("a CURVE key is 40 Z85 characters, not {}", text.size()));
  }
  const std::string copy(text);  // zmq_z85_decode wants a NUL-terminated string
  CurveKey key{};
  if (zmq_z85_decode(key.data(), copy.c_str()) == nullptr) {
    return Status::invalid_argument(fmt::format("\"{}\" is not Z85 text", text));
  }
  return key;
}

std::string z85(const CurveKey& key) {
  char text[kZ85KeyLength + 1];
  zmq_z85_encode(text, key.data(), key.size());
  return text;
}

Result<Secret> curve_secret_key(const Secret& loaded) {
  const auto bytes = loaded.bytes();
  if (bytes.size() == 32) return loaded;
  size_t size = bytes.size();
  while (size > 0 && (bytes[size - 1] == '\n' || bytes[size - 1] == '\r')) --size;
  if (size != kZ85KeyLength) {
    return Status::invalid_argument(
        fmt::format("a CURVE secret key is 32 octets or 40 Z85 characters, not {} octets", bytes.size()));
  }
  char text[kZ85KeyLength + 1];
  std::copy_n(bytes.begin(), kZ85KeyLength, text);
  text[kZ85KeyLength] = '\0';
  std::vector<uint8_t> key(32);
  const bool decoded = zmq_z85_decode(key.data(), text) != nullptr;
  crypto::cleanse({reinterpret_cast<uint8_t*>(text), sizeof text});
  if (!decoded) return Status::invalid_argument("a CURVE secret key of 40 characters must be Z85 text");
  return Secret(std::move(key));
}

Result<CurveKey> curve_public_key(const Secret& secret_key) {
  if (secret_key.size() != 32) return Status::invalid_argument("a CURVE secret key is 32 octets");
  char secret_text[kZ85KeyLength + 1];
  char public_text[kZ85KeyLength + 1];
  zmq_z85_encode(secret_text, secret_key.bytes().data(), 32);
  const int rc = zmq_curve_public(public_text, secret_text);
  crypto::cleanse({reinterpret_cast<uint8_t*>(secret_text), sizeof secret_text});
  if (rc != 0) return Status::failed_precondition(kNoCurve);
  return parse_z85_key(public_text);
}

Secret z85_secret(const Secret& secret_key) {
  char text[kZ85KeyLength + 1];
  zmq_z85_encode(text, secret_key.bytes().data(), secret_key.size());
  Secret out(std::vector<uint8_t>(text, text + kZ85KeyLength));
  crypto::cleanse({reinterpret_cast<uint8_t*>(text), sizeof text});
  return out;
}

Result<CurveKeypair> generate_curve_keypair() {
  char public_text[kZ85KeyLength + 1];
  char secret_text[kZ85KeyLength + 1];
  if (zmq_curve_keypair(public_text, secret_text) != 0) return Status::failed_precondition(kNoCurve);
  std::vector<uint8_t> secret(32);
  (void)zmq_z85_decode(secret.data(), secret_text);
  crypto::cleanse({reinterpret_cast<uint8_t*>(secret_text), sizeof secret_text});
  auto public_key = parse_z85_key(public_text);
  if (!public_key.ok()) return public_key.status();
  return CurveKeypair{.public_key = *public_key, .secret_key = Secret(std::move(secret))};
}

Status validate(const CurveClientKeys& keys) {
  auto own = parse_z85_key(keys.public_key);
  if (!own.ok()) return own.status().with_context("curve public_key");
  auto server = parse_z85_key(keys.server_public_key);
  if (!server.ok()) return server.status().with_context("curve server_public_key");
  auto secret = curve_secret_key(keys.secret_key);
  if (!secret.ok()) return secret.status().with_context("curve secret_key");
  auto derived = curve_public_key(*secret);
  if (!derived.ok()) return derived.status();
  if (*derived != *own) {
    return Status::invalid_argument(
        fmt::format("curve: public_key {} does not belong to the secret key (its public key is {})",
                    keys.public_key, z85(*derived)));
  }
  return Status();
}

Status apply_client_keys(zmq::socket_t& socket, const CurveClientKeys& keys) {
  PINTAR_RETURN_IF_ERROR(validate(keys));
  const CurveKey own = *parse_z85_key(keys.public_key);
  const CurveKey server = *parse_z85_key(keys.server_public_key);
  const Secret secret = *curve_secret_key(keys.secret_key);
  if (zmq_setsockopt(socket.handle(), ZMQ_CURVE_SERVERKEY, server.data(), server.size()) != 0 ||
      zmq_setsockopt(socket.handle(), ZMQ_CURVE_PUBLICKEY, own.data(), own.size()) != 0 ||
      zmq_setsockopt(socket.handle(), ZMQ_CURVE_SECRETKEY, secret.bytes().data(), secret.size()) != 0) {
    return Status::failed_precondition(fmt::format("CURVE client keys: {}", zmq_strerror(zmq_errno())));
  }
  return Status();
}

}  // namespace pintar::bridge
