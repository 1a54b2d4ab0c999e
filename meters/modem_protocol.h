// The meter modem protocol, version 1 (docs/modem-protocol.md): the messages between the
// vending engine and a meter's SMS modem, as one GSM 03.38 text SMS each.
//
//   PM1 <TYPE> K=<key id> C=<counter> <FIELD=value>... M=<mac>
//
// This file is the codec only: encode_unsigned() builds the text a signer appends " M=<mac>"
// to; decode() checks the whole syntax (fields, their order, ranges, the length of one SMS)
// and splits off the MAC without checking it. Authentication is modem_auth.h; the replay
// check is replay_guard.h. Every accepted text has exactly one encoding: encode(decode(t)) == t.
//
// Errors are InvalidArgument naming the field and what is wrong with it; a message may carry
// a token, so an error never quotes a value. Pure functions, thread-safe.
#ifndef PINTAR_METERS_MODEM_PROTOCOL_H_
#define PINTAR_METERS_MODEM_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace pintar::meters {

// One SMS of the GSM 03.38 default alphabet, no extension characters (3GPP TS 23.038 §6.1.2.1).
inline constexpr size_t kMaxMessageLength = 160;
inline constexpr size_t kMaxKeyIdLength = 16;
inline constexpr size_t kMacLength = 16;   // base32 of an 80-bit truncated HMAC-SHA-256
inline constexpr size_t kMaxTokensPerDelivery = 3;

enum class Direction : uint8_t { kEngineToModem, kModemToEngine };

// Why a meter refused a command (field R). The token reasons follow the STS meter's error
// vocabulary (IEC 62055-41; vending/sts/meter.h MeterResult).
enum class MeterReason : uint8_t {
  kCrc,          // CRC  token does not authenticate with the meter's key (AuthenticationError)
  kUsed,         // USED TID already in the meter's memory: this token was credited before
  kOld,          // OLD  TID older than the meter's TID memory
  kKeyExpired,   // KEY-EXPIRED TID beyond the meter's key expiry number (KEN)
  kOverLimit,    // OVER-LIMIT the credit would exceed the meter's register or kWh limit
  kFormat,       // FORMAT not a token (FormatError)
  kFunction,     // FUNCTION a valid token this meter does not support (FunctionError)
  kUnsupported,  // UNSUPPORTED the modem does not implement this command
  kFault,        // FAULT the meter could not carry it out (e.g. relay does not move)
};

enum class RelayState : uint8_t { kOn, kOff, kArmed };        // RL: ON | OFF | ARMED
enum class RelayAction : uint8_t { kConnect, kDisconnect, kArm };  // A: ON | OFF | ARM
// W. A command gives one of the first three; a relay event may give any.
enum class RelayReason : uint8_t {
  kArrears,   // ARREARS   disconnection for arrears (the SOP's "from the 21st")
  kRequest,   // REQUEST   the customer or PLN asked
  kSafety,    // SAFETY    a safety disconnection
  kButton,    // BUTTON    the customer re-closed an armed relay with the button sequence
  kNoCredit,  // NO-CREDIT the meter opened the relay when credit ran out
  kCredit,    // CREDIT    the meter closed the relay when credit came back
};

enum class EventKind : uint8_t {
  kLastGasp,       // LAST-GASP       supply lost (sent on the modem's reserve)
  kPowerOn,        // POWER-ON        supply restored
  kTamper,         // TAMPER          cover open, magnet, bypass
  kLowCredit,      // LOW-CREDIT      credit fell below the meter's threshold; CR required
  kCredit,         // CREDIT          credit report; CR required
  kRelay,          // RELAY           relay changed; RL and W required
  kTokenAccepted,  // TOKEN-ACCEPTED  a token keyed in by hand was accepted; T (one), CR
  kTokenRejected,  // TOKEN-REJECTED  a token keyed in by hand was refused; T (one), R
};

