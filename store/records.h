// The records the ledger keeps, as callers see them: plain values, no database types.
//
// Units: money is integer rupiah, energy integer units of 0.1 kWh, times integer
// milliseconds since the Unix epoch (UTC). Identifiers are kept as the decimal text they are
// printed as (leading zeros matter: meter "01428800700"). The formats each field must have
// are enforced twice: by store/validate.h where input enters, and by CHECK constraints in
// the schema (store/schema.cpp), so a bug upstream cannot store a malformed row.
#ifndef PINTAR_STORE_RECORDS_H_
#define PINTAR_STORE_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"

namespace pintar::store {

// A PLN customer (pelanggan).
struct Customer {
  std::string idpel;     // ID pelanggan, 12 digits
  std::string name;      // as PLN prints it on the receipt (NAMA)
  std::string tariff;    // tariff class / segment: "R1", "R1M", "B2" (TARIF)
  int64_t power_va = 0;  // contracted power (DAYA), VA
  std::string region;    // local-tax region code: selects the PBJT/PPJ rate
  friend bool operator==(const Customer&, const Customer&) = default;
};

// A prepaid meter and the STS parameters its tokens are made for (IEC 62055-41).
struct Meter {
  std::string meter_no;  // 11 digits, printed on the meter (NO METER)
  std::string idpel;     // the customer it is installed for
  std::string sgc;       // Supply Group Code, 6 digits
  int64_t ti = 0;        // Tariff Index, 0..99
  int64_t krn = 0;       // Key Revision Number, 1..9
  int64_t kt = 0;        // Key Type, 0..3
  int64_t ea = 0;        // Encryption Algorithm code: 7 (STA), 9 (DEA), 11 (MISTY1)
  int64_t dkga = 0;      // Decoder Key Generation Algorithm: 1..4
  int64_t base_date = 0; // 1993, 2014 or 2035: the year the token identifier counts from
  std::string kdpm;      // KDPM code (meter manufacturer/model code), 1..8 alphanumerics
  std::string modem_msisdn;  // the two-way modem fitted to it
  friend bool operator==(const Meter&, const Meter&) = default;
};

// The GSM modem of a two-way meter.
struct Modem {
  std::string msisdn;  // international format without '+': "62" then 8..13 digits
  std::string key_id;  // which modem key (kept in the HSM/credential store) it uses
  friend bool operator==(const Modem&, const Modem&) = default;
};

// A customer's phone allowed to buy for a meter by SMS.
struct Subscription {
  std::string msisdn;    // the customer's phone, same format as Modem::msisdn
  std::string meter_no;
  std::string language;  // "id" or "en": the language of SMS replies
  crypto::Sha256Digest pin_hash{};  // see store/pin.h; the PIN itself is never stored
  int64_t failed_pin_attempts = 0;  // wrong PINs in a row; reset by a right one
  int64_t locked_until_ms = 0;      // > now: the subscription is locked (5 wrong PINs)
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// A change to a subscription (PIN, language, PIN lockout): each field set is stored, the
// others are kept. NotFound for an unknown (msisdn, meter_no).
struct SubscriptionUpdate {
  std::string msisdn{};
  std::string meter_no;
  std::optional<std::string> language{};  // "id" | "en"
  std::optional<crypto::Sha256Digest> pin_hash{};
  std::optional<int64_t> failed_pin_attempts{};  // >= 0
  std::optional<int64_t> locked_until_ms{};      // >= 0
};

// One line of a subscriber import: a subscription with everything it stands on.
struct SubscriberRecord {
  Customer customer;
  Meter meter;
  Modem modem;
  Subscription subscription;
};

// One version of a vending transaction. Versions are append-only: a state change (token
// issued, delivered, failed) appends version N+1 carrying the whole record; nothing is
// updated in place, so the hash chain over the table stays verifiable. The newest version is
// the current state.
struct TransactionRecord {
  std::string txn_id;           // chosen by the vending engine, 1..64 printable characters
  int64_t version = 1;          // 1 for a new transaction, previous + 1 for each change
  std::string idempotency_key;  // unique per transaction (e.g. SMSC id of the request SMS)
  std::string meter_no;
  std::string msisdn;           // the customer who asked
  int64_t amount_rupiah = 0;    // what the customer pays
  int64_t energy_deci_kwh = 0;  // credit in 0.1 kWh units (0 until known)
  std::optional<std::string> token;  // 20 digits once issued
  std::string state;            // vending-engine state name: lower case letters and '_'
  std::optional<std::string> reference;  // P2APST/PLN reference, once known
  std::optional<std::string> reason;     // why it failed, for the helpdesk
  int64_t created_ms = 0;       // when the request arrived (same in every version)
  int64_t recorded_ms = 0;      // when this version was written
  friend bool operator==(const TransactionRecord&, const TransactionRecord&) = default;
};

// An entry of the append-only audit log: who did what to which thing.
struct AuditEntry {
  int64_t at_ms = 0;
  std::string actor;    // "cli:import", "helpdesk:<user>", "vending"
  std::string action;   // "customers.import", "token.resend", ...
  std::string subject;  // what it concerns (meter, IDPEL, transaction id, file digest)
  std::string detail;   // free text; never a PIN, key or whole token
  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// An SMS in (MO) or out (MT).
struct MessageRecord {
  std::string message_id;  // chosen by the gateway, unique
  std::string direction;   // "in" or "out"
  std::string msisdn;      // the customer's phone
  std::string body;
  std::optional<std::string> txn_id;          // the transaction it belongs to, if any
  std::optional<std::string> smpp_message_id; // the SMSC's id (deliver_sm / submit_sm_resp)
  std::string delivery_state;  // "received", "queued", "submitted", "delivered", "failed", "expired", ...
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  friend bool operator==(const MessageRecord&, const MessageRecord&) = default;
};

// A change of an outgoing message's delivery state (submit_sm_resp, delivery receipt).
struct MessageDelivery {
  std::string message_id;
  std::optional<std::string> smpp_message_id;  // nullopt keeps the stored one
  std::string delivery_state;
  int64_t updated_ms = 0;
};

// Something a meter reported or was told (token accepted, tamper, low credit...).
struct MeterEvent {
  std::string meter_no;
  int64_t at_ms = 0;
  std::string kind;    // lower case name: "token_accepted", "tamper", ...
  std::string detail;
  std::optional<int64_t> credit_deci_kwh{};  // credit the meter reported
  std::optional<int64_t> energy_deci_kwh{};  // energy register it reported
  // e.g. "<key id>:N<event no>": a second event with the same key is ignored (its write set
  // still succeeds), so a modem repeating a report is recorded once.
  std::optional<std::string> dedup_key{};
  friend bool operator==(const MeterEvent&, const MeterEvent&) = default;
};

// What P2APST answered for a sale and what the engine made of it; written once per
// transaction (AlreadyExists on a second), in the same WriteSet as the version that issues
// the token. Charges as P2APST gave them, in whole rupiah.
struct VendDetail {
  std::string txn_id{};
  int64_t admin_rupiah = 0;
  int64_t stamp_duty_rupiah = 0;
  int64_t ppn_rupiah = 0;
  int64_t ppj_rupiah = 0;  // PPJ / PBJT
  int64_t instalment_rupiah = 0;
  int64_t power_purchase_rupiah = 0;
  std::optional<std::string> p2apst_token{};     // the 20 digits PLN returned (both modes)
  std::vector<std::string> key_change_tokens{};  // 20 digits each, issued before the credit token, in order
  std::optional<int64_t> tid{};                  // STS TID of the locally made credit token
  std::string customer_name{};                   // as P2APST returned it (receipt)
  std::string tariff{};                          // "R1"
  int64_t power_va = 0;
  std::string p2apst_reference{};  // PLN reference (bit 48), may repeat TransactionRecord::reference
  friend bool operator==(const VendDetail&, const VendDetail&) = default;
};

// A TID used for a meter's token (STS: a meter refuses a TID it has seen or one older than
// its memory). OK only when tid > every TID stored for the meter (FailedPrecondition
// otherwise), so an allocator racing another process can never issue a TID twice or
// backwards.
struct TidIssue {
  std::string meter_no;
  int64_t tid = 0;  // >= 0
  std::string txn_id{};
  int64_t at_ms = 0;
  friend bool operator==(const TidIssue&, const TidIssue&) = default;
};

// A command to a meter's modem (docs/modem-protocol.md): a token delivery now, readings and
// relay commands later. Keyed by (meter_no, seq); record_modem_command inserts or replaces
// the row of that key (the newest state wins). seq is the protocol's S.
struct ModemCommand {
  std::string meter_no;
  int64_t seq = 0;                    // 1.. per meter
  std::string kind{};                   // "token", "reading", "relay", ...: lower case letters and '_'
  std::optional<std::string> txn_id{};  // the transaction it serves
  std::string state{};                  // "queued", "sent", "accepted", "rejected", "failed"
  int64_t attempts = 0;               // times sent
  std::string result{};                 // the modem's answer as text (reason word, credit), never a token
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  friend bool operator==(const ModemCommand&, const ModemCommand&) = default;
};

// The replay window / counter of one modem key in one direction (meters/replay_guard.h keeps
// the same pair as ReplayState; the engine adapts).
struct CounterWindow {
  uint32_t highest = 0;
  uint64_t seen = 0;
  friend bool operator==(const CounterWindow&, const CounterWindow&) = default;
};

// Search for transactions, newest first (by created_ms, then txn_id). Every set member
// filters.
struct TransactionQuery {
  std::optional<std::string> meter_no{};
  std::optional<std::string> msisdn{};
  std::vector<std::string> states{};          // newest version's state is one of these (empty: any)
  std::optional<int64_t> created_since_ms{};  // created_ms >= this
  std::optional<int64_t> created_before_ms{}; // created_ms < this
  std::vector<std::string> meter_nos{};       // the meter is one of these (e.g. an IDPEL's); empty: any
  std::optional<std::string> token{};         // some version carries these 20 digits
  std::optional<std::string> reference{};     // some version carries this P2APST/PLN reference
  // Cursor for the next page: only transactions after this one in the newest-first order
  // (created_ms, then txn_id, both descending). Set both or neither.
  std::optional<int64_t> after_created_ms{};
  std::optional<std::string> after_txn_id{};
  size_t limit = 50;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_RECORDS_H_
