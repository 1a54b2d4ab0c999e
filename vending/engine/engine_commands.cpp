// The customer commands: one MO in, its effect recorded with it, then acked and answered.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "vending/engine/engine.h"
#include "vending/engine/engine_records.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {
namespace {

// Transaction ids follow from the MO id, so processing an MO again after a crash meets its
// own first version (AlreadyExists) instead of making a second purchase.
// At most 48 characters, so that "<txn>.<version>.<kind>" message ids fit the ledger's 64.
std::string txn_id_for(const wire::Mo& mo) { return bounded_id("t", mo.id, 48); }

}  // namespace

bool Engine::rate_limited(const std::string& msisdn) {
  const int64_t now = now_ms();
  std::lock_guard lock(mutex_);
  Rate& r = rates_[msisdn];
  if (r.silent_until_ms > now) return true;
  const int64_t window = std::chrono::duration_cast<std::chrono::milliseconds>(options_.rate_limit_window).count();
  if (now - r.window_start_ms >= window) {
    r.window_start_ms = now;
    r.count = 0;
  }
  ++r.count;
  return r.count > options_.rate_limit_count;
}

void Engine::on_mo_repeat(wire::MoRepeat repeat) {
  const std::string phone = repeat.from;
  post(phone, [this, repeat = std::move(repeat)] {
    const std::string& phone = repeat.from;
    if (repeat.idempotency_key.empty()) {
      counters_.add(kMoRepeatsUnanswered);
      return;
    }
    auto earlier = deps_.ledger.find_transaction_by_idempotency_key(repeat.idempotency_key);
    if (!earlier.ok()) {
      counters_.add(kLedgerErrors);
      return;  // best effort: the customer has the first answer, or gets it
    }
    const int64_t window = std::chrono::duration_cast<std::chrono::milliseconds>(options_.same_text_window).count();
    // In received, validated or purchasing the first answer is still to come (and a repeat
    // in those states is most likely the SMSC redelivering after a gateway restart).
    const auto state = earlier->has_value() ? state_from_name((*earlier)->state) : std::nullopt;
    const bool answerable = state && *state != PurchaseState::kReceived && *state != PurchaseState::kValidated &&
                            *state != PurchaseState::kPurchasing;
    if (!answerable || (*earlier)->msisdn != phone || now_ms() - (*earlier)->created_ms >= window ||
        rate_limited(phone)) {
      counters_.add(kMoRepeatsUnanswered);
      return;
    }
    const store::TransactionRecord& first = **earlier;
    auto sent = deps_.ledger.messages_of(first.txn_id);
    if (!sent.ok()) {
      counters_.add(kLedgerErrors);
      return;
    }
    for (auto it = sent->rbegin(); it != sent->rend(); ++it) {
      if (it->direction != "out" || it->msisdn != phone) continue;
      // One id per repeat (the gateway stores an MT id once), within the ledger's 64.
      store::MessageRecord again =
          outgoing(fmt::format("{}.a{}", first.txn_id, repeat.received_at_ms), phone, it->body, first.txn_id);
      store::WriteSet w;
      w.record_message(again);
      if (!write(std::move(w)).ok()) return;
      counters_.add(kSameTextAnswered);
      send(again);
      return;
    }
    counters_.add(kMoRepeatsUnanswered);
  });
}

