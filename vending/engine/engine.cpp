// Engine plumbing: workers, the outbox (MTs and their results), and the MO entry point.
#include "vending/engine/engine.h"

#include "vending/engine/engine_records.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pintar::engine {

Engine::Engine(EngineDeps deps, VendingOptions options)
    : deps_(deps), options_(std::move(options)), strands_(options_.workers) {
  guard_->strands = &strands_;
}

Engine::~Engine() { stop(); }

void Engine::stop() {
  std::map<std::string, Clock::TimerId> timers;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    timers.swap(timers_);
    for (auto& t : awaiting_redelivery_) timers.emplace("redelivery:" + t.first, t.second);
    awaiting_redelivery_.clear();
  }
  for (const auto& [txn, id] : timers) deps_.clock.cancel(id);
  {
    std::lock_guard lock(guard_->mutex);
    guard_->strands = nullptr;
  }
  strands_.stop();
}

void Engine::drain() { strands_.drain(); }

void Engine::post(const std::string& phone, std::function<void()> task) { strands_.post(phone, std::move(task)); }

std::function<void(const std::string&, std::function<void()>)> Engine::poster() {
  return [guard = guard_](const std::string& phone, std::function<void()> task) {
    std::lock_guard lock(guard->mutex);
    if (guard->strands != nullptr) guard->strands->post(phone, std::move(task));
  };
}

int64_t Engine::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deps_.clock.wall_now().time_since_epoch()).count();
}

Status Engine::write(store::WriteSet writes) {
  Status s = deps_.ledger.write(std::move(writes));
  if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
    counters_.add(kLedgerErrors);
    spdlog::error("vending: ledger write failed: {}", s.message());
  }
  return s;
}

Language Engine::language_for(const std::string& msisdn, const std::string& meter_no) {
  if (!meter_no.empty()) {
    auto sub = deps_.ledger.find_subscription(msisdn, meter_no);
    if (sub.ok() && sub->has_value()) return language_from_code((*sub)->language).value_or(options_.default_language);
  }
  auto subs = deps_.ledger.subscriptions_of(msisdn);
  if (subs.ok() && !subs->empty()) return language_from_code(subs->front().language).value_or(options_.default_language);
  return options_.default_language;
}

std::string Engine::text(Language language, ReplyId id, std::vector<Field> fields) {
  auto rendered = render(id, language, fields);
  if (rendered.ok()) return *rendered;
  // A missing field is our bug; the customer still gets an answer rather than silence.
  spdlog::error("vending: reply {} not rendered: {}", reply_name(id), rendered.status().message());
  return std::string(reply_template(ReplyId::kTemporaryFailure, language));
}

store::MessageRecord Engine::outgoing(std::string id, std::string msisdn, std::string body,
                                      std::optional<std::string> txn_id) {
  store::MessageRecord m;
  m.message_id = std::move(id);
  m.direction = "out";
  m.msisdn = std::move(msisdn);
  m.body = std::move(body);
  m.txn_id = std::move(txn_id);
  m.delivery_state = "pending";
  m.created_ms = now_ms();
  m.updated_ms = m.created_ms;
  return m;
}

void Engine::send(const store::MessageRecord& message) {
  wire::Mt mt{.id = message.message_id, .smsc = options_.smsc, .from = options_.short_code, .to = message.msisdn,
              .text = message.body, .receipt = true};
  Status s = deps_.gateway.send_mt(std::move(mt));
  if (!s.ok()) {
    // validate(Mt) refused it: it can never be sent; mark it so resume does not loop on it.
    spdlog::error("vending: MT {} refused locally: {}", message.message_id, s.message());
    store::WriteSet w;
    w.update_delivery(delivery_update(message.message_id, "failed", now_ms()));
    (void)write(std::move(w));
    counters_.add(kMtRefused);
    return;
  }
  counters_.add(kMtSent);
}

void Engine::answer_mo(const wire::Mo& mo, std::vector<store::MessageRecord> replies,
                       std::optional<std::string> txn_id, Body body, store::WriteSet extra) {
  store::WriteSet w = std::move(extra);
  store::MessageRecord in;
  in.message_id = mo.id;
  in.direction = "in";
  in.msisdn = mo.from;
  in.body = body == Body::kModem ? mo.text : masked_text(mo.text);
  in.txn_id = std::move(txn_id);
  in.delivery_state = "received";
  in.created_ms = mo.received_at_ms > 0 ? mo.received_at_ms : now_ms();
  in.updated_ms = now_ms();
  w.record_message(std::move(in));
  for (const auto& r : replies) w.record_message(r);
  Status s = write(std::move(w));
  if (s.code() == StatusCode::kAlreadyExists) {
    counters_.add(kMoDuplicate);
    deps_.gateway.ack_mo(mo.id);
    return;
  }
  if (!s.ok()) return;  // not acked: the gateway repeats it
  deps_.gateway.ack_mo(mo.id);
  counters_.add(kMoProcessed);
  for (const auto& r : replies) send(r);
}

