// Actions: what an operator does on a call, each written to the ledger's audit log in the
// same write set as its effect (who: the caller's key name; what: the action; when; why:
// the reason given, required).
//
//   resend   the purchase's token receipt again to the customer's phone: the same 20 digits
//            rebuilt from the ledger (engine::receipt_text), never a new sale. The helpdesk
//            holds no gateway link: it records the SMS in the ledger (an "out" message in
//            delivery state "requested") and the vending engine sends it within
//            vending.outbox_poll_ms (Engine::send_requested).
//   resolve  a needs_manual purchase ends as "completed" (the customer has the credit) or
//            "refused" (not sold, or refunded by PLN): a new version of the transaction.
//   unlock   a subscription locked by wrong PINs is opened again (attempts reset).
//
// Errors: InvalidArgument (bad input, no reason), NotFound (unknown purchase/subscription),
// FailedPrecondition (the purchase is not in a state the action applies to, or it changed
// meanwhile), the ledger's error otherwise (then nothing was done).
// Thread-safe; `ledger` and `clock` must outlive it.
#ifndef PINTAR_HELPDESK_ACTIONS_H_
#define PINTAR_HELPDESK_ACTIONS_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "helpdesk/access.h"
#include "store/ledger.h"

namespace pintar::helpdesk {

class Actions {
 public:
  Actions(store::Ledger& ledger, Clock& clock) : ledger_(ledger), clock_(clock) {}

  // Returns the id of the SMS queued.
  Result<std::string> resend(const Caller& caller, std::string_view txn_id, std::string_view reason);
  // outcome: "completed" | "refused". Returns the new version.
  Result<store::TransactionRecord> resolve(const Caller& caller, std::string_view txn_id, std::string_view outcome,
                                           std::string_view reason);
  Status unlock(const Caller& caller, std::string_view msisdn, std::string_view meter_no, std::string_view reason);

 private:
  int64_t now_ms() const;
  store::Ledger& ledger_;
  Clock& clock_;
};

// InvalidArgument unless `reason` is 3..200 characters (the audit's "why").
Status check_reason(std::string_view reason);

// An SMS the helpdesk asks for: an outgoing message in state "requested" under a fresh
// "hd-<random>" id, which the engine sends (the helpdesk has no SMSC bind of its own).
Result<store::MessageRecord> requested_sms(std::string msisdn, std::string body, std::optional<std::string> txn_id,
                                           int64_t now_ms);

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_ACTIONS_H_
