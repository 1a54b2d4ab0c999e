// The purchase machine driven: advance() writes each transition with the SMS it causes,
// then performs the row's action. Runs on the customer's strand.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/engine/engine.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {

void Engine::advance(store::TransactionRecord current, PurchaseEvent event, Change change) {
  auto from = state_from_name(current.state);
  if (!from) {
    counters_.add(kTransitionsRefused);
    spdlog::error("vending: {} has unknown state {}", current.txn_id, current.state);
    return;
  }
  auto row = transition(*from, event);
  if (!row.ok()) {
    counters_.add(kTransitionsRefused);
    return;
  }
  store::TransactionRecord next = std::move(current);
  next.version += 1;
  next.state = std::string(state_name(row->to));
  next.recorded_ms = now_ms();
  if (change.reason) next.reason = change.reason;
  store::WriteSet w = std::move(change.extra);
  w.append_transaction(next);
  for (const auto& m : change.messages) w.record_message(m);
  if (Status s = write(std::move(w)); !s.ok()) {
    // Nothing acted on: the transaction stays in its stored state, which resume takes up.
    spdlog::error("vending: {} {} -> {} not written: {}", next.txn_id, state_name(*from), next.state, s.message());
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto t = timers_.find(next.txn_id); t != timers_.end() && row->to != *from) {
      deps_.clock.cancel(t->second);
      timers_.erase(t);
    }
    if (is_final(row->to)) {
      pins_.erase(next.txn_id);
      inquiries_.erase(next.txn_id);
    }
  }
  if (row->to != PurchaseState::kReceived && row->to != PurchaseState::kValidated) {
    // Past the PIN check: the gateway may forget the MO now.
    std::optional<std::string> mo_id;
    {
      std::lock_guard lock(mutex_);
      if (auto it = unacked_mo_.find(next.txn_id); it != unacked_mo_.end()) {
        mo_id = std::move(it->second);
        unacked_mo_.erase(it);
      }
    }
    if (mo_id) deps_.gateway.ack_mo(*mo_id);
  }
  switch (row->to) {
    case PurchaseState::kCompleted: counters_.add(kPurchasesCompleted); break;
    case PurchaseState::kRefused: counters_.add(kPurchasesRefused); break;
    case PurchaseState::kNeedsManual: counters_.add(kPurchasesNeedsManual); break;
    default: break;
  }
  for (const auto& m : change.messages) send(m);
  if (event == PurchaseEvent::kSold) mo_to_token_.observe(std::chrono::milliseconds(now_ms() - next.created_ms));
  perform(next, row->action);
  // Entering the state starts its timer now; staying in it (wrong PIN, resend) is the row's
  // TimerRow::From to settle.
  arm_timer(next, row->to != *from ? std::optional<int64_t>(next.recorded_ms) : std::nullopt);
}

void Engine::perform(const store::TransactionRecord& txn, PurchaseAction action) {
  switch (action) {
    case PurchaseAction::kDecide: decide(txn); break;
    case PurchaseAction::kPurchase: purchase(txn); break;
    case PurchaseAction::kDeliverToken: advance(txn, PurchaseEvent::kDispatched, {}); break;
    case PurchaseAction::kAskConfirmation: {
      std::lock_guard lock(mutex_);
      pending_confirmation_[txn.msisdn] = txn.txn_id;
      break;
    }
    default: break;  // the SMS were written and sent with the transition
  }
}