// ---- Engine -> modem (commands). S is the engine's command sequence number for the meter;
// the answer carries it back, and a resend of the same command keeps it.
struct TokenDelivery {   // TOK: up to 3 tokens, entered in order (key change tokens first)
  uint32_t seq = 0;
  std::vector<std::string> tokens;  // 20 decimal digits each, no separators
  friend bool operator==(const TokenDelivery&, const TokenDelivery&) = default;
};
struct ReadingRequest {  // RDQ
  uint32_t seq = 0;
  friend bool operator==(const ReadingRequest&, const ReadingRequest&) = default;
};
struct RelayCommand {    // RLY
  uint32_t seq = 0;
  RelayAction action = RelayAction::kConnect;
  RelayReason reason = RelayReason::kRequest;  // kArrears, kRequest or kSafety
  friend bool operator==(const RelayCommand&, const RelayCommand&) = default;
};

// ---- Modem -> engine. Credit and energy in 0.1 kWh, power in W, voltage in 0.1 V,
// times in seconds since 1970-01-01 UTC by the meter's clock.
struct Accepted {        // ACC: the command S was carried out
  uint32_t seq = 0;
  std::optional<uint64_t> credit;            // CR, after a token delivery
  std::optional<uint32_t> power_limit_watts;  // PL, when a token set the maximum power limit
  std::optional<RelayState> relay;            // RL, after a relay command
  friend bool operator==(const Accepted&, const Accepted&) = default;
};
struct Rejected {        // REJ: the command S was refused
  uint32_t seq = 0;
  MeterReason reason = MeterReason::kFormat;
  std::optional<uint8_t> token_index;  // I, 1-based: the token refused; the ones before it were applied
  std::optional<uint64_t> credit;      // CR
  friend bool operator==(const Rejected&, const Rejected&) = default;
};
struct Reading {         // RDG: the answer to RDQ (seq) or a scheduled reading (event_no)
  std::optional<uint32_t> seq;       // S  exactly one of seq and event_no is set
  std::optional<uint32_t> event_no;  // N
  uint32_t time = 0;                 // D
  uint64_t energy = 0;               // EN energy register, 0.1 kWh
  uint64_t credit = 0;               // CR
  RelayState relay = RelayState::kOn;  // RL
  uint32_t power_watts = 0;          // P
  uint32_t voltage_decivolts = 0;    // V
  friend bool operator==(const Reading&, const Reading&) = default;
};
struct MeterEvent {      // EVT: unsolicited; the modem may repeat it with the same N
  uint32_t event_no = 0;  // N, the modem's event number: the engine's de-duplication key
  uint32_t time = 0;      // D
  EventKind kind = EventKind::kLastGasp;  // EV
  std::optional<std::string> token;       // T
  std::optional<MeterReason> reason;      // R
  std::optional<uint64_t> credit;         // CR
  std::optional<RelayState> relay;        // RL
  std::optional<RelayReason> relay_reason;  // W
  friend bool operator==(const MeterEvent&, const MeterEvent&) = default;
};

using Body = std::variant<TokenDelivery, ReadingRequest, RelayCommand, Accepted, Rejected, Reading, MeterEvent>;

struct Message {
  std::string key_id;    // K: names the sender's key (and so the modem) in the credential store
  uint32_t counter = 0;  // C: the sender's message counter, 1.., never reused with this key
  Body body;
  friend bool operator==(const Message&, const Message&) = default;
};

// A decoded text: the message, the signed part (everything before " M=") and the MAC as sent;
// the two views point into the text given to decode().
struct Decoded {
  Message message;
  std::string_view signed_text;
  std::string_view mac;
};

Direction direction_of(const Body& body);
std::string_view type_name(const Body& body);  // "TOK", "ACC", ...

// The text before " M=<mac>". InvalidArgument when a field is out of range, a token is not
// 20 digits, the fields given do not fit the type (e.g. a relay event without W), or the
// message would not fit one SMS once signed.
Result<std::string> encode_unsigned(const Message& message);

// Parses a whole signed text. Does not check the MAC or the counter.
Result<Decoded> decode(std::string_view text);

// The message for a log line: type, key id, counter, sequence or event number; tokens
// masked (common/log.h), no MAC.
std::string describe(const Message& message);

std::string_view meter_reason_name(MeterReason reason);  // the wire word: "KEY-EXPIRED"
std::string_view relay_state_name(RelayState state);
std::string_view relay_action_name(RelayAction action);
std::string_view relay_reason_name(RelayReason reason);
std::string_view event_kind_name(EventKind kind);

}  // namespace pintar::meters

#endif  // PINTAR_METERS_MODEM_PROTOCOL_H_
