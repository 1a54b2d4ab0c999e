// The sale: the P2APST purchase, the token, its delivery to the modem and the customer, and
// the modem acknowledgement timer. Runs on the customer's strand.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/engine/engine.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {
namespace {

// P2APST computes charges in sen; the receipt and the ledger show them to the rupiah.
int64_t rupiah(const p2apst::MinorAmount& amount) { return p2apst::nearest_rupiah(amount); }

}  // namespace

void Engine::purchase(const store::TransactionRecord& txn) {
  // Not resume_first: other customers' purchases in flight are not "earlier" ones; a
  // restart resumes this one alone (resume_purchasing).
  p2apst::BuyRequest request{.number = txn.meter_no, .by = p2apst::LookupBy::kMeter, .amount = txn.amount_rupiah,
                             .resume_first = false, .txn_id = txn.txn_id};
  p2apst::buy_async(deps_.prepaid, std::move(request), [this, txn, post = poster()](p2apst::BuyOutcome outcome) {
    post(txn.msisdn, [this, txn, outcome = std::move(outcome)]() mutable { purchased(txn, std::move(outcome)); });
  });
}

void Engine::purchased(const store::TransactionRecord& txn, p2apst::BuyOutcome outcome, JournalSays journal) {
  const Language lang = language_for(txn.msisdn, txn.meter_no);
  const int64_t v = txn.version + 1;
  Change change;
  auto tell = [&](std::string body) {
    change.messages.push_back(outgoing(fmt::format("{}.{}.r", txn.txn_id, v), txn.msisdn, std::move(body), txn.txn_id));
  };
  auto pending = [&](std::string reason) {
    change.reason = std::move(reason);
    tell(text(lang, ReplyId::kPurchasePending, {{"meter", txn.meter_no}}));
    advance(txn, PurchaseEvent::kPurchaseUnknown, std::move(change));
  };
  auto refuse = [&](std::string reason, std::string body) {
    change.reason = std::move(reason);
    tell(std::move(body));
    advance(txn, PurchaseEvent::kPurchaseRefused, std::move(change));
  };

  if (!outcome.error.ok()) {
    if (outcome.ended_at == p2apst::BuyStage::kPurchase && journal == JournalSays::kUnasked) {
      // Whether a 2200 left is the journal's to say, not the error's: the same code can mean
      // "not signed on" (nothing sent) or "answered but not recorded" (perhaps sold).
      return settle_after_error(txn, std::move(outcome.error));
    }
    if (outcome.ended_at == p2apst::BuyStage::kPurchase && journal == JournalSays::kMaybeSent) {
      return pending("purchase error: " + outcome.error.message());
    }
    const StatusCode code = outcome.error.code();
    if (code == StatusCode::kUnavailable || code == StatusCode::kFailedPrecondition || code == StatusCode::kTimeout ||
        code == StatusCode::kCancelled) {
      return refuse("p2apst down: " + outcome.error.message(), text(lang, ReplyId::kP2apstDown, {}));
    }
    return refuse("error: " + outcome.error.message(), text(lang, ReplyId::kTemporaryFailure, {}));
  }
  if (outcome.earlier_unresolved) return refuse("earlier purchase unresolved", text(lang, ReplyId::kTemporaryFailure, {}));
  if (outcome.inquiry && !outcome.inquiry->inquiry) {
    std::string reason;
    std::string body = refusal_text(lang, outcome.inquiry->meaning(), txn.meter_no, &reason);
    return refuse(reason, std::move(body));
  }
  if (!outcome.purchase) {
    // Step 3 stopped after an approved inquiry: the same reply as CEK, with PLN's name for it.
    std::vector<Field> fields{{"meter", txn.meter_no}, {"name", ""}, {"tariff", ""}, {"power", ""},
                              {"unsold", amounts_text(outcome.unsold_waiting)}};
    if (outcome.inquiry && outcome.inquiry->inquiry) {
      const p2apst::InquiryResponse& i = *outcome.inquiry->inquiry;
      fields[1].value = std::string(p2apst::trimmed(i.name));
      fields[2].value = std::string(p2apst::trimmed(i.tariff));
      fields[3].value = format_thousands(i.power_va);
    }
    return refuse("unsold tokens waiting", text(lang, ReplyId::kInquiryUnsold, fields));
  }
  const p2apst::PurchaseOutcome& sale = *outcome.purchase;
  if (p2apst::still_pending(sale) || sale.state == p2apst::PurchaseState::kNeedsManual) {
    return pending("p2apst outcome unknown");
  }
  if (sale.state != p2apst::PurchaseState::kCompleted || !sale.receipt) {
    std::string reason;
    // A 0047 tells how much is left this month: the inquiry before the purchase said so.
    std::optional<int64_t> kwh_left;
    if (outcome.inquiry && outcome.inquiry->data3) kwh_left = outcome.inquiry->data3->max_kwh;
    std::string body = refusal_text(lang, sale.meaning(), txn.meter_no, &reason, kwh_left);
    return refuse(reason, std::move(body));
  }

  // Sold: PLN has the money. From here on every failure is for a person, never a new sale.
  const p2apst::PurchaseResponse& receipt = *sale.receipt;
  const int64_t energy = p2apst::kwh_tenths(p2apst::kwh_hundredths(receipt.kwh));
  auto view = subscriber_of(txn.meter_no);
  if (!view) return pending("meter vanished from the registry after the sale");
  auto tokens = deps_.tokens.make(*view, energy, txn.txn_id, receipt.token);
  if (!tokens.ok()) return pending("token not made: " + tokens.status().message());

  const std::string tariff(p2apst::trimmed(receipt.tariff));
  if (auto t = options_.tariff_centi_rupiah_per_kwh.find(tariff); t != options_.tariff_centi_rupiah_per_kwh.end()) {
    const int64_t quote = quote_deci_kwh(rupiah(receipt.power_purchase), t->second);
    if (quote != energy) {
      counters_.add(kKwhQuoteMismatch);
      spdlog::warn("vending: {} P2APST kWh {} differs from the {} quote {}", txn.txn_id, format_kwh(energy), tariff,
                   format_kwh(quote));
    }
  }

  store::VendDetail detail;
  detail.txn_id = txn.txn_id;
  detail.admin_rupiah = rupiah(receipt.admin);
  detail.stamp_duty_rupiah = rupiah(receipt.stamp_duty);
  detail.ppn_rupiah = rupiah(receipt.ppn);
  detail.ppj_rupiah = rupiah(receipt.ppj);
  detail.instalment_rupiah = rupiah(receipt.instalment);
  detail.power_purchase_rupiah = rupiah(receipt.power_purchase);
  detail.p2apst_token = receipt.token;
  detail.key_change_tokens = tokens->key_change_tokens;
  detail.tid = tokens->tid;
  detail.customer_name = std::string(p2apst::trimmed(receipt.name));
  detail.tariff = tariff;
  detail.power_va = receipt.power_va;
  detail.p2apst_reference = std::string(p2apst::trimmed(receipt.pln_ref));
  change.extra.record_vend_detail(detail);

  auto seq = deps_.ledger.max_modem_seq(txn.meter_no);
  if (!seq.ok()) return pending("ledger: " + seq.status().message());
  store::ModemCommand command{.meter_no = txn.meter_no, .seq = *seq + 1, .kind = "token", .txn_id = txn.txn_id,
                              .state = "sent", .attempts = 1, .result = "", .created_ms = now_ms(),
                              .updated_ms = now_ms()};
  auto signed_text = deps_.modems.token_delivery(*view, static_cast<uint32_t>(command.seq), *tokens);
  if (signed_text.ok()) {
    change.messages.push_back(
        outgoing(fmt::format("{}.{}.m", txn.txn_id, v), view->modem.msisdn, *signed_text, txn.txn_id));
  } else {
    // The customer still gets the token; the modem timer tries to sign it again.
    spdlog::error("vending: {} token delivery not signed: {}", txn.txn_id, signed_text.status().message());
    command.state = "queued";
  }
  change.extra.record_modem_command(command);

  if (!tokens->key_change_tokens.empty()) {  // two for a 64-bit key, four for a 128-bit one
    change.messages.push_back(outgoing(fmt::format("{}.{}.k", txn.txn_id, v), txn.msisdn,
                                       text(lang, ReplyId::kKeyChangeFirst,
                                            {{"kcts", key_change_text(lang, tokens->key_change_tokens)},
                                             {"meter", txn.meter_no}}),
                                       txn.txn_id));
  }
  Charges charges{.power_purchase = detail.power_purchase_rupiah, .admin = detail.admin_rupiah,
                  .stamp_duty = detail.stamp_duty_rupiah, .ppn = detail.ppn_rupiah, .ppj = detail.ppj_rupiah,
                  .instalment = detail.instalment_rupiah};
  std::string ref = detail.p2apst_reference.substr(0, 16);
  change.messages.push_back(outgoing(fmt::format("{}.{}.c", txn.txn_id, v), txn.msisdn,
                                     text(lang, ReplyId::kTokenReceipt,
                                          {{"token", format_token(tokens->credit_token)}, {"meter", txn.meter_no},
                                           {"kwh", format_kwh(energy)}, {"amount", format_rupiah(txn.amount_rupiah)},
                                           {"charges", charges_text(lang, charges)}, {"ref", ref}}),
                                     txn.txn_id));
  store::TransactionRecord sold = txn;
  sold.token = tokens->credit_token;
  sold.energy_deci_kwh = energy;
  sold.reference = detail.p2apst_reference.empty() ? std::nullopt : std::optional<std::string>(detail.p2apst_reference);
  advance(std::move(sold), PurchaseEvent::kSold, std::move(change));
}