void Engine::on_mo(wire::Mo mo) {
  const std::string key = mo.from;
  post(key, [this, mo = std::move(mo)]() mutable {
    // The ledger keeps phones as digits: an alphanumeric sender can neither buy nor be
    // answered, and an MO that can never be stored must not be repeated for ever.
    if (mo.from.empty() || mo.from.size() > 20 || mo.from.find_first_not_of("0123456789") != std::string::npos ||
        mo.id.empty() || mo.id.size() > 64) {
      spdlog::warn("vending: MO {} from a sender the ledger cannot hold: dropped", mo.id);
      counters_.add(kMoDropped);
      deps_.gateway.ack_mo(mo.id);
      return;
    }
    auto seen = deps_.ledger.find_message(mo.id);
    if (!seen.ok()) {
      counters_.add(kLedgerErrors);
      return;  // not acked: repeated by the gateway
    }
    if (seen->has_value()) {
      if ((*seen)->txn_id && take_up_redelivered(mo, *(*seen)->txn_id)) return;
      counters_.add(kMoDuplicate);
      deps_.gateway.ack_mo(mo.id);
      return;
    }
    if (deps_.modems.is_modem(mo.from)) {
      on_modem_mo(mo);
      return;
    }
    process_mo(std::move(mo));
  });
}

void Engine::on_mt_ack(wire::MtAck ack) {
  post("mt:" + ack.id, [this, ack = std::move(ack)] {
    if (!ack.stored) {
      counters_.add(kMtRefused);
      spdlog::error("vending: gateway refused MT {}: {}", ack.id, ack.error);
    }
    store::WriteSet w;
    w.update_delivery(delivery_update(ack.id, ack.stored ? "queued" : "failed", now_ms()));
    (void)write(std::move(w));
  });
}

namespace {

// A receipt's state as the ledger keeps it: lower case; one the ledger's CHECK would refuse
// (not a-z and _, empty, over 32) is "unknown", so that it is stored and acked rather than
// repeated by the gateway for ever.
std::string receipt_state(std::string_view state) {
  std::string out;
  for (unsigned char c : state) out += static_cast<char>(std::tolower(c));
  if (out.empty() || out.size() > 32 || out.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
    return "unknown";
  }
  return out;
}

}  // namespace

void Engine::on_mt_result(wire::MtResult result) {
  post("mt:" + result.mt_id, [this, result = std::move(result)] {
    // A repeat after the receipt (its ack lost) changes nothing: the ledger only moves a
    // delivery state forward (store/statements.cpp).
    const std::string state = result.submitted ? "submitted" : "failed";
    store::WriteSet w;
    std::optional<std::string> smpp_id;
    if (!result.message_ids.empty()) smpp_id = result.message_ids.front();
    w.update_delivery(delivery_update(result.mt_id, state, now_ms(), smpp_id));
    Status s = write(std::move(w));
    if (s.ok() || s.code() == StatusCode::kNotFound) deps_.gateway.ack_mt_result(result.id);
  });
}

void Engine::on_receipt(wire::Receipt receipt) {
  post("mt:" + receipt.mt_id.value_or(""), [this, receipt = std::move(receipt)] {
    if (!receipt.mt_id) {
      deps_.gateway.ack_receipt(receipt.id);  // matches no MT of ours: nothing to update
      return;
    }
    store::WriteSet w;
    w.update_delivery(delivery_update(*receipt.mt_id, receipt_state(receipt.state), now_ms()));
    Status s = write(std::move(w));
    if (s.ok() || s.code() == StatusCode::kNotFound) deps_.gateway.ack_receipt(receipt.id);
  });
}

void Engine::on_gateway_state(bool alive) {
  spdlog::info("vending: gateway {}", alive ? "up" : "down");
  // The bridge client repeats unacked MTs after a reconnect; MTs written while it was down
  // are pending in the ledger and resent by it too, so there is nothing to do here.
}

Status Engine::start() {
  PINTAR_RETURN_IF_ERROR(resume_outbox());
  PINTAR_RETURN_IF_ERROR(resume_transactions());
  arm_outbox_poll();
  return Status::ok_status();
}

}  // namespace pintar::engine
