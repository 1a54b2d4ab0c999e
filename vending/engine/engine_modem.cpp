// What modems send: authenticated by ModemLink, matched to our command by (meter, seq), and
// applied to the purchase on the customer's strand. Anything refused is dropped, counted and
// audited, never acted on or answered.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/engine/engine.h"
#include "vending/engine/engine_records.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {
namespace {

ReplyId rejection_reply(meters::MeterReason reason) {
  switch (reason) {
    case meters::MeterReason::kCrc: return ReplyId::kMeterRejectedCrc;
    case meters::MeterReason::kUsed: return ReplyId::kMeterRejectedUsed;
    case meters::MeterReason::kOld: return ReplyId::kMeterRejectedOld;
    case meters::MeterReason::kKeyExpired: return ReplyId::kMeterRejectedKeyExpired;
    case meters::MeterReason::kOverLimit: return ReplyId::kMeterRejectedOverLimit;
    default: return ReplyId::kMeterRejectedCrc;
  }
}

}  // namespace

void Engine::on_modem_mo(const wire::Mo& mo) {
  ModemInbound in = deps_.modems.receive(mo.from, mo.text);
  if (in.verdict != ModemInbound::Verdict::kOk) {
    counters_.add(kModemAnswersDropped);
    spdlog::warn("vending: modem SMS from {} dropped: {} ({})", mo.from, inbound_verdict_name(in.verdict), in.detail);
    store::WriteSet w;
    w.append_audit({.at_ms = now_ms(), .actor = "vending", .action = "modem.dropped", .subject = mo.from,
                    .detail = fmt::format("{}: {}", inbound_verdict_name(in.verdict), in.detail)});
    if (in.verdict == ModemInbound::Verdict::kStoreError || !write(std::move(w)).ok()) return;  // repeated later
    answer_mo(mo, {}, std::nullopt, Body::kModem);
    return;
  }
  std::optional<uint32_t> seq;
  if (const auto* acc = std::get_if<meters::Accepted>(&in.message->body)) seq = acc->seq;
  if (const auto* rej = std::get_if<meters::Rejected>(&in.message->body)) seq = rej->seq;
  if (!seq || !in.subscriber) {
    answer_mo(mo, {}, std::nullopt, Body::kModem);  // readings and events: the meter-management issue's
    return;
  }
  const std::string meter = in.subscriber->meter.meter_no;
  auto command = deps_.ledger.find_modem_command(meter, *seq);
  if (!command.ok()) {
    counters_.add(kLedgerErrors);
    return;
  }
  std::optional<store::TransactionRecord> txn;
  if (command->has_value() && (*command)->txn_id) {
    auto found = deps_.ledger.find_transaction(*(*command)->txn_id);
    if (found.ok() && found->has_value()) txn = **found;
  }
  if (!txn) {
    counters_.add(kModemAnswersUnmatched);
    answer_mo(mo, {}, std::nullopt, Body::kModem);
    return;
  }
  post(txn->msisdn, [this, mo, txn_id = txn->txn_id, message = *in.message, cmd = **command]() mutable {
    auto found = deps_.ledger.find_transaction(txn_id);
    if (!found.ok() || !found->has_value()) return;
    const store::TransactionRecord& t = **found;
    auto state = state_from_name(t.state);
    if (state != PurchaseState::kSent && state != PurchaseState::kTokenIssued) {
      counters_.add(kModemAnswersUnmatched);  // late: the purchase already ended
      answer_mo(mo, {}, txn_id, Body::kModem);
      return;
    }
    const Language lang = language_for(t.msisdn, t.meter_no);
    Change change;
    PurchaseEvent event = PurchaseEvent::kModemAccepted;
    cmd.updated_ms = now_ms();
    if (const auto* acc = std::get_if<meters::Accepted>(&message.body)) {
      cmd.state = "accepted";
      cmd.result = acc->credit ? fmt::format("CR {}", *acc->credit) : "accepted";
      auto event_record = meter_event(t.meter_no, now_ms(), "token_accepted", fmt::format("txn {} seq {}", t.txn_id, cmd.seq));
      if (acc->credit) event_record.credit_deci_kwh = static_cast<int64_t>(*acc->credit);
      change.extra.record_meter_event(std::move(event_record));
    } else if (const auto* rej = std::get_if<meters::Rejected>(&message.body)) {
      event = PurchaseEvent::kModemRejected;
      const ReplyId reply = rejection_reply(rej->reason);
      cmd.state = "rejected";
      cmd.result = std::string(reply_name(reply));
      change.reason = "meter rejected: " + std::string(reply_name(reply));
      change.messages.push_back(outgoing(fmt::format("{}.{}.r", t.txn_id, t.version + 1), t.msisdn,
                                         text(lang, reply,
                                              {{"meter", t.meter_no}, {"token", format_token(t.token.value_or(""))}}),
                                         t.txn_id));
      change.extra.record_meter_event(
          meter_event(t.meter_no, now_ms(), "token_rejected", fmt::format("txn {} seq {}: {}", t.txn_id, cmd.seq, cmd.result)));
    }
    change.extra.record_modem_command(cmd);
    // The transition first, then the MO recorded and acked: a crash between them gets the MO
    // again, which the replay guard then drops (its counter is already recorded).
    advance(t, event, std::move(change));
    answer_mo(mo, {}, txn_id, Body::kModem);
  });
}

}  // namespace pintar::engine