void Engine::settle_after_error(const store::TransactionRecord& txn, Status error) {
  deps_.prepaid.resume_txn_async(txn.txn_id, [this, txn, error = std::move(error), post = poster()](
                                                 Result<std::optional<p2apst::PurchaseOutcome>> found) mutable {
    post(txn.msisdn, [this, txn, error = std::move(error), found = std::move(found)]() mutable {
      p2apst::BuyOutcome outcome;
      outcome.ended_at = p2apst::BuyStage::kPurchase;
      JournalSays journal = JournalSays::kMaybeSent;
      if (!found.ok()) {
        outcome.error = found.status().with_context(error.message());
      } else if (!found->has_value() || (*found)->state == p2apst::PurchaseState::kNotSent) {
        outcome.error = std::move(error);  // provably nothing left: nothing charged
        journal = JournalSays::kNothingSent;
      } else {
        outcome.purchase = std::move(**found);
      }
      purchased(txn, std::move(outcome), journal);
    });
  });
}

Result<store::MessageRecord> Engine::token_again(const store::TransactionRecord& txn,
                                                 const std::optional<store::VendDetail>& detail,
                                                 const store::ModemCommand& command, std::string message_id) {
  if (!txn.token) return Status::failed_precondition(fmt::format("purchase {} has no token", txn.txn_id));
  auto view = subscriber_of(txn.meter_no);
  if (!view) return Status::not_found(fmt::format("meter {} is not in the registry", txn.meter_no));
  IssuedTokens tokens;
  tokens.credit_token = *txn.token;
  if (detail) {
    tokens.key_change_tokens = detail->key_change_tokens;
    tokens.tid = detail->tid;
  }
  auto signed_text = deps_.modems.token_delivery(*view, static_cast<uint32_t>(command.seq), tokens);
  if (!signed_text.ok()) return signed_text.status();
  return outgoing(std::move(message_id), view->modem.msisdn, std::move(signed_text).value(), txn.txn_id);
}

