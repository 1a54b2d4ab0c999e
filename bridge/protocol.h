// The messages between the gateway and the vending engine over ZeroMQ (docs/gateway.md has
// the grammar, the socket pattern and examples).
//
// Every message is one ZeroMQ frame holding one JSON object with "v" (the protocol's major
// version, kProtocolVersion) and "type". Readers ignore members they do not know, so a
// version can grow by adding members; a message with another "v" is refused.
//
// Delivery is at least once in both directions: a sender repeats a message until the
// matching *_ack arrives, and a receiver de-duplicates by "id".
//
// Both ends use it: the gateway (gateway/engine_link.h) and the engine (bridge/client.h).
//
// Pure functions, thread-safe. decode() never throws: bad input becomes an error Status.
#ifndef PINTAR_BRIDGE_PROTOCOL_H_
#define PINTAR_BRIDGE_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace pintar::bridge {

inline constexpr int kProtocolVersion = 1;

// gateway -> engine: a mobile-originated SMS (repeated until mo_ack).
struct Mo {
  std::string id{};            // "<gateway instance>-<n>", unique per gateway queue
  std::string smsc{};          // [[smsc]] name it came from; send the reply through it
  std::string from{}, to{};      // source_addr, destination_addr as received
  std::string text{};          // UTF-8; empty when data_coding is binary (see user_data)
  int data_coding = 0;
  int64_t received_at_ms = 0;
  // Additive members (older gateways leave them out; readers default them):
  std::string idempotency_key{};  // hex SHA-256 of the deliver_sm(s): the purchase's idempotency key
  std::string user_data{};     // the raw octets (UDH removed, parts joined); hex on the wire
  int parts = 1;               // deliver_sm joined into it
  bool incomplete = false;     // joined at the reassembly deadline with parts missing
};

// engine -> gateway: an SMS to send (repeated until mt_ack).
struct Mt {
  std::string id{};            // the engine's id; the gateway stores each id once
  std::string smsc{};          // empty: the first [[smsc]]
  std::string from{}, to{}, text{};
  bool receipt = true;       // ask the SMSC for a delivery receipt
};

// gateway -> engine: the MT is stored (and will be sent), or refused for good.
struct MtAck {
  std::string id{};
  bool stored = true;
  std::string error{};         // why it was refused (stored = false)
};

// gateway -> engine: the SMSC accepted the MT (message ids) or refused it for good
// (repeated until mt_result_ack).
struct MtResult {
  std::string id{};            // "<gateway instance>-<n>"
  std::string mt_id{};         // the engine's MT id
  bool submitted = false;
  std::vector<std::string> message_ids{};  // one per part
  uint32_t command_status = 0;           // failed only
  std::string reason{};                    // failed only
};

// gateway -> engine: a delivery receipt (repeated until receipt_ack).
struct Receipt {
  std::string id{};            // "<gateway instance>-<n>"
  std::optional<std::string> mt_id{};  // absent when the message id matched no MT
  int part = 0;              // 1-based part of a long MT; 0 when unmatched
  std::string smsc{};
  std::string message_id{};
  std::string state{};         // DELIVERED, EXPIRED, DELETED, UNDELIVERABLE, ACCEPTED, UNKNOWN, REJECTED, ENROUTE
  std::string error{};
  int64_t received_at_ms = 0;
};

// engine -> gateway acknowledgements of the three repeated gateway messages.
struct MoAck { std::string id; };
struct MtResultAck { std::string id; };
struct ReceiptAck { std::string id; };

// Either side, every heartbeat interval: "I am alive". The gateway answers each one.
struct Heartbeat {};

// gateway -> engine, best effort (sent once, never acked, nothing stored): a deliver_sm the
// gateway had already stored within its de-duplication window came again. It is either the
// SMSC redelivering (its deliver_sm_resp was lost or late) or the customer sending the same
// text again; SMPP 3.4 cannot tell them apart, so the engine decides what to answer (never a
// second sale). No text: the engine needs only the key, and a PIN stays off the wire.
struct MoRepeat {
  std::string smsc{};
  std::string from{}, to{};
  std::string idempotency_key{};  // the stored MO's key (Mo::idempotency_key)
  int64_t received_at_ms = 0;     // of the repeat
};

using Message = std::variant<Mo, MoAck, Mt, MtAck, MtResult, MtResultAck, Receipt, ReceiptAck, Heartbeat, MoRepeat>;

// "mo", "mo_ack", ... (the "type" member).
std::string_view type_name(const Message& message);

std::string encode(const Message& message);
Result<Message> decode(std::string_view frame);

// The limits an `mt` must meet before the gateway stores it (docs/gateway.md, "mt fields");
// InvalidArgument naming the member and the problem otherwise, which the gateway sends
// back in a refusing mt_ack. decode() accepts any strings, so that a bad MT is answered
// rather than dropped (dropped, the engine would repeat it forever).
//   id    1..128 octets, printable ASCII without space (0x21..0x7E)
//   from  0..20 characters, printable ASCII (0x20..0x7E): SMPP 3.4 §4.4.1 source_addr is a
//         C-Octet String of at most 21 octets with its NUL, so a NUL or control character
//         inside would end the field early and shift the following submit_sm fields
//   to    1..20 characters, printable ASCII: §4.4.1 destination_addr, likewise
//   smsc  0..64 octets, printable ASCII without space
//   text  1..kMaxMtTextOctets octets of UTF-8 without NUL or C0 controls other than
//         TAB, LF, FF and CR
inline constexpr size_t kMaxMtIdOctets = 128;
inline constexpr size_t kMaxAddressCharacters = 20;  // 21 octets with the C-Octet String's NUL
inline constexpr size_t kMaxSmscNameOctets = 64;
inline constexpr size_t kMaxMtTextOctets = 16384;
Status validate(const Mt& mt);

}  // namespace pintar::bridge

#endif  // PINTAR_BRIDGE_PROTOCOL_H_
