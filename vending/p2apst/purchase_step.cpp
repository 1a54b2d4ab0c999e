#include "vending/p2apst/purchase_step.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "vending/p2apst/prepaid_records.h"

namespace pintar::p2apst {
namespace {

using enum PurchaseState;
using enum PurchaseEvent;

constexpr std::string_view kApprovedCode = "0000";
// Codes that answer without settling: PLN itself did not finish (0068 timeout at PLN,
// 0099 still in process), so only an advice can tell.
constexpr std::string_view kUnsettledCodes[] = {"0068", "0099"};
constexpr std::string_view kNoSuchPurchaseCodes[] = {"0063", "0096"};

constexpr std::array<std::string_view, 8> kEventNames = {
    "approved", "refused", "no_such_purchase", "unknown", "nothing_sent", "cancelled", "no_link", "resumed",
};

struct Transition {
  PurchaseState from;
  PurchaseEvent event;
  PurchaseState to;  // kAdviceSent: send the next advice, or needs_manual when none is left
};

// The purchase state machine (docs/p2apst.md, "Purchase safety"). There is no transition
// back to kSent and none that sends a 2200: a 2200 is never repeated. A pair not listed
// (e.g. an answer to a completed purchase) goes to needs_manual: a person looks at it.
constexpr Transition kTransitions[] = {
    {kIntent, kResumed, kNotSent},  // mark_sent never happened, so nothing left
    {kSent, kApproved, kCompleted},
    {kSent, kRefused, kDeclined},
    {kSent, kNoSuchPurchase, kDeclined},
    {kSent, kUnknown, kAdviceSent},
    {kSent, kNothingSent, kNotSent},
    {kSent, kCancelled, kSent},
    {kSent, kNoLink, kSent},
    {kSent, kResumed, kAdviceSent},
    {kAdviceSent, kApproved, kCompleted},
    {kAdviceSent, kNoSuchPurchase, kNoSale},
    {kAdviceSent, kRefused, kAdviceSent},
    {kAdviceSent, kUnknown, kAdviceSent},
    {kAdviceSent, kCancelled, kAdviceSent},
    {kAdviceSent, kNoLink, kAdviceSent},
    {kAdviceSent, kResumed, kAdviceSent},
};

PurchaseState next_state(PurchaseState from, PurchaseEvent event) {
  const auto* t = std::find_if(std::begin(kTransitions), std::end(kTransitions),
                               [&](const Transition& x) { return x.from == from && x.event == event; });
  return t == std::end(kTransitions) ? kNeedsManual : t->to;
}

template <size_t N>
bool one_of(std::string_view code, const std::string_view (&codes)[N]) {
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

}  // namespace

std::string_view purchase_event_name(PurchaseEvent event) { return kEventNames[static_cast<size_t>(event)]; }

PurchaseEvent classify(const Result<Message>& answer) {
  if (!answer.ok()) return answer.status().code() == StatusCode::kCancelled ? kCancelled : kUnknown;
  const std::string_view rc = answer->get(bit::kResponseCode);
  if (rc == kApprovedCode) {
    return parse_purchase_response(answer->get(bit::kPrivateData)).ok() ? kApproved : kUnknown;
  }
  if (one_of(rc, kNoSuchPurchaseCodes)) return kNoSuchPurchase;
  if (one_of(rc, kUnsettledCodes) || rc.empty()) return kUnknown;
  return kRefused;
}

bool nothing_sent(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition || status.code() == StatusCode::kUnavailable ||
         status.code() == StatusCode::kInvalidArgument;
}

PurchaseStep purchase_step(const PurchaseRecord& record, PurchaseEvent event, const AdviceOptions& advice,
                           Clock::SteadyTime now, std::optional<Clock::SteadyTime> last_advice_at) {
  PurchaseStep step;
  step.next = next_state(record.state, event);
  if (step.next == record.state && (event == kCancelled || event == kNoLink)) {
    step.action = PurchaseAction::kLeaveUnresolved;
    return step;
  }
  if (step.next != kAdviceSent) return step;  // settled: record it
  if (record.advice_count >= 1 + advice.repeat_count) {
    step.next = kNeedsManual;
    return step;
  }
  step.action = PurchaseAction::kSendAdvice;
  step.advice_number = record.advice_count + 1;
  step.mti = step.advice_number == 1 ? mti::kAdviceRequest : mti::kAdviceRepeatRequest;
  step.send_at = now;
  if (record.state == kAdviceSent && event != kResumed && last_advice_at) {
    step.send_at = std::max(now, *last_advice_at + advice.repeat_interval);
  }
  return step;
}

}  // namespace pintar::p2apst
