#include "vending/engine/purchase_machine.h"

#include <set>
#include <utility>

#include <catch2/catch.hpp>

namespace pintar::engine {
namespace {

using S = PurchaseState;
using E = PurchaseEvent;
using A = PurchaseAction;

struct Expected {
  S from;
  E event;
  S to;
  A action;
};

// Written out again from the description, not copied from the table: a change of the
// machine must change both.
const Expected kExpected[] = {
    {S::kReceived, E::kValid, S::kValidated, A::kDecide},
    {S::kReceived, E::kInvalid, S::kRefused, A::kTellRefusal},
    {S::kValidated, E::kProceed, S::kPurchasing, A::kPurchase},
    {S::kValidated, E::kAskConfirmation, S::kAwaitingConfirmation, A::kAskConfirmation},
    {S::kValidated, E::kWrongPin, S::kRefused, A::kTellWrongPin},
    {S::kValidated, E::kLocked, S::kRefused, A::kTellRefusal},
    {S::kAwaitingConfirmation, E::kConfirmed, S::kPurchasing, A::kPurchase},
    {S::kAwaitingConfirmation, E::kWrongPin, S::kAwaitingConfirmation, A::kTellWrongPin},
    {S::kAwaitingConfirmation, E::kLocked, S::kRefused, A::kTellRefusal},
    {S::kAwaitingConfirmation, E::kCancel, S::kCancelled, A::kNone},
    {S::kAwaitingConfirmation, E::kConfirmTimeout, S::kExpired, A::kNone},
    {S::kPurchasing, E::kSold, S::kTokenIssued, A::kDeliverToken},
    {S::kPurchasing, E::kPurchaseRefused, S::kRefused, A::kTellRefusal},
    {S::kPurchasing, E::kPurchaseUnknown, S::kNeedsManual, A::kTellPending},
    {S::kTokenIssued, E::kDispatched, S::kSent, A::kAwaitModem},
    {S::kTokenIssued, E::kModemAccepted, S::kCompleted, A::kNone},
    {S::kTokenIssued, E::kModemRejected, S::kNeedsManual, A::kTellRejected},
    {S::kSent, E::kModemAccepted, S::kCompleted, A::kNone},
    {S::kSent, E::kModemRejected, S::kNeedsManual, A::kTellRejected},
    {S::kSent, E::kModemTimeout, S::kSent, A::kResendToken},
    {S::kSent, E::kModemGaveUp, S::kNeedsManual, A::kTellKeyIn},
};

TEST_CASE("every row of the purchase machine does what the issue says") {
  REQUIRE(transition_rows().size() == std::size(kExpected));
  for (const Expected& e : kExpected) {
    INFO(state_name(e.from) << " --" << event_name(e.event) << "-->");
    auto row = transition(e.from, e.event);
    REQUIRE(row.ok());
    CHECK(row->to == e.to);
    CHECK(row->action == e.action);
  }
}

TEST_CASE("every other (state, event) pair is refused") {
  std::set<std::pair<S, E>> allowed;
  for (const Expected& e : kExpected) allowed.insert({e.from, e.event});
  size_t refused = 0;
  for (size_t s = 0; s < kPurchaseStateCount; ++s) {
    for (size_t e = 0; e < kPurchaseEventCount; ++e) {
      auto state = static_cast<S>(s);
      auto event = static_cast<E>(e);
      if (allowed.contains({state, event})) continue;
      auto row = transition(state, event);
      INFO(state_name(state) << " x " << event_name(event));
      REQUIRE_FALSE(row.ok());
      CHECK(row.status().code() == StatusCode::kFailedPrecondition);
      ++refused;
    }
  }
  CHECK(refused == kPurchaseStateCount * kPurchaseEventCount - std::size(kExpected));
}

TEST_CASE("the final states are the issue's ends") {
  std::set<S> finals;
  for (size_t s = 0; s < kPurchaseStateCount; ++s) {
    if (is_final(static_cast<S>(s))) finals.insert(static_cast<S>(s));
  }
  CHECK(finals == std::set<S>{S::kCompleted, S::kRefused, S::kNeedsManual, S::kCancelled, S::kExpired});
}

TEST_CASE("state names are the ledger's strings and round-trip") {
  CHECK(state_name(S::kAwaitingConfirmation) == "awaiting_confirmation");
  CHECK(state_name(S::kNeedsManual) == "needs_manual");
  CHECK(state_name(S::kTokenIssued) == "token_issued");
  std::set<std::string_view> names;
  for (size_t s = 0; s < kPurchaseStateCount; ++s) {
    auto state = static_cast<S>(s);
    names.insert(state_name(state));
    REQUIRE(state_from_name(state_name(state)) == state);
    for (char c : state_name(state)) CHECK(((c >= 'a' && c <= 'z') || c == '_'));  // the ledger's CHECK
  }
  CHECK(names.size() == kPurchaseStateCount);
  CHECK_FALSE(state_from_name("Completed").has_value());
  CHECK_FALSE(state_from_name("").has_value());
  std::set<std::string_view> events;
  for (size_t e = 0; e < kPurchaseEventCount; ++e) events.insert(event_name(static_cast<E>(e)));
  CHECK(events.size() == kPurchaseEventCount);
}

TEST_CASE("timers are rows: confirmation window and modem acknowledgement") {
  REQUIRE(timer_rows().size() == 2);
  auto confirm = timer_of(S::kAwaitingConfirmation);
  REQUIRE(confirm);
  CHECK(confirm->timer == PurchaseTimer::kConfirmWindow);
  CHECK(confirm->on_expiry == E::kConfirmTimeout);
  CHECK(confirm->from == TimerRow::From::kEntry);  // a wrong PIN does not extend the window
  auto modem = timer_of(S::kSent);
  REQUIRE(modem);
  CHECK(modem->timer == PurchaseTimer::kModemAck);
  CHECK(modem->on_expiry == E::kModemTimeout);
  CHECK(modem->from == TimerRow::From::kVersion);  // each resend waits its own timeout
  for (size_t s = 0; s < kPurchaseStateCount; ++s) {
    auto state = static_cast<S>(s);
    if (state == S::kAwaitingConfirmation || state == S::kSent) continue;
    CHECK_FALSE(timer_of(state).has_value());
  }
  // Every timer's expiry event is one its state accepts.
  for (const TimerRow& row : timer_rows()) {
    CHECK(transition(row.state, row.on_expiry).ok());
    if (row.on_expiry == E::kModemTimeout) CHECK(transition(row.state, E::kModemGaveUp).ok());
  }
}

TEST_CASE("modem timeouts resend up to vending.modem_resends, then give up") {
  CHECK(modem_timeout_event(0, 2) == E::kModemTimeout);
  CHECK(modem_timeout_event(1, 2) == E::kModemTimeout);
  CHECK(modem_timeout_event(2, 2) == E::kModemGaveUp);
  CHECK(modem_timeout_event(3, 2) == E::kModemGaveUp);
  CHECK(modem_timeout_event(0, 0) == E::kModemGaveUp);
}

}  // namespace
}  // namespace pintar::engine
