// ModemLink: the engine's side of the meter modem protocol (docs/modem-protocol.md, PM1).
//
// Out: token_delivery() signs a TOK for the meter's modem with the key the registry names
// (Modem::key_id); its counter C is the engine's send counter for that key, taken with
// Ledger update_counter_window(key, "out") and so durable before the text is returned: a
// counter is never used twice, even by two engine processes (a text that is then never sent
// just leaves a gap, which the modem's window accepts). A resend is a new call with the same
// seq: the same command under a new counter.
//
// In: receive() first asks the registry whether the sender is a modem (an MSISDN that is not
// is kUnknownModem, and the text is not parsed), then meters::ModemVerifier checks syntax,
// key id, MAC (constant time) and counter, in that order, the counter on LedgerReplayStore
// ("in"), recorded durably before kOk is returned. Identity is the key's: the subscriber of a
// verified message is the meter its key belongs to (ModemKey::modem_id); a message signed by
// another meter's key than the sender number's modem is still that key's meter's, and the
// mismatch is counted and put in the detail (a SIM moved between meters is for a person).
// Nothing refused is ever acted on or answered; the engine audits `detail`.
//
// Thread-safe. The ledger and the keyring must outlive the link.
#ifndef PINTAR_VENDING_ENGINE_MODEM_LINK_H_
#define PINTAR_VENDING_ENGINE_MODEM_LINK_H_

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "common/counters.h"
#include "common/status.h"
#include "meters/modem_auth.h"
#include "meters/modem_protocol.h"
#include "meters/replay_guard.h"
#include "store/ledger.h"
#include "vending/engine/ledger_replay_store.h"
#include "vending/engine/token_maker.h"

namespace pintar::engine {

// What came from a modem, after authentication (docs/modem-protocol.md).
struct ModemInbound {
  enum class Verdict : uint8_t { kOk, kUnknownModem, kMalformed, kForged, kReplayed, kStoreError };
  Verdict verdict = Verdict::kMalformed;
  std::optional<store::SubscriberView> subscriber;  // the meter whose modem sent it (when known)
  std::optional<meters::Message> message;           // when kOk
  std::string detail;                               // for the log/audit; never a token or MAC
};

std::string_view inbound_verdict_name(ModemInbound::Verdict verdict);  // "ok", "forged", ...

enum ModemLinkCounter : size_t {
  kModemCommandsSigned,
  kModemSignFailures,
  kModemUnknownSender,
  kModemSenderMismatch,
  kModemLinkCounterCount,
};
constexpr size_t counter_count(ModemLinkCounter) { return kModemLinkCounterCount; }
inline constexpr CounterSpec kModemLinkCounters[] = {
    {"modem.commands_signed", "commands to modems signed (token deliveries, resends included)"},
    {"modem.sign_failures", "commands to modems not signed: no key, a bad command, or the ledger failed"},
    {"modem.unknown_sender", "SMS refused as modem messages: the sender is no modem of the registry"},
    {"modem.sender_mismatch", "modem messages authenticated under the key of another meter than the sender's modem"},
};
static_assert(valid_counter_names(kModemLinkCounters));

class ModemLink {
 public:
  // replay_window: the inbound anti-replay window (clamped to 64; docs: the engine uses 64).
  ModemLink(store::Ledger& ledger, const meters::ModemKeyring& keys, uint32_t replay_window);

  // The signed PM1 TOK text for this meter's modem (seq = the command's S): the key change
  // tokens, then the credit token. InvalidArgument when they do not fit one TOK (at most 3:
  // an EA11 key change set of 4 cannot be delivered by modem) or seq is 0; NotFound when the
  // keyring has no key for the modem's key id; FailedPrecondition when that key belongs to
  // another meter; ResourceExhausted when the key's counters are used up; the ledger's error.
  Result<std::string> token_delivery(const store::SubscriberView& subscriber, uint32_t seq,
                                     const IssuedTokens& tokens);
  // Any command (TOK, RDQ, RLY) for this meter's modem, signed under the next counter. The
  // message's key_id and counter are filled in here. Errors as token_delivery.
  Result<std::string> sign_command(const store::SubscriberView& subscriber, meters::Body command);

  // Authenticates an SMS from `from_msisdn`; an MSISDN that is no modem of the registry is
  // kUnknownModem. A fresh counter is recorded (durably) before kOk is returned.
  ModemInbound receive(std::string_view from_msisdn, std::string_view text);
  // The registry has a modem with this MSISDN (false, logged, when the ledger cannot answer).
  bool is_modem(std::string_view msisdn);

  const Counters<ModemLinkCounter>& counters() const { return counters_; }                     // kModemLinkCounters
  const Counters<meters::Verdict>& auth_counters() const { return verifier_.counters(); }     // meters::kModemAuthCounters

 private:
  store::Ledger& ledger_;
  const meters::ModemKeyring& keys_;
  LedgerReplayStore replay_store_;
  meters::ReplayGuard guard_;
  meters::ModemVerifier verifier_;
  Counters<ModemLinkCounter> counters_{kModemLinkCounters};
};

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_MODEM_LINK_H_
