// The customer commands that buy nothing: CEK, ULANG, SALDO, PIN, BAHASA.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/engine/engine.h"
#include "vending/engine/engine_records.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {
namespace {

// The meter a command names, or the phone's only one.
std::optional<std::string> meter_of(store::Ledger& ledger, const std::string& msisdn,
                                    const std::optional<SubscriberRef>& ref) {
  if (ref) {
    if (ref->by == p2apst::LookupBy::kMeter) return ref->number;
    auto found = ledger.find_subscribers(ref->number);
    if (found.ok()) {
      for (const auto& v : *found) {
        if (v.customer.idpel == ref->number) return v.meter.meter_no;
      }
    }
    return std::nullopt;
  }
  auto subs = ledger.subscriptions_of(msisdn);
  if (subs.ok() && subs->size() == 1) return subs->front().meter_no;
  return std::nullopt;
}

}  // namespace

void Engine::on_inquiry(const wire::Mo& mo, const InquiryCommand& command) {
  deps_.prepaid.inquiry_async(command.subscriber.number, command.subscriber.by,
                              [this, mo, command, post = poster()](Result<p2apst::InquiryOutcome> r) {
    post(mo.from, [this, mo, command, r = std::move(r)] {
      const Language lang = language_for(mo.from, "");
      std::string body;
      if (!r.ok()) {
        body = text(lang, ReplyId::kP2apstDown, {});
      } else if (!r->inquiry) {
        std::string reason;
        body = refusal_text(lang, r->meaning(), command.subscriber.number, &reason);
      } else {
        const auto& i = *r->inquiry;
        std::vector<Field> fields{{"meter", i.subscriber.meter}, {"idpel", i.subscriber.idpel},
                                  {"name", std::string(p2apst::trimmed(i.name))},
                                  {"tariff", std::string(p2apst::trimmed(i.tariff))},
                                  {"power", format_thousands(i.power_va)}};
        if (r->data3 && !r->data3->unsold_amounts.empty()) {
          fields.push_back({"unsold", amounts_text(r->data3->unsold_amounts)});
          body = text(lang, ReplyId::kInquiryUnsold, fields);
        } else {
          body = text(lang, ReplyId::kInquiry, fields);
        }
      }
      answer_mo(mo, {outgoing(reply_id(mo.id), mo.from, std::move(body), std::nullopt)}, std::nullopt);
    });
  });
}

void Engine::on_resend(const wire::Mo& mo, const ResendCommand& command) {
  const std::string& phone = mo.from;
  auto meter = meter_of(deps_.ledger, phone, command.subscriber);
  Language lang = language_for(phone, meter.value_or(""));
  auto reply = [&](std::string body, std::optional<std::string> txn) {
    answer_mo(mo, {outgoing(reply_id(mo.id), phone, std::move(body), txn)}, txn);
  };
  if (!meter) return reply(text(lang, ReplyId::kChooseMeter, {{"example", std::string(command_example(Keyword::kResend))}}),
                           std::nullopt);
  auto sub = deps_.ledger.find_subscription(phone, *meter);
  if (!sub.ok()) return counters_.add(kLedgerErrors);
  if (!sub->has_value()) return reply(text(lang, ReplyId::kNotSubscribed, {{"meter", *meter}}), std::nullopt);
  store::TransactionQuery q;
  q.meter_no = *meter;
  q.states = {"token_issued", "sent", "completed", "needs_manual"};
  q.limit = 10;
  auto found = deps_.ledger.find_transactions(q);
  if (!found.ok()) return counters_.add(kLedgerErrors);
  for (const auto& t : *found) {
    if (!t.token) continue;
    // The same 20 digits as sold, never a new sale: the SMS are rebuilt from the ledger (the
    // transaction, its vend detail, its modem command), so a restart changes nothing.
    auto detail = deps_.ledger.find_vend_detail(t.txn_id);
    auto command = deps_.ledger.find_modem_command_for(t.txn_id);
    if (!detail.ok() || !command.ok()) return counters_.add(kLedgerErrors);  // not acked: repeated
    auto receipt = receipt_text(lang, t, *detail);
    if (!receipt.ok()) {
      spdlog::error("vending: receipt of {} not rendered: {}", t.txn_id, receipt.status().message());
      return reply(std::string(reply_template(ReplyId::kTemporaryFailure, lang)), std::nullopt);
    }
    std::vector<store::MessageRecord> out;
    if (*detail && !(*detail)->key_change_tokens.empty()) {  // first, as with the sale
      out.push_back(outgoing(reply_id(mo.id, 'k'), phone,
                             text(lang, ReplyId::kKeyChangeFirst,
                                  {{"kcts", key_change_text(lang, (*detail)->key_change_tokens)}, {"meter", t.meter_no}}),
                             t.txn_id));
    }
    out.push_back(outgoing(reply_id(mo.id), phone, std::move(receipt).value(), t.txn_id));
    // And to the modem while the meter never answered: the same command (seq) again, which a
    // meter that did carry it out answers from memory.
    std::string to_modem = "no";
    if (*command && (*command)->state != "accepted" && (*command)->state != "rejected") {
      auto again = token_again(t, *detail, **command, reply_id(mo.id, 'm'));
      if (again.ok()) {
        to_modem = "seq " + std::to_string((*command)->seq);
        out.push_back(std::move(again).value());
      } else {
        spdlog::error("vending: ULANG of {} not sent to the modem: {}", t.txn_id, again.status().message());
      }
    }
    store::WriteSet audit;
    audit.append_audit({.at_ms = now_ms(), .actor = "vending", .action = "token.resend", .subject = t.txn_id,
                        .detail = fmt::format("ULANG from {}; to the modem: {}", phone, to_modem)});
    return answer_mo(mo, std::move(out), t.txn_id, Body::kCustomer, std::move(audit));
  }
  reply(text(lang, ReplyId::kResendNothing, {{"meter", *meter}}), std::nullopt);
}