void Engine::process_mo(wire::Mo mo) {
  const std::string& phone = mo.from;
  if (rate_limited(phone)) {
    counters_.add(kMoRateLimited);
    std::vector<store::MessageRecord> replies;
    bool warn = false;
    {
      std::lock_guard lock(mutex_);
      Rate& r = rates_[phone];
      if (r.silent_until_ms <= now_ms()) {  // the first one over the limit: warn once
        r.silent_until_ms =
            now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(options_.rate_limit_silence).count();
        warn = true;
      }
    }
    if (warn) {
      const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(options_.rate_limit_silence).count();
      replies.push_back(outgoing(reply_id(mo.id), phone,
                                 text(language_for(phone, ""), ReplyId::kRateLimited,
                                      {{"minutes", std::to_string(std::max<int64_t>(minutes, 1))}}),
                                 std::nullopt));
    }
    answer_mo(mo, std::move(replies), std::nullopt);  // recorded and acked: nothing is lost
    return;
  }
  SmsCommand command = parse_sms_command(mo.text);
  if (!std::holds_alternative<ConfirmCommand>(command)) cancel_pending(phone);
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, BuyCommand>) {
          on_buy(mo, std::move(c));
        } else if constexpr (std::is_same_v<T, ConfirmCommand>) {
          on_confirm(mo, c);
        } else if constexpr (std::is_same_v<T, InquiryCommand>) {
          on_inquiry(mo, c);
        } else if constexpr (std::is_same_v<T, ResendCommand>) {
          on_resend(mo, c);
        } else if constexpr (std::is_same_v<T, BalanceCommand>) {
          on_balance(mo, c);
        } else if constexpr (std::is_same_v<T, ChangePinCommand>) {
          on_change_pin(mo, c);
        } else if constexpr (std::is_same_v<T, LanguageCommand>) {
          on_language(mo, c);
        } else if constexpr (std::is_same_v<T, HelpCommand>) {
          answer_mo(mo, {outgoing(reply_id(mo.id), phone, text(language_for(phone, ""), ReplyId::kHelp, {}), std::nullopt)},
                    std::nullopt);
        } else {  // ParseError
          const Language lang = language_for(phone, "");
          std::string body = c.command ? text(lang, ReplyId::kBadFormat,
                                              {{"example", std::string(command_example(*c.command))}})
                                       : text(lang, ReplyId::kHelp, {});
          answer_mo(mo, {outgoing(reply_id(mo.id), phone, std::move(body), std::nullopt)}, std::nullopt);
        }
      },
      command);
}

