// The messages the ESME hands to its user: one MO (long ones already reassembled), one
// delivery receipt, and one MT to send. Plain value types; copy them between threads.
#ifndef PINTAR_SMPP_MESSAGE_H_
#define PINTAR_SMPP_MESSAGE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace pintar::smpp {

// message_state, SMPP 3.4 §5.3.2.35 (the numbering of the TLV; text receipts map onto it).
enum class MessageState : uint8_t {
  kUnknownState = 0,  // nothing usable in the receipt
  kEnroute = 1,
  kDelivered = 2,
  kExpired = 3,
  kDeleted = 4,
  kUndeliverable = 5,
  kAccepted = 6,
  kUnknown = 7,
  kRejected = 8,
};

// True for the states after which the SMSC will not try again (all but ENROUTE/ACCEPTED).
bool is_final(MessageState state);
// "DELIVRD", "UNDELIV", ... (the text-receipt spelling); "UNKNOWN" for kUnknownState.
const char* message_state_name(MessageState state);

// A mobile-originated message, complete (all parts joined) unless `incomplete`.
struct MoMessage {
  std::string bind;                    // the bind it came in on ("telkomsel-1#0")
  std::string source_addr;             // as received (no normalisation)
  uint8_t source_addr_ton = 0;
  uint8_t source_addr_npi = 0;
  std::string destination_addr;
  uint8_t dest_addr_ton = 0;
  uint8_t dest_addr_npi = 0;
  uint8_t data_coding = 0;             // of the first part
  std::string text_utf8;               // user data decoded (GSM 03.38, IA5, Latin-1, UCS-2); empty for binary
  std::string user_data;               // the raw octets without UDH, parts joined (binary DCS, audits)
  int parts = 1;                       // number of deliver_sm that made it
  // Set when the reassembly timer expired before every part arrived: the text holds the parts
  // that did arrive, in order, and `parts` says how many (see docs/smpp.md).
  bool incomplete = false;
  uint8_t esm_class = 0;               // §5.2.12, of the first part
  std::string udh;                     // TS 23.040 §9.2.3.24 header with its length octet ("" if none); single deliver_sm only
  // A part handed over on its own (SessionListener::stores_mo_parts): its concatenation
  // numbers (UDH IE 0x00/0x08 or sar_*, §5.3.2.22-24). total 1: a whole message.
  uint16_t reference = 0;
  uint8_t total = 1;
  uint8_t sequence = 1;
};

// A delivery receipt (SMPP 3.4 §2.11 "Message Delivery Receipts"; esm_class "SMSC Delivery
// Receipt", §5.2.12), from TLVs or text. The gateway queue keeps it as gateway::QueueReceipt.
struct DeliveryReceipt {
  std::string bind;
  std::string message_id;              // normalised per BindOptions::id_format (matches on_submitted ids)
  std::string message_id_raw;          // as the SMSC wrote it
  MessageState state = MessageState::kUnknownState;
  bool is_final = false;
  std::string error;                   // text "err:" field or network_error_code TLV as hex; may be empty
  std::string submit_date;             // text "submit date:" YYMMDDhhmm, may be empty
  std::string done_date;               // text "done date:"
  std::string source_addr;             // the handset (the original MT destination)
  std::string destination_addr;
};

// One MT to send. Long texts are split into concatenated parts by the session.
struct OutboundSms {
  uint64_t id = 0;                     // the caller's id, echoed in on_submitted / on_failed
  std::string source_addr;             // digits (TON/NPI from BindOptions) or alphanumeric (TON 5)
  std::string destination_addr;
  std::string text_utf8;               // encoded as GSM 03.38 when it fits, else UCS-2
  bool want_receipt = true;            // registered_delivery 0x01 (final receipt)
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_MESSAGE_H_