void Engine::modem_timeout(const store::TransactionRecord& txn) {
  auto command = deps_.ledger.find_modem_command_for(txn.txn_id);
  if (!command.ok() || !command->has_value()) {
    counters_.add(kLedgerErrors);
    return;
  }
  store::ModemCommand cmd = **command;
  const PurchaseEvent event = modem_timeout_event(cmd.attempts - 1, options_.modem_resends);
  const Language lang = language_for(txn.msisdn, txn.meter_no);
  const int64_t v = txn.version + 1;
  Change change;
  cmd.updated_ms = now_ms();
  if (event == PurchaseEvent::kModemGaveUp) {
    cmd.state = "failed";
    cmd.result = "no answer";
    change.reason = "modem silent";
    change.messages.push_back(outgoing(
        fmt::format("{}.{}.r", txn.txn_id, v), txn.msisdn,
        text(lang, ReplyId::kModemSilent, {{"meter", txn.meter_no}, {"token", format_token(txn.token.value_or(""))}}),
        txn.txn_id));
    change.extra.record_modem_command(cmd);
    change.extra.append_audit({.at_ms = now_ms(), .actor = "vending", .action = "modem.silent", .subject = txn.txn_id,
                               .detail = fmt::format("meter {} never acknowledged seq {}", txn.meter_no, cmd.seq)});
    advance(txn, event, std::move(change));
    return;
  }
  auto detail = deps_.ledger.find_vend_detail(txn.txn_id);
  auto again = token_again(txn, detail.ok() ? *detail : std::nullopt, cmd, fmt::format("{}.{}.m", txn.txn_id, v));
  if (again.ok()) {
    change.messages.push_back(std::move(again).value());
    cmd.state = "sent";
  } else {
    spdlog::error("vending: {} token not resent to the modem: {}", txn.txn_id, again.status().message());
  }
  cmd.attempts += 1;
  change.extra.record_modem_command(cmd);
  counters_.add(kModemResends);
  advance(txn, event, std::move(change));
}

}  // namespace pintar::engine
