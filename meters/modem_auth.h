// Authentication of modem messages (docs/modem-protocol.md, "Authentication").
//
// The MAC of a message is HMAC-SHA-256 under the sender's modem key over the signed text
// (everything before " M="; it holds the type, the key id K and the counter C), truncated to
// its first 80 bits (RFC 2104 §5) and written as 16 characters of RFC 4648 base32. The same
// key signs both directions; the type fixes the direction, so a message cannot be reflected.
//
// ModemVerifier takes an inbound text through four checks, in this order, and says which one
// refused it: the syntax (kMalformed), the key id (kUnknownModem), the MAC in constant time
// (kForged), the counter (kReplayed). Only a message that passed the MAC may advance the
// replay state, so forgeries cannot lock a modem out. Each verdict has a counter
// (kModemAuthCounters) for the engine to export, and a detail line for the audit record.
//
// Keys are pintar::Secret: never formatted, never in an error or a detail. A ModemKeyring
// and ReplayStore passed in must outlive the verifier; verify() is thread-safe when they are.
#ifndef PINTAR_METERS_MODEM_AUTH_H_
#define PINTAR_METERS_MODEM_AUTH_H_

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/counters.h"
#include "common/secret.h"
#include "common/status.h"
#include "meters/modem_protocol.h"
#include "meters/replay_guard.h"

namespace pintar::meters {

// 128 bits at least (no shorter key than the tag's security); HMAC hashes longer ones anyway.
inline constexpr size_t kMinModemKeyBytes = 16;
inline constexpr size_t kMaxModemKeyBytes = 64;

struct ModemKey {
  std::string modem_id;  // the meter number the key belongs to
  Secret key;
};

// Where keys are found by key id. The engine's implementation reads the credential store.
class ModemKeyring {
 public:
  virtual ~ModemKeyring() = default;
  // NotFound when no key has this id; another error when the store cannot answer.
  virtual Result<ModemKey> find(std::string_view key_id) const = 0;
};

class MemoryKeyring final : public ModemKeyring {
 public:
  // InvalidArgument for a malformed key id or a key outside 16..64 bytes, AlreadyExists for
  // a key id given twice (a key id names one key, for ever).
  Status add(std::string_view key_id, std::string_view modem_id, Secret key);
  Result<ModemKey> find(std::string_view key_id) const override;

 private:
  std::map<std::string, ModemKey, std::less<>> keys_;
};

// The 16-character MAC of a signed text. Precondition: key holds 16..64 bytes.
std::string modem_mac(const Secret& key, std::string_view signed_text);

// The whole text to send: encode_unsigned(message) + " M=" + MAC. InvalidArgument as
// encode_unsigned, or for a key outside 16..64 bytes.
Result<std::string> sign(const Message& message, const Secret& key);

enum class Verdict : uint8_t {
  kAccepted,      // act on it
  kMalformed,     // not a valid protocol message, or one meant for the other direction
  kUnknownModem,  // no key has this key id
  kForged,        // the MAC does not match the key's
  kReplayed,      // the counter was accepted before, or is older than the window
  kUnavailable,   // the keyring or the replay store failed: not acted on, the sender repeats
  kVerdictCount,
};
constexpr size_t counter_count(Verdict) { return static_cast<size_t>(Verdict::kVerdictCount); }

// Indexed by Verdict.
inline constexpr CounterSpec kModemAuthCounters[] = {
    {"modem.accepted", "modem messages authenticated and fresh: acted on"},
    {"modem.malformed", "modem messages refused: not valid protocol text, or the wrong direction"},
    {"modem.unknown_modem", "modem messages refused: the key id K names no key"},
    {"modem.forged", "modem messages refused: the MAC does not match the key of K"},
    {"modem.replayed", "modem messages refused: the counter C was seen before or is too old"},
    {"modem.unavailable", "modem messages not checked: the keyring or replay store failed"},
};
static_assert(valid_counter_names(kModemAuthCounters));

std::string_view verdict_name(Verdict verdict);  // "accepted", "forged", ... (the counter's suffix)

struct Verification {
  Verdict verdict = Verdict::kMalformed;
  std::string detail;    // for the audit record: why, and what the message said (tokens masked)
  std::string key_id;    // as the text claimed it, when it parsed
  std::string modem_id;  // the key's owner: set from kForged on (identity is the key's, never the sender number's)
  std::optional<Message> message;  // set only when kAccepted
};

class ModemVerifier {
 public:
  // `from`: the direction of the messages this side receives (the engine: kModemToEngine).
  ModemVerifier(const ModemKeyring& keys, ReplayGuard& guard, Direction from);

  Verification verify(std::string_view text);

  const Counters<Verdict>& counters() const { return counters_; }

 private:
  Verification refuse(Verification result, Verdict verdict, std::string detail);

  const ModemKeyring& keys_;
  ReplayGuard& guard_;
  Direction from_;
  Counters<Verdict> counters_{kModemAuthCounters};
};

}  // namespace pintar::meters

#endif  // PINTAR_METERS_MODEM_AUTH_H_