void Engine::on_buy(const wire::Mo& mo, BuyCommand command) {
  const std::string& phone = mo.from;
  Language lang = language_for(phone, "");
  auto reply = [&](std::string body) {
    answer_mo(mo, {outgoing(reply_id(mo.id), phone, std::move(body), std::nullopt)}, std::nullopt);
  };
  if (Status s = check_denomination(command.amount_rupiah, options_.denominations); !s.ok()) {
    reply(text(lang, ReplyId::kAmountNotAllowed, {{"denominations", amounts_text(options_.denominations)}}));
    return;
  }
  auto found = deps_.ledger.find_subscribers(command.subscriber.number);
  if (!found.ok()) {
    counters_.add(kLedgerErrors);
    return;  // not acked: the gateway repeats the MO
  }
  const store::SubscriberView* view = nullptr;
  for (const auto& v : *found) {
    if ((command.subscriber.by == p2apst::LookupBy::kMeter && v.meter.meter_no == command.subscriber.number) ||
        (command.subscriber.by == p2apst::LookupBy::kIdpel && v.customer.idpel == command.subscriber.number)) {
      view = &v;
      break;
    }
  }
  if (view == nullptr) {
    // A one-way meter a migration replaced: the customer is told the new meter's number
    // rather than buying for it unasked (the PIN and the subscription are the new meter's).
    std::optional<std::string> replaced;
    if (command.subscriber.by == p2apst::LookupBy::kMeter) {
      auto migrated = deps_.ledger.find_migrated_meter(command.subscriber.number);
      if (!migrated.ok()) {
        counters_.add(kLedgerErrors);
        return;  // not acked: the gateway repeats the MO
      }
      replaced = *migrated;
    }
    reply(replaced ? text(lang, ReplyId::kMeterMigrated, {{"number", command.subscriber.number}, {"meter", *replaced}})
                   : text(lang, ReplyId::kUnknownMeter, {{"number", command.subscriber.number}}));
    return;
  }
  lang = language_for(phone, view->meter.meter_no);

  // The same purchase text within the window is the same request: answered with the first
  // result. After the window the same text is a new purchase with a key of its own.
  std::string key = mo.idempotency_key.empty() ? mo.id : mo.idempotency_key;
  auto earlier = deps_.ledger.find_transaction_by_idempotency_key(key);
  if (!earlier.ok()) {
    counters_.add(kLedgerErrors);
    return;
  }
  if (earlier->has_value()) {
    const store::TransactionRecord& first = **earlier;
    const int64_t window = std::chrono::duration_cast<std::chrono::milliseconds>(options_.same_text_window).count();
    if (first.msisdn == phone && now_ms() - first.created_ms < window) {
      counters_.add(kSameTextAnswered);
      std::vector<store::MessageRecord> replies;
      auto sent = deps_.ledger.messages_of(first.txn_id);
      if (sent.ok()) {
        for (auto it = sent->rbegin(); it != sent->rend(); ++it) {
          if (it->direction == "out" && it->msisdn == phone) {
            replies.push_back(outgoing(reply_id(mo.id), phone, it->body, first.txn_id));
            break;
          }
        }
      }
      answer_mo(mo, std::move(replies), first.txn_id);
      return;
    }
    key += ":" + mo.id;
  }

  store::TransactionRecord txn;
  txn.txn_id = txn_id_for(mo);
  txn.version = 1;
  txn.idempotency_key = key;
  txn.meter_no = view->meter.meter_no;
  txn.msisdn = phone;
  txn.amount_rupiah = command.amount_rupiah;
  txn.state = std::string(state_name(PurchaseState::kReceived));
  txn.created_ms = now_ms();
  txn.recorded_ms = txn.created_ms;

  store::WriteSet w;
  store::MessageRecord in;
  in.message_id = mo.id;
  in.direction = "in";
  in.msisdn = phone;
  in.body = masked_text(mo.text);
  in.txn_id = txn.txn_id;
  in.delivery_state = "received";
  in.created_ms = mo.received_at_ms > 0 ? mo.received_at_ms : txn.created_ms;
  in.updated_ms = txn.created_ms;
  w.record_message(std::move(in));
  w.append_transaction(txn);
  Status s = write(std::move(w));
  if (s.code() == StatusCode::kAlreadyExists) {
    counters_.add(kMoDuplicate);
    deps_.gateway.ack_mo(mo.id);
    return;
  }
  if (!s.ok()) return;
  // Not acked yet: the gateway keeps the MO (and so the PIN) until the PIN is checked.
  counters_.add(kMoProcessed);
  counters_.add(kPurchasesStarted);
  {
    std::lock_guard lock(mutex_);
    if (command.pin) pins_.insert_or_assign(txn.txn_id, *command.pin);
    unacked_mo_.insert_or_assign(txn.txn_id, mo.id);
  }
  validate(txn);
}

std::optional<store::Subscription> Engine::pin_subscription(const std::string& msisdn, const std::string& meter_no) {
  auto own = deps_.ledger.find_subscription(msisdn, meter_no);
  if (own.ok() && own->has_value()) return **own;
  // Buying for another meter: the phone's own PIN (of its first subscription) confirms.
  auto subs = deps_.ledger.subscriptions_of(msisdn);
  if (subs.ok() && !subs->empty()) return subs->front();
  return std::nullopt;
}

