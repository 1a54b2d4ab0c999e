// The purchase of one customer as a persisted state machine (issue 10, docs/vending.md
// "The purchase"): one table, state x event -> next state, action, in purchase_machine.cpp,
// and one transition() that looks an event up in it. Nothing else decides where a purchase
// goes next; the engine performs the action the row names after it has written the new
// state (store::TransactionRecord::state = state_name(next)) to the ledger.
//
// Timers are rows too (timer_rows()): entering a state with a timer arms it; its expiry is an
// event like any other (the engine re-arms it on resume from the state and the versions'
// recorded_ms alone, so a restart keeps every deadline). The modem
// acknowledgement timer's expiry is kModemTimeout while resends are left and kModemGaveUp
// after the last one (modem_timeout_event() picks, so the table stays guard-free).
//
// Pure functions over constant tables, any thread.
#ifndef PINTAR_VENDING_ENGINE_PURCHASE_MACHINE_H_
#define PINTAR_VENDING_ENGINE_PURCHASE_MACHINE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/status.h"

namespace pintar::engine {

enum class PurchaseState : uint8_t {
  kReceived,              // the MO is recorded; registry and P2APST inquiry next
  kValidated,             // the meter exists, the amount is sold: own meter + PIN, or confirmation?
  kAwaitingConfirmation,  // asked for "YA <PIN>" within vending.confirm_window_s
  kPurchasing,            // the P2APST purchase (2200, advice) is under way: never a second one
  kTokenIssued,           // P2APST sold and the token exists: the modem MT and receipt are recorded
  kSent,                  // token sent to the modem and the customer; waiting for the meter's answer
  kCompleted,             // the meter accepted the token (end)
  kRefused,               // not sold, customer told why (end)
  kNeedsManual,           // a person must act (modem silent, meter rejected, outcome unknown) (end)
  kCancelled,             // the customer sent something else instead of YA (end)
  kExpired,               // no YA within the window (end)
};
inline constexpr size_t kPurchaseStateCount = static_cast<size_t>(PurchaseState::kExpired) + 1;

enum class PurchaseEvent : uint8_t {
  kValid,             // registry + inquiry answered: the purchase can be made
  kInvalid,           // unknown meter, amount not allowed, P2APST refused the inquiry, locked...
  kProceed,           // own meter with the right PIN: buy at once
  kAskConfirmation,   // other meter, or no PIN: ask for YA
  kConfirmed,         // YA with the right PIN
  kWrongPin,          // YA with a wrong PIN (attempts left)
  kLocked,            // the wrong PIN that locked the subscription
  kCancel,            // another command from the phone while awaiting confirmation
  kConfirmTimeout,    // timer: the confirmation window passed
  kSold,              // P2APST approved and the token was made
  kPurchaseRefused,   // P2APST refused (or never made it): nothing charged
  kPurchaseUnknown,   // the outcome stayed unknown after the advices, or the token could not be made
  kDispatched,        // the modem MT and the receipt were handed to the gateway
  kModemAccepted,     // the meter's ACC (authenticated)
  kModemRejected,     // the meter's REJ (authenticated)
  kModemTimeout,      // timer: no answer, resends left
  kModemGaveUp,       // timer: no answer after the last resend
};
inline constexpr size_t kPurchaseEventCount = static_cast<size_t>(PurchaseEvent::kModemGaveUp) + 1;

// What the engine does after the new state is durable.
enum class PurchaseAction : uint8_t {
  kNone,
  kDecide,            // own meter + PIN -> kProceed, else kAskConfirmation
  kAskConfirmation,   // send the confirmation prompt
  kTellRefusal,       // send the reply naming the reason (TransactionRecord::reason)
  kTellWrongPin,      // send "wrong PIN, N attempts left"
  kPurchase,          // the P2APST purchase, carrying the txn_id into the journal
  kDeliverToken,      // send the modem TOK and the receipt recorded with the new state
  kAwaitModem,        // nothing to send: the modem timer runs
  kResendToken,       // send the same token to the modem again (attempts + 1)
  kTellPending,       // the outcome is unknown: the customer is told it is being resolved
  kTellKeyIn,         // the meter never answered: the customer keys the token in by hand
  kTellRejected,      // the meter's reason, told to the customer
};

enum class PurchaseTimer : uint8_t { kNone, kConfirmWindow, kModemAck };

struct TransitionRow {
  PurchaseState from;
  PurchaseEvent event;
  PurchaseState to;
  PurchaseAction action;
};

struct TimerRow {
  PurchaseState state;       // armed on entering this state (and on resume in it)
  PurchaseTimer timer;       // its length: vending.confirm_window_s / vending.modem_ack_timeout_s
  PurchaseEvent on_expiry;   // kModemTimeout is turned into kModemGaveUp by modem_timeout_event()
  // Where the timer's length counts from, when a row leads from `state` back to itself:
  // kEntry, the first version in the state (the confirmation window: a wrong PIN in YA must
  // not give the customer five more minutes); kVersion, the newest version (each resend
  // to the modem waits its own vending.modem_ack_timeout_s).
  enum class From : uint8_t { kEntry, kVersion } from;
};

std::span<const TransitionRow> transition_rows();
std::span<const TimerRow> timer_rows();

std::string_view state_name(PurchaseState state);  // "awaiting_confirmation": TransactionRecord::state
std::optional<PurchaseState> state_from_name(std::string_view name);
std::string_view event_name(PurchaseEvent event);
std::string_view action_name(PurchaseAction action);
bool is_final(PurchaseState state);  // no row leaves it

// The row for (from, event), or FailedPrecondition naming both (logged at warn: a refused
// event is a bug or a late message, never acted on).
Result<TransitionRow> transition(PurchaseState from, PurchaseEvent event);
// The timer armed in `state` (kNone when none).
std::optional<TimerRow> timer_of(PurchaseState state);
// kModemTimeout while fewer than `resends` resends were made, kModemGaveUp after.
PurchaseEvent modem_timeout_event(int64_t resends_made, int64_t resends);

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_PURCHASE_MACHINE_H_
