// start(): everything unfinished, from the ledger alone.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/engine/engine.h"

namespace pintar::engine {

Status Engine::resume_outbox() {
  auto pending = deps_.ledger.find_messages("out", "pending", 1'000'000);
  if (!pending.ok()) return pending.status();
  for (const auto& m : *pending) send(m);
  return Status::ok_status();
}

Status Engine::resume_transactions() {
  store::TransactionQuery query;
  for (PurchaseState s : {PurchaseState::kReceived, PurchaseState::kValidated, PurchaseState::kAwaitingConfirmation,
                          PurchaseState::kPurchasing, PurchaseState::kTokenIssued, PurchaseState::kSent}) {
    query.states.emplace_back(state_name(s));
  }
  query.limit = 1'000'000;
  auto open = deps_.ledger.find_transactions(query);
  if (!open.ok()) return open.status();
  // Oldest first, so that a phone's newest pending confirmation is the one kept.
  for (auto it = open->rbegin(); it != open->rend(); ++it) {
    counters_.add(kResumed);
    post(it->msisdn, [this, txn = *it] {
      switch (*state_from_name(txn.state)) {
        case PurchaseState::kReceived: validate(txn); break;
        case PurchaseState::kValidated: decide(txn); break;  // the PIN is gone: asks for YA
        case PurchaseState::kAwaitingConfirmation: {
          {
            std::lock_guard lock(mutex_);
            pending_confirmation_[txn.msisdn] = txn.txn_id;
          }
          arm_timer(txn);
          break;
        }
        case PurchaseState::kPurchasing: {
          // The 2200 may have left before the crash. Never a second one: the P2APST journal
          // resolves it (advice) and a person matches it to this transaction.
          Change change;
          change.reason = "purchase outcome unknown after a restart";
          change.messages.push_back(outgoing(
              fmt::format("{}.{}.r", txn.txn_id, txn.version + 1), txn.msisdn,
              text(language_for(txn.msisdn, txn.meter_no), ReplyId::kPurchasePending, {{"meter", txn.meter_no}}),
              txn.txn_id));
          advance(txn, PurchaseEvent::kPurchaseUnknown, std::move(change));
          break;
        }
        case PurchaseState::kTokenIssued: advance(txn, PurchaseEvent::kDispatched, {}); break;  // SMS resent above
        case PurchaseState::kSent: arm_timer(txn); break;
        default: break;
      }
    });
  }
  return Status::ok_status();
}

}  // namespace pintar::engine