void Engine::arm_timer(const store::TransactionRecord& txn, std::optional<int64_t> entered_ms) {
  auto state = state_from_name(txn.state);
  if (!state) return;
  auto row = timer_of(*state);
  if (!row) return;
  const auto length = row->timer == PurchaseTimer::kConfirmWindow ? options_.confirm_window : options_.modem_ack_timeout;
  // From the versions' own times, never from now, so that a resumed timer keeps its deadline.
  int64_t start_ms = entered_ms.value_or(txn.recorded_ms);
  if (row->from == TimerRow::From::kEntry && !entered_ms) {
    // Perhaps not the version that entered the state (a wrong PIN in YA stays in it): the
    // window runs from the first of the newest run of versions in this state.
    auto versions = deps_.ledger.transaction_versions(txn.txn_id);
    if (!versions.ok()) counters_.add(kLedgerErrors);  // the newest version's time: never shorter
    if (versions.ok()) {
      for (auto v = versions->rbegin(); v != versions->rend() && v->state == txn.state; ++v) start_ms = v->recorded_ms;
    }
  }
  const int64_t left_ms = std::max<int64_t>(
      0, start_ms + std::chrono::duration_cast<std::chrono::milliseconds>(length).count() - now_ms());
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  if (auto t = timers_.find(txn.txn_id); t != timers_.end()) deps_.clock.cancel(t->second);
  timers_[txn.txn_id] = deps_.clock.schedule_after(
      std::chrono::milliseconds(left_ms),
      [this, id = txn.txn_id, phone = txn.msisdn, armed = *state] {
        post(phone, [this, id, phone, armed] { on_timer(id, phone, armed); });
      });
}

void Engine::on_timer(const std::string& txn_id, const std::string& msisdn, PurchaseState armed) {
  {
    std::lock_guard lock(mutex_);
    timers_.erase(txn_id);
  }
  auto found = deps_.ledger.find_transaction(txn_id);
  if (!found.ok() || !found->has_value()) return;
  const store::TransactionRecord& txn = **found;
  if (txn.state != state_name(armed)) return;  // it moved on meanwhile
  if (armed == PurchaseState::kAwaitingConfirmation) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = pending_confirmation_.find(msisdn); it != pending_confirmation_.end() && it->second == txn_id) {
        pending_confirmation_.erase(it);
      }
    }
    Change change;
    change.reason = "no confirmation";
    advance(txn, PurchaseEvent::kConfirmTimeout, std::move(change));
  } else if (armed == PurchaseState::kSent) {
    modem_timeout(txn);
  }
}

std::optional<store::SubscriberView> Engine::subscriber_of(const std::string& meter_no) {
  auto found = deps_.ledger.find_subscribers(meter_no);
  if (!found.ok()) return std::nullopt;
  for (auto& v : *found) {
    if (v.meter.meter_no == meter_no) return std::move(v);
  }
  return std::nullopt;
}

std::string Engine::refusal_text(Language language, const p2apst::ResponseCode& code, const std::string& meter_no,
                                 std::string* reason, std::optional<int64_t> kwh_left) {
  *reason = fmt::format("p2apst {}", code.code.empty() ? "unknown" : code.code);
  if (code.cause == p2apst::Cause::kUnknownSubscriber) return text(language, ReplyId::kUnknownMeter, {{"number", meter_no}});
  if (code.code == "0047" && kwh_left) {
    return text(language, ReplyId::kKwhOverLimit, {{"max_kwh", std::to_string(*kwh_left)}});
  }
  return text(language, ReplyId::kPurchaseRefused,
              {{"meter", meter_no}, {"reason", std::string(language == Language::kEn ? code.text_en : code.text_id)}});
}

