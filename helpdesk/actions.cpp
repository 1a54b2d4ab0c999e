#include "helpdesk/actions.h"

#include <array>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "helpdesk/lookups.h"
#include "vending/engine/replies.h"

namespace pintar::helpdesk {

Status check_reason(std::string_view reason) {
  if (reason.size() < 3 || reason.size() > 200) return Status::invalid_argument("reason: 3 to 200 characters");
  return Status::ok_status();
}

int64_t Actions::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall_now().time_since_epoch()).count();
}

Result<store::MessageRecord> requested_sms(std::string msisdn, std::string body, std::optional<std::string> txn_id,
                                           int64_t now_ms) {
  std::array<uint8_t, 12> random{};
  PINTAR_RETURN_IF_ERROR(crypto::random_bytes(random));
  return store::MessageRecord{.message_id = "hd-" + hex_encode(random), .direction = "out", .msisdn = std::move(msisdn),
                              .body = std::move(body), .txn_id = std::move(txn_id), .smpp_message_id = std::nullopt,
                              .delivery_state = "requested", .created_ms = now_ms, .updated_ms = now_ms};
}

Result<std::string> Actions::resend(const Caller& caller, std::string_view txn_id, std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  if (txn_id.empty() || txn_id.size() > 64) return Status::invalid_argument("purchase id: 1 to 64 characters");
  auto found = ledger_.find_transaction(txn_id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::not_found(fmt::format("no purchase {}", txn_id));
  const store::TransactionRecord& t = **found;
  if (!t.token) return Status::failed_precondition(fmt::format("purchase {} has no token to resend ({})", txn_id, t.state));
  auto sub = ledger_.find_subscription(t.msisdn, t.meter_no);
  if (!sub.ok()) return sub.status();
  const engine::Language lang =
      *sub ? engine::language_from_code((*sub)->language).value_or(engine::Language::kId) : engine::Language::kId;
  auto detail = ledger_.find_vend_detail(txn_id);
  if (!detail.ok()) return detail.status();
  auto body = engine::receipt_text(lang, t, *detail);
  if (!body.ok()) return body.status();
  const int64_t now = now_ms();
  auto sms = requested_sms(t.msisdn, std::move(body).value(), t.txn_id, now);
  if (!sms.ok()) return sms.status();
  const store::MessageRecord& m = *sms;
  store::WriteSet w;
  w.record_message(m);
  w.append_audit({.at_ms = now, .actor = caller.actor(), .action = "token.resend", .subject = t.txn_id,
                  .detail = fmt::format("to the customer's phone as SMS {}; why: {}", m.message_id, reason)});
  PINTAR_RETURN_IF_ERROR(ledger_.write(std::move(w)));
  return m.message_id;
}

Result<store::TransactionRecord> Actions::resolve(const Caller& caller, std::string_view txn_id,
                                                  std::string_view outcome, std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  if (outcome != "completed" && outcome != "refused") {
    return Status::invalid_argument("outcome: completed (the customer has the credit) or refused (not sold/refunded)");
  }
  auto found = ledger_.find_transaction(txn_id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::not_found(fmt::format("no purchase {}", txn_id));
  if ((*found)->state != "needs_manual") {
    return Status::failed_precondition(fmt::format("purchase {} is {}, not needs_manual", txn_id, (*found)->state));
  }
  store::TransactionRecord next = **found;
  const int64_t now = now_ms();
  next.version += 1;
  next.state = std::string(outcome);
  next.reason = fmt::format("resolved by {}: {}", caller.name, reason).substr(0, 256);
  next.recorded_ms = now;
  store::WriteSet w;
  w.append_transaction(next);
  w.append_audit({.at_ms = now, .actor = caller.actor(), .action = "purchase.resolve", .subject = next.txn_id,
                  .detail = fmt::format("needs_manual -> {}; why: {}", outcome, reason)});
  const Status s = ledger_.write(std::move(w));
  // Another version got there first (the engine, or a second operator).
  if (s.code() == StatusCode::kAlreadyExists || s.code() == StatusCode::kInvalidArgument) {
    return Status::failed_precondition(fmt::format("purchase {} changed meanwhile; look again", txn_id));
  }
  if (!s.ok()) return s;
  return next;
}

Status Actions::unlock(const Caller& caller, std::string_view msisdn, std::string_view meter_no,
                       std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_msisdn(msisdn));
  PINTAR_RETURN_IF_ERROR(check_meter(meter_no));
  auto sub = ledger_.find_subscription(msisdn, meter_no);
  if (!sub.ok()) return sub.status();
  if (!*sub) return Status::not_found(fmt::format("{} is not subscribed to meter {}", mask_msisdn(msisdn), meter_no));
  const int64_t now = now_ms();
  const bool locked = (*sub)->locked_until_ms > now;
  store::WriteSet w;
  w.update_subscription({.msisdn = std::string(msisdn), .meter_no = std::string(meter_no), .failed_pin_attempts = 0,
                         .locked_until_ms = 0});
  w.append_audit({.at_ms = now, .actor = caller.actor(), .action = "subscription.unlock", .subject = std::string(meter_no),
                  .detail = fmt::format("phone {} ({}, {} wrong PINs); why: {}", mask_msisdn(msisdn),
                                        locked ? "was locked" : "was not locked", (*sub)->failed_pin_attempts, reason)});
  return ledger_.write(std::move(w));
}

}  // namespace pintar::helpdesk
