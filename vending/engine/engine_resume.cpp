// start(): everything unfinished, from the ledger alone.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/engine/engine.h"
#include "vending/engine/engine_records.h"

namespace pintar::engine {

Status Engine::resume_outbox() {
  auto pending = deps_.ledger.find_messages("out", "pending", 1'000'000);
  if (!pending.ok()) return pending.status();
  for (const auto& m : *pending) send(m);
  return Status::ok_status();
}

void Engine::arm_outbox_poll() {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  // Kept with the transaction timers so that stop() cancels it ("outbox" is no txn id: those
  // are the engine's own, never this word).
  timers_["outbox"] = deps_.clock.schedule_after(options_.outbox_poll, [this] {
    post("outbox", [this] {
      send_requested();
      arm_outbox_poll();
    });
  });
}

void Engine::send_requested() {
  auto requested = deps_.ledger.find_messages("out", "requested", 100);
  if (!requested.ok()) return counters_.add(kLedgerErrors);
  for (store::MessageRecord m : *requested) {
    // Pending first, then sent: a crash between them leaves it to resume_outbox, never twice.
    store::WriteSet w;
    w.update_delivery(delivery_update(m.message_id, "pending", now_ms()));
    if (!write(std::move(w)).ok()) continue;
    m.delivery_state = "pending";
    send(m);
  }
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
        case PurchaseState::kReceived:
        case PurchaseState::kValidated: await_redelivery(txn); break;
        case PurchaseState::kAwaitingConfirmation: {
          {
            std::lock_guard lock(mutex_);
            pending_confirmation_[txn.msisdn] = txn.txn_id;
          }
          arm_timer(txn);
          break;
        }
        case PurchaseState::kPurchasing: resume_purchasing(txn); break;
        case PurchaseState::kTokenIssued: advance(txn, PurchaseEvent::kDispatched, {}); break;  // SMS resent above
        case PurchaseState::kSent: arm_timer(txn); break;
        default: break;
      }
    });
  }
  return Status::ok_status();
}

// The 2200 may have left before the crash. Never a second one: the P2APST journal says
// what became of it (an unresolved one is asked about with advice); only a purchase the
// journal never recorded, or recorded as never sent, is bought now.
void Engine::resume_purchasing(const store::TransactionRecord& txn) {
  deps_.prepaid.resume_txn_async(txn.txn_id, [this, txn, post = poster()](
                                                 Result<std::optional<p2apst::PurchaseOutcome>> found) {
    post(txn.msisdn, [this, txn, found = std::move(found)]() mutable {
      if (!found.ok()) {
        counters_.add(kLedgerErrors);
        p2apst::BuyOutcome failed;
        failed.ended_at = p2apst::BuyStage::kPurchase;
        failed.error = found.status();
        return purchased(txn, std::move(failed));
      }
      if (!found->has_value() ||
          ((*found)->state == p2apst::PurchaseState::kNotSent && !(*found)->answered_locally)) {
        return purchase(txn);
      }
      p2apst::BuyOutcome outcome;
      outcome.ended_at = p2apst::BuyStage::kPurchase;
      outcome.purchase = std::move(**found);
      purchased(txn, std::move(outcome));
    });
  });
}

void Engine::await_redelivery(const store::TransactionRecord& txn) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  awaiting_redelivery_[txn.txn_id] = deps_.clock.schedule_after(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.resume_wait),
      [this, id = txn.txn_id, phone = txn.msisdn] {
        post(phone, [this, id] {
          {
            std::lock_guard lock(mutex_);
            if (awaiting_redelivery_.erase(id) == 0) return;  // the MO came first
          }
          auto found = deps_.ledger.find_transaction(id);
          if (!found.ok() || !found->has_value()) {
            counters_.add(kLedgerErrors);
            return;
          }
          spdlog::warn("vending: {} resumed without its MO after {} s: the customer is asked for YA", id,
                       options_.resume_wait.count());
          carry_on(**found);
        });
      });
}

bool Engine::take_up_redelivered(const wire::Mo& mo, const std::string& txn_id) {
  {
    std::lock_guard lock(mutex_);
    auto it = awaiting_redelivery_.find(txn_id);
    if (it == awaiting_redelivery_.end()) return false;
    deps_.clock.cancel(it->second);
    awaiting_redelivery_.erase(it);
  }
  auto found = deps_.ledger.find_transaction(txn_id);
  if (!found.ok() || !found->has_value()) {
    counters_.add(kLedgerErrors);
    return false;
  }
  const store::TransactionRecord& txn = **found;
  if (txn.state != state_name(PurchaseState::kReceived) && txn.state != state_name(PurchaseState::kValidated)) {
    return false;
  }
  SmsCommand command = parse_sms_command(mo.text);
  {
    std::lock_guard lock(mutex_);
    if (auto* buy = std::get_if<BuyCommand>(&command); buy != nullptr && buy->pin) {
      pins_.insert_or_assign(txn_id, *buy->pin);
    }
    unacked_mo_.insert_or_assign(txn_id, mo.id);
  }
  counters_.add(kMoRedelivered);
  carry_on(txn);
  return true;
}

void Engine::carry_on(const store::TransactionRecord& txn) {
  if (txn.state == state_name(PurchaseState::kReceived)) {
    validate(txn);
  } else {
    decide(txn);  // without a PIN (it never came again) this asks for YA
  }
}

}  // namespace pintar::engine
