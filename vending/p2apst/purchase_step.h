// The purchase machine as a pure step: (record, event) -> (next state, action). No I/O,
// no clock reads, no threads: the caller (Prepaid, or the vending engine) turns answers
// into events with classify(), carries out the action, and feeds the next event. So the
// safety rules of prepaid.h are all in one table (kTransitions in purchase_step.cpp, drawn
// in docs/p2apst.md "Purchase safety") and unit-tested without a host or a wait.
//
//   kRecordOutcome    journal.record_outcome(record.state -> next): the purchase is settled
//   kSendAdvice       not before `send_at`, on a signed-on link: journal.mark_sent(advice
//                     `advice_number`), then send `mti` (2220 for the first, 2221 after)
//   kLeaveUnresolved  nothing can be learnt now (link stopped or down): the record stays as
//                     it is and the next resume continues it; no advice is used up
#ifndef PINTAR_VENDING_P2APST_PURCHASE_STEP_H_
#define PINTAR_VENDING_P2APST_PURCHASE_STEP_H_

#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "vending/p2apst/iso8583.h"
#include "vending/p2apst/p2apst_config.h"
#include "vending/p2apst/purchase_journal.h"

namespace pintar::p2apst {

enum class PurchaseEvent : uint8_t {
  kApproved,        // 0000 with a well-formed 241-character bit 48 (token inside)
  kRefused,         // any other code: PLN did not make the sale
  kNoSuchPurchase,  // 0063 / 0096: PLN has no such purchase
  kUnknown,         // no answer, a lost link, or an answer that does not settle it (0068, 0099)
  kNothingSent,     // the 2200 provably never left (not signed on, write failed before a byte)
  kCancelled,       // the link stopped before the answer
  kNoLink,          // an advice is due but the link did not sign on in time
  kResumed,         // a later run picks the record up (resume_unresolved)
};
std::string_view purchase_event_name(PurchaseEvent event);

enum class PurchaseAction : uint8_t { kRecordOutcome, kSendAdvice, kLeaveUnresolved };

struct PurchaseStep {
  PurchaseState next = PurchaseState::kNeedsManual;
  PurchaseAction action = PurchaseAction::kRecordOutcome;
  int advice_number = 0;       // kSendAdvice: 1 is the 2220
  std::string_view mti;        // kSendAdvice: 2220 or 2221
  Clock::SteadyTime send_at{};  // kSendAdvice: not before
};

// What an answer (or the failure in its place) says. Failures are kUnknown except
// Cancelled; whether "nothing was sent" matters is the caller's to say (kNothingSent).
PurchaseEvent classify(const Result<Message>& answer);
// True for the exchange failures after which the request provably never left.
bool nothing_sent(const Status& status);

// `now` and `last_advice_at` (when the latest advice left, if one did in this run) place
// the next advice: advices go out advice.repeat_interval apart, send to send; the first
// advice after the 2200, and the first of a resumed run, go at once.
PurchaseStep purchase_step(const PurchaseRecord& record, PurchaseEvent event, const AdviceOptions& advice,
                           Clock::SteadyTime now, std::optional<Clock::SteadyTime> last_advice_at);

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_PURCHASE_STEP_H_