void Engine::validate(const store::TransactionRecord& txn) {
  deps_.prepaid.inquiry_async(txn.meter_no, p2apst::LookupBy::kMeter,
                              [this, txn, post = poster()](Result<p2apst::InquiryOutcome> r) {
    post(txn.msisdn, [this, txn, r = std::move(r)] {
      const Language lang = language_for(txn.msisdn, txn.meter_no);
      Change change;
      const std::string id = fmt::format("{}.{}.r", txn.txn_id, txn.version + 1);
      if (!r.ok()) {
        change.reason = "p2apst down: " + r.status().message();
        change.messages.push_back(outgoing(id, txn.msisdn, text(lang, ReplyId::kP2apstDown, {}), txn.txn_id));
        advance(txn, PurchaseEvent::kInvalid, std::move(change));
        return;
      }
      if (!r->inquiry) {
        std::string reason;
        change.messages.push_back(outgoing(id, txn.msisdn, refusal_text(lang, r->meaning(), txn.meter_no, &reason),
                                           txn.txn_id));
        change.reason = reason;
        advance(txn, PurchaseEvent::kInvalid, std::move(change));
        return;
      }
      {
        std::lock_guard lock(mutex_);
        inquiries_.insert_or_assign(txn.txn_id, *r->inquiry);
      }
      advance(txn, PurchaseEvent::kValid, {});
    });
  });
}

void Engine::decide(const store::TransactionRecord& txn) {
  std::optional<Pin> pin;
  std::optional<p2apst::InquiryResponse> inquiry;
  {
    std::lock_guard lock(mutex_);
    if (auto it = pins_.find(txn.txn_id); it != pins_.end()) {
      pin = it->second;
      pins_.erase(it);
    }
    if (auto it = inquiries_.find(txn.txn_id); it != inquiries_.end()) inquiry = it->second;
  }
  const Language lang = language_for(txn.msisdn, txn.meter_no);
  const std::string id = fmt::format("{}.{}.r", txn.txn_id, txn.version + 1);
  auto own = deps_.ledger.find_subscription(txn.msisdn, txn.meter_no);
  if (own.ok() && own->has_value() && pin) {
    Change change;
    std::vector<Field> fields;
    PurchaseEvent event = check_pin(**own, *pin, change.extra, fields);
    if (event == PurchaseEvent::kConfirmed) {
      advance(txn, PurchaseEvent::kProceed, std::move(change));
      return;
    }
    change.reason = event == PurchaseEvent::kLocked ? "locked" : "wrong pin";
    change.messages.push_back(outgoing(
        id, txn.msisdn, text(lang, event == PurchaseEvent::kLocked ? ReplyId::kLocked : ReplyId::kWrongPin, fields),
        txn.txn_id));
    advance(txn, event, std::move(change));
    return;
  }
  // Another meter, no PIN, or a PIN lost in a restart: ask for YA <PIN>.
  auto view = subscriber_of(txn.meter_no);
  std::string name = view ? view->customer.name : "";
  std::string tariff = view ? view->customer.tariff : "";
  int64_t power = view ? view->customer.power_va : 0;
  int64_t admin = 0;
  if (inquiry) {
    name = std::string(p2apst::trimmed(inquiry->name));
    tariff = std::string(p2apst::trimmed(inquiry->tariff));
    power = inquiry->power_va;
    admin = p2apst::whole_rupiah(inquiry->admin).value_or(0);
  }
  int64_t quote = 0;
  if (auto t = options_.tariff_centi_rupiah_per_kwh.find(tariff); t != options_.tariff_centi_rupiah_per_kwh.end()) {
    const int64_t taxes_bp = rate_for(options_.pbjt_bp, view ? view->customer.region : "") + rate_for(options_.ppn_bp, tariff);
    quote = quote_deci_kwh(quote_power_purchase(txn.amount_rupiah, admin, taxes_bp), t->second);
  }
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(options_.confirm_window).count();
  Change change;
  change.messages.push_back(outgoing(
      id, txn.msisdn,
      text(lang, ReplyId::kConfirmPrompt,
           {{"meter", txn.meter_no}, {"name", name}, {"tariff", tariff}, {"power", format_thousands(power)},
            {"amount", format_rupiah(txn.amount_rupiah)}, {"admin", format_rupiah(admin)}, {"kwh", format_kwh(quote)},
            {"minutes", std::to_string(std::max<int64_t>(minutes, 1))}}),
      txn.txn_id));
  advance(txn, PurchaseEvent::kAskConfirmation, std::move(change));
}

}  // namespace pintar::engine