void Engine::on_balance(const wire::Mo& mo, const BalanceCommand& command) {
  const std::string& phone = mo.from;
  auto meter = meter_of(deps_.ledger, phone, command.subscriber);
  Language lang = language_for(phone, meter.value_or(""));
  auto reply = [&](std::string body) { answer_mo(mo, {outgoing(reply_id(mo.id), phone, std::move(body), std::nullopt)}, std::nullopt); };
  if (!meter) return reply(text(lang, ReplyId::kChooseMeter, {{"example", std::string(command_example(Keyword::kBalance))}}));
  auto sub = deps_.ledger.find_subscription(phone, *meter);
  if (!sub.ok()) return counters_.add(kLedgerErrors);
  if (!sub->has_value()) return reply(text(lang, ReplyId::kNotSubscribed, {{"meter", *meter}}));
  auto events = deps_.ledger.recent_meter_events(*meter, 50);
  if (events.ok()) {
    for (const auto& e : *events) {
      if (!e.credit_deci_kwh) continue;
      const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(e.at_ms)) + std::chrono::hours(7);
      return reply(text(lang, ReplyId::kBalance,
                        {{"meter", *meter}, {"credit", format_kwh(*e.credit_deci_kwh)},
                         {"time", fmt::format("{:%d-%m-%Y %H:%M} WIB", std::chrono::floor<std::chrono::minutes>(t))}}));
    }
  }
  reply(text(lang, ReplyId::kBalanceUnknown, {{"meter", *meter}}));
}

void Engine::on_change_pin(const wire::Mo& mo, const ChangePinCommand& command) {
  const std::string& phone = mo.from;
  Language lang = language_for(phone, "");
  auto subs = deps_.ledger.subscriptions_of(phone);
  if (!subs.ok()) return counters_.add(kLedgerErrors);
  if (subs->empty()) {
    return answer_mo(mo, {outgoing(reply_id(mo.id), phone, text(lang, ReplyId::kHelp, {}), std::nullopt)}, std::nullopt);
  }
  // The old PIN is checked (and counted) against the first subscription; the new one is set on
  // every subscription of this phone whose PIN the old one matches.
  store::WriteSet w;
  std::vector<Field> fields;
  PurchaseEvent event = check_pin(subs->front(), command.old_pin, w, fields);
  std::string body;
  if (event == PurchaseEvent::kConfirmed) {
    for (const auto& s : *subs) {
      if (!deps_.pins.matches(s.msisdn, s.meter_no, command.old_pin.digits(), s.pin_hash)) continue;
      auto hash = deps_.pins.hash(s.msisdn, s.meter_no, command.new_pin.digits());
      if (!hash.ok()) continue;
      auto u = subscription_update(s);
      u.pin_hash = *hash;
      u.failed_pin_attempts = 0;
      w.update_subscription(std::move(u));
    }
    w.append_audit({.at_ms = now_ms(), .actor = "vending", .action = "pin.change", .subject = phone, .detail = "by SMS"});
    body = text(lang, ReplyId::kPinChanged, {});
  } else {
    body = text(lang, event == PurchaseEvent::kLocked ? ReplyId::kLocked : ReplyId::kWrongPin, fields);
  }
  if (!write(std::move(w)).ok()) return;
  answer_mo(mo, {outgoing(reply_id(mo.id), phone, std::move(body), std::nullopt)}, std::nullopt);
}

void Engine::on_language(const wire::Mo& mo, const LanguageCommand& command) {
  const std::string& phone = mo.from;
  auto subs = deps_.ledger.subscriptions_of(phone);
  if (!subs.ok()) return counters_.add(kLedgerErrors);
  store::WriteSet w;
  for (const auto& s : *subs) {
    auto u = subscription_update(s);
    u.language = std::string(language_code(command.language));
    w.update_subscription(std::move(u));
  }
  if (!w.empty() && !write(std::move(w)).ok()) return;
  answer_mo(mo, {outgoing(reply_id(mo.id), phone, text(command.language, ReplyId::kLanguageSet, {}), std::nullopt)},
            std::nullopt);
}

}  // namespace pintar::engine
