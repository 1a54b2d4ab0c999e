#include "vending/engine/purchase_machine.h"

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pintar::engine {
namespace {

using S = PurchaseState;
using E = PurchaseEvent;
using A = PurchaseAction;

// The whole machine (docs/vending.md draws it). A (state, event) pair that is not here is
// refused by transition().
constexpr TransitionRow kRows[] = {
    {S::kReceived, E::kValid, S::kValidated, A::kDecide},
    {S::kReceived, E::kInvalid, S::kRefused, A::kTellRefusal},

    {S::kValidated, E::kProceed, S::kPurchasing, A::kPurchase},
    {S::kValidated, E::kAskConfirmation, S::kAwaitingConfirmation, A::kAskConfirmation},
    // A wrong PIN in the TOKEN itself: told, the purchase ends (the customer sends it again).
    {S::kValidated, E::kWrongPin, S::kRefused, A::kTellWrongPin},
    {S::kValidated, E::kLocked, S::kRefused, A::kTellRefusal},

    {S::kAwaitingConfirmation, E::kConfirmed, S::kPurchasing, A::kPurchase},
    // A wrong PIN in YA keeps the offer open (the window still runs) so a typo can be fixed.
    {S::kAwaitingConfirmation, E::kWrongPin, S::kAwaitingConfirmation, A::kTellWrongPin},
    {S::kAwaitingConfirmation, E::kLocked, S::kRefused, A::kTellRefusal},
    {S::kAwaitingConfirmation, E::kCancel, S::kCancelled, A::kNone},
    {S::kAwaitingConfirmation, E::kConfirmTimeout, S::kExpired, A::kNone},

    {S::kPurchasing, E::kSold, S::kTokenIssued, A::kDeliverToken},
    {S::kPurchasing, E::kPurchaseRefused, S::kRefused, A::kTellRefusal},
    {S::kPurchasing, E::kPurchaseUnknown, S::kNeedsManual, A::kTellPending},

    {S::kTokenIssued, E::kDispatched, S::kSent, A::kAwaitModem},
    // An answer can overtake our own "sent" version (the modem is fast, the write is not).
    {S::kTokenIssued, E::kModemAccepted, S::kCompleted, A::kNone},
    {S::kTokenIssued, E::kModemRejected, S::kNeedsManual, A::kTellRejected},

    {S::kSent, E::kModemAccepted, S::kCompleted, A::kNone},
    {S::kSent, E::kModemRejected, S::kNeedsManual, A::kTellRejected},
    {S::kSent, E::kModemTimeout, S::kSent, A::kResendToken},
    {S::kSent, E::kModemGaveUp, S::kNeedsManual, A::kTellKeyIn},
};

constexpr TimerRow kTimers[] = {
    {S::kAwaitingConfirmation, PurchaseTimer::kConfirmWindow, E::kConfirmTimeout, TimerRow::From::kEntry},
    {S::kSent, PurchaseTimer::kModemAck, E::kModemTimeout, TimerRow::From::kVersion},
};

constexpr std::array<std::string_view, kPurchaseStateCount> kStateNames = {
    "received", "validated", "awaiting_confirmation", "purchasing", "token_issued", "sent",
    "completed", "refused", "needs_manual", "cancelled", "expired",
};

constexpr std::array<std::string_view, kPurchaseEventCount> kEventNames = {
    "valid", "invalid", "proceed", "ask_confirmation", "confirmed", "wrong_pin", "locked", "cancel",
    "confirm_timeout", "sold", "purchase_refused", "purchase_unknown", "dispatched", "modem_accepted",
    "modem_rejected", "modem_timeout", "modem_gave_up",
};

}  // namespace

std::span<const TransitionRow> transition_rows() { return kRows; }
std::span<const TimerRow> timer_rows() { return kTimers; }

std::string_view state_name(PurchaseState state) { return kStateNames.at(static_cast<size_t>(state)); }

std::optional<PurchaseState> state_from_name(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<PurchaseState>(i);
  }
  return std::nullopt;
}

std::string_view event_name(PurchaseEvent event) { return kEventNames.at(static_cast<size_t>(event)); }

std::string_view action_name(PurchaseAction action) {
  switch (action) {
    case A::kNone: return "none";
    case A::kDecide: return "decide";
    case A::kAskConfirmation: return "ask_confirmation";
    case A::kTellRefusal: return "tell_refusal";
    case A::kTellWrongPin: return "tell_wrong_pin";
    case A::kPurchase: return "purchase";
    case A::kDeliverToken: return "deliver_token";
    case A::kAwaitModem: return "await_modem";
    case A::kResendToken: return "resend_token";
    case A::kTellPending: return "tell_pending";
    case A::kTellKeyIn: return "tell_key_in";
    case A::kTellRejected: return "tell_rejected";
  }
  return "?";
}

bool is_final(PurchaseState state) {
  for (const TransitionRow& row : kRows) {
    if (row.from == state) return false;
  }
  return true;
}

Result<TransitionRow> transition(PurchaseState from, PurchaseEvent event) {
  for (const TransitionRow& row : kRows) {
    if (row.from == from && row.event == event) {
      spdlog::debug("purchase: {} --{}--> {} ({})", state_name(from), event_name(event), state_name(row.to),
                    action_name(row.action));
      return row;
    }
  }
  spdlog::warn("purchase: event {} refused in state {}", event_name(event), state_name(from));
  return Status::failed_precondition(
      fmt::format("purchase event {} not allowed in state {}", event_name(event), state_name(from)));
}

std::optional<TimerRow> timer_of(PurchaseState state) {
  for (const TimerRow& row : kTimers) {
    if (row.state == state) return row;
  }
  return std::nullopt;
}

PurchaseEvent modem_timeout_event(int64_t resends_made, int64_t resends) {
  return resends_made < resends ? E::kModemTimeout : E::kModemGaveUp;
}

}  // namespace pintar::engine
