#include "meters/modem_auth.h"

#include <array>

#include <fmt/format.h>

#include "common/crypto.h"

namespace pintar::meters {
namespace {

constexpr size_t kMacBytes = 10;  // 80 bits: 16 base32 characters, no padding
static_assert(kMacBytes * 8 == kMacLength * 5);

// RFC 4648 §6 base32, for a whole number of 5-byte groups.
std::string base32(std::span<const uint8_t> bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  for (size_t group = 0; group + 5 <= bytes.size(); group += 5) {
    uint64_t bits = 0;
    for (size_t i = 0; i < 5; ++i) bits = (bits << 8) | bytes[group + i];
    for (int shift = 35; shift >= 0; shift -= 5) out.push_back(kAlphabet[(bits >> shift) & 0x1F]);
  }
  return out;
}

Status check_key_size(const Secret& key) {
  if (key.size() < kMinModemKeyBytes || key.size() > kMaxModemKeyBytes) {
    return Status::invalid_argument(
        fmt::format("a modem key must have {} to {} bytes", kMinModemKeyBytes, kMaxModemKeyBytes));
  }
  return Status::ok_status();
}

constexpr std::array<std::string_view, 6> kVerdictNames = {"accepted", "malformed", "unknown_modem",
                                                           "forged",   "replayed",  "unavailable"};
static_assert(kVerdictNames.size() == static_cast<size_t>(Verdict::kVerdictCount));

}  // namespace

Status MemoryKeyring::add(std::string_view key_id, std::string_view modem_id, Secret key) {
  // The key id must be one a message can carry: reuse the codec's check on a minimal text.
  const Message probe{std::string(key_id), 1, ReadingRequest{1}};
  if (auto text = encode_unsigned(probe); !text.ok()) return text.status();
  PINTAR_RETURN_IF_ERROR(check_key_size(key));
  if (keys_.contains(key_id)) return Status::already_exists(fmt::format("modem key id {} is given twice", key_id));
  keys_.emplace(std::string(key_id), ModemKey{std::string(modem_id), std::move(key)});
  return Status::ok_status();
}

Result<ModemKey> MemoryKeyring::find(std::string_view key_id) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return Status::not_found(fmt::format("no modem key with id {}", key_id));
  return it->second;
}

std::string modem_mac(const Secret& key, std::string_view signed_text) {
  crypto::Sha256Digest digest = crypto::hmac_sha256(key.bytes(), crypto::as_bytes(signed_text));
  std::string mac = base32(std::span(digest).first(kMacBytes));
  crypto::cleanse(digest);
  return mac;
}

Result<std::string> sign(const Message& message, const Secret& key) {
  PINTAR_RETURN_IF_ERROR(check_key_size(key));
  auto text = encode_unsigned(message);
  if (!text.ok()) return text.status();
  return *text + " M=" + modem_mac(key, *text);
}

std::string_view verdict_name(Verdict verdict) {
  const auto index = static_cast<size_t>(verdict);
  return index < kVerdictNames.size() ? kVerdictNames[index] : "?";
}

ModemVerifier::ModemVerifier(const ModemKeyring& keys, ReplayGuard& guard, Direction from)
    : keys_(keys), guard_(guard), from_(from) {}

Verification ModemVerifier::refuse(Verification result, Verdict verdict, std::string detail) {
  result.verdict = verdict;
  result.detail = std::move(detail);
  result.message.reset();
  counters_.add(verdict);
  return result;
}

Verification ModemVerifier::verify(std::string_view text) {
  Verification result;
  auto decoded = decode(text);
  if (!decoded.ok()) return refuse(std::move(result), Verdict::kMalformed, decoded.status().message());
  const Message& message = decoded->message;
  result.key_id = message.key_id;
  if (direction_of(message.body) != from_) {
    return refuse(std::move(result), Verdict::kMalformed,
                  fmt::format("{} is not a message this side receives", type_name(message.body)));
  }

  auto key = keys_.find(message.key_id);
  if (!key.ok()) {
    const bool unknown = key.status().code() == StatusCode::kNotFound;
    return refuse(std::move(result), unknown ? Verdict::kUnknownModem : Verdict::kUnavailable,
                  fmt::format("{}: {}", describe(message), key.status().to_string()));
  }
  result.modem_id = key->modem_id;
  if (!check_key_size(key->key).ok()) {
    return refuse(std::move(result), Verdict::kUnavailable,
                  fmt::format("{}: the keyring holds a key of the wrong size", describe(message)));
  }
  const std::string expected = modem_mac(key->key, decoded->signed_text);
  if (!crypto::constant_time_equal(crypto::as_bytes(expected), crypto::as_bytes(decoded->mac))) {
    return refuse(std::move(result), Verdict::kForged, fmt::format("{}: the MAC does not match", describe(message)));
  }

  auto check = guard_.admit(message.key_id, message.counter);
  if (!check.ok()) {
    return refuse(std::move(result), Verdict::kUnavailable,
                  fmt::format("{}: replay state: {}", describe(message), check.status().to_string()));
  }
  if (*check != ReplayCheck::kFresh) {
    return refuse(std::move(result), Verdict::kReplayed,
                  fmt::format("{}: counter {}", describe(message),
                              *check == ReplayCheck::kReplayed ? "already accepted" : "older than the replay window"));
  }
  result.verdict = Verdict::kAccepted;
  result.detail = describe(message);
  result.message = std::move(decoded->message);
  counters_.add(Verdict::kAccepted);
  return result;
}

}  // namespace pintar::meters