PurchaseEvent Engine::check_pin(const store::Subscription& sub, const Pin& pin, store::WriteSet& writes,
                                std::vector<Field>& fields) {
  const int64_t now = now_ms();
  const auto lock_minutes = options_.pin_lock.count();
  if (sub.locked_until_ms > now) {
    fields.push_back({"minutes", std::to_string(std::max<int64_t>(1, (sub.locked_until_ms - now + 59'999) / 60'000))});
    return PurchaseEvent::kLocked;
  }
  if (deps_.pins.matches(sub.msisdn, sub.meter_no, pin.digits(), sub.pin_hash)) {
    if (sub.failed_pin_attempts != 0) {
      auto u = subscription_update(sub);
      u.failed_pin_attempts = 0;
      writes.update_subscription(std::move(u));
    }
    return PurchaseEvent::kConfirmed;
  }
  counters_.add(kWrongPins);
  const int64_t failed = sub.failed_pin_attempts + 1;
  if (failed >= options_.pin_attempts) {
    counters_.add(kLockouts);
    auto u = subscription_update(sub);
    u.failed_pin_attempts = 0;
    u.locked_until_ms = now + lock_minutes * 60'000;
    writes.update_subscription(std::move(u));
    writes.append_audit({.at_ms = now, .actor = "vending", .action = "pin.locked", .subject = sub.meter_no,
                         .detail = fmt::format("{} wrong PINs from {}; locked {} min", failed, sub.msisdn, lock_minutes)});
    fields.push_back({"minutes", std::to_string(lock_minutes)});
    return PurchaseEvent::kLocked;
  }
  auto u = subscription_update(sub);
  u.failed_pin_attempts = failed;
  writes.update_subscription(std::move(u));
  fields.push_back({"attempts", std::to_string(options_.pin_attempts - failed)});
  return PurchaseEvent::kWrongPin;
}

void Engine::cancel_pending(const std::string& msisdn) {
  std::string txn_id;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_confirmation_.find(msisdn);
    if (it == pending_confirmation_.end()) return;
    txn_id = it->second;
    pending_confirmation_.erase(it);
  }
  auto txn = deps_.ledger.find_transaction(txn_id);
  if (!txn.ok() || !txn->has_value() || (*txn)->state != state_name(PurchaseState::kAwaitingConfirmation)) return;
  Change change;
  change.reason = "cancelled by another SMS";
  advance(**txn, PurchaseEvent::kCancel, std::move(change));
}

void Engine::on_confirm(const wire::Mo& mo, const ConfirmCommand& command) {
  const std::string& phone = mo.from;
  std::optional<std::string> txn_id;
  {
    std::lock_guard lock(mutex_);
    if (auto it = pending_confirmation_.find(phone); it != pending_confirmation_.end()) txn_id = it->second;
  }
  std::optional<store::TransactionRecord> txn;
  if (txn_id) {
    auto found = deps_.ledger.find_transaction(*txn_id);
    if (!found.ok()) {
      counters_.add(kLedgerErrors);
      return;
    }
    if (found->has_value() && (*found)->state == state_name(PurchaseState::kAwaitingConfirmation)) txn = **found;
  }
  if (!txn) {
    answer_mo(mo, {outgoing(reply_id(mo.id), phone, text(language_for(phone, ""), ReplyId::kNothingToConfirm, {}),
                            std::nullopt)},
              std::nullopt);
    return;
  }
  auto sub = pin_subscription(phone, txn->meter_no);
  if (!sub) {
    answer_mo(mo, {outgoing(reply_id(mo.id), phone,
                            text(language_for(phone, txn->meter_no), ReplyId::kNotSubscribed, {{"meter", txn->meter_no}}),
                            std::nullopt)},
              std::nullopt);
    return;
  }
  // The YA is recorded (and acked) first; the confirmation is then a transition like any other.
  answer_mo(mo, {}, txn->txn_id);
  Change change;
  std::vector<Field> fields;
  PurchaseEvent event = check_pin(*sub, command.pin, change.extra, fields);
  const Language lang = language_for(phone, txn->meter_no);
  if (event == PurchaseEvent::kWrongPin) {
    change.messages.push_back(outgoing(fmt::format("{}.{}.p", txn->txn_id, txn->version + 1), phone,
                                       text(lang, ReplyId::kWrongPin, fields), txn->txn_id));
  } else if (event == PurchaseEvent::kLocked) {
    change.reason = "locked";
    change.messages.push_back(outgoing(fmt::format("{}.{}.p", txn->txn_id, txn->version + 1), phone,
                                       text(lang, ReplyId::kLocked, fields), txn->txn_id));
    std::lock_guard lock(mutex_);
    pending_confirmation_.erase(phone);
  } else {
    std::lock_guard lock(mutex_);
    pending_confirmation_.erase(phone);
  }
  advance(*txn, event, std::move(change));
}

}  // namespace pintar::engine
