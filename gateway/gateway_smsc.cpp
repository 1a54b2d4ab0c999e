// The gateway's SMSC side (gateway/gateway_impl.h): each [[smsc]]'s session listener, the MTs
// waiting for its window, and MOs and receipts committed to the queue before the SMSC is
// answered.
#include <spdlog/spdlog.h>

#include "common/log.h"
#include "gateway/gateway_impl.h"
#include "smpp/text.h"

namespace pintar::gateway {
namespace {

// Submitted message ids remembered per SMSC for gateway.submit_to_receipt (about 100 bytes each).
constexpr size_t kReceiptsRemembered = 100000;

// message_state names of SMPP 3.4 §5.3.2.35, as the protocol spells them.
std::string state_name(smpp::MessageState state) {
  switch (state) {
    case smpp::MessageState::kEnroute: return "ENROUTE";
    case smpp::MessageState::kDelivered: return "DELIVERED";
    case smpp::MessageState::kExpired: return "EXPIRED";
    case smpp::MessageState::kDeleted: return "DELETED";
    case smpp::MessageState::kUndeliverable: return "UNDELIVERABLE";
    case smpp::MessageState::kAccepted: return "ACCEPTED";
    case smpp::MessageState::kRejected: return "REJECTED";
    case smpp::MessageState::kUnknown:
    case smpp::MessageState::kUnknownState: return "UNKNOWN";
  }
  return "UNKNOWN";
}

}  // namespace

Gateway::Impl::Smsc::Smsc(Impl& gateway, const smpp::BindOptions& options)
    : gateway_(gateway),
      name_(options.name),
      limit_(static_cast<size_t>(2 * options.window * options.binds)),
      reassembly_timeout_(options.mo_reassembly_timeout),
      latency_(kReceiptsRemembered, submit_to_receipt_),
      session_(options, *this, gateway.clock_) {}

void Gateway::Impl::Smsc::on_mo(const smpp::MoMessage& mo, smpp::DeliverReply reply) {
  gateway_.store_mo(name_, reassembly_timeout_, mo, std::move(reply));
}

void Gateway::Impl::Smsc::on_receipt(const smpp::DeliveryReceipt& receipt, smpp::DeliverReply reply) {
  latency_.receipt(receipt.message_id, smpp::is_final(receipt.state), gateway_.clock_.steady_now());
  gateway_.store_receipt(name_, receipt, std::move(reply));
}

void Gateway::Impl::Smsc::on_submitted(uint64_t id, const std::vector<std::string>& message_ids) {
  gateway_.counters_.add(kMtSubmitted);
  for (const std::string& message_id : message_ids) latency_.submitted(message_id, gateway_.clock_.steady_now());
  gateway_.queue_->record_submitted(static_cast<int64_t>(id), message_ids, settled());
}

void Gateway::Impl::Smsc::on_failed(uint64_t id, uint32_t command_status, const std::string& reason) {
  gateway_.counters_.add(kMtFailed);
  spdlog::warn("smsc {}: MT {} failed: {} (0x{:08X})", name_, id, reason, command_status);
  gateway_.queue_->record_failed(static_cast<int64_t>(id), command_status, reason, settled());
}

void Gateway::Impl::Smsc::on_bind_state(const std::string& bind, smpp::BindState state, const std::string& detail) {
  if (state == smpp::BindState::kBindFailed) {
    gateway_.counters_.add(kBindFailures);
    spdlog::error("ALERT smsc {}: bind {} refused: {}", name_, bind, detail);
  } else {
    spdlog::info("smsc {}: bind {} {}{}{}", name_, bind, smpp::bind_state_name(state), detail.empty() ? "" : ": ",
                 detail);
  }
}

void Gateway::Impl::Smsc::enqueue(QueuedMtRow mt) {
  if (waiting_.empty() && !reading_ && unsettled_ < limit_ && submit(mt)) return;
  waiting_.push_back(mt.id);
}

void Gateway::Impl::Smsc::feed() {
  if (reading_ || waiting_.empty() || unsettled_ >= limit_) return;
  const size_t room = limit_ - unsettled_;
  std::vector<int64_t> ids(waiting_.begin(), waiting_.begin() + std::min(room, waiting_.size()));
  waiting_.erase(waiting_.begin(), waiting_.begin() + ids.size());
  reading_ = true;
  gateway_.queue_->unsubmitted_mts(ids, [this, ids](Result<std::vector<QueuedMtRow>> mts) {
    gateway_.inbox_.post([this, ids, mts = std::move(mts)] {
      reading_ = false;
      if (!mts.ok()) {  // keep them; the next feed() tries again
        spdlog::error("smsc {}: could not read waiting MTs: {}", name_, mts.status());
        waiting_.insert(waiting_.begin(), ids.begin(), ids.end());
        return;
      }
      // Those the session refuses go back to the front, in order.
      for (size_t i = 0; i < mts->size(); ++i) {
        if (!submit((*mts)[i])) {
          std::vector<int64_t> rest;
          for (size_t j = i; j < mts->size(); ++j) rest.push_back((*mts)[j].id);
          waiting_.insert(waiting_.begin(), rest.begin(), rest.end());
          return;
        }
      }
      feed();
    });
  });
}

std::function<void(Status)> Gateway::Impl::Smsc::settled() {
  return [this](Status status) {
    if (!status.ok()) spdlog::error("smsc {}: could not commit an MT outcome: {}", name_, status);
    gateway_.inbox_.post([this] {
      --unsettled_;
      gateway_.dirty_[static_cast<size_t>(ReliableKind::kResult)] = true;
      gateway_.dirty_[static_cast<size_t>(ReliableKind::kReceipt)] = true;
      feed();
    });
  };
}

bool Gateway::Impl::Smsc::submit(const QueuedMtRow& mt) {
  if (!session_.submit({.id = static_cast<uint64_t>(mt.id), .source_addr = mt.mt.source,
                        .destination_addr = mt.mt.destination, .text_utf8 = mt.mt.text,
                        .want_receipt = mt.mt.want_receipt})) {
    return false;
  }
  ++unsettled_;
  return true;
}

// The completion of a delivery's commit (writer thread): count it, say why it failed
// (`what` names the delivery, formatted only then), let pump() find the new row, and answer
// the SMSC.
template <typename What>
std::function<void(Status)> Gateway::Impl::when_stored(ReliableKind kind, GatewayCounter stored,
                                                       GatewayCounter refused, What what, smpp::DeliverReply reply) {
  return [this, kind, stored, refused, what = std::move(what), reply = std::move(reply)](Status status) {
    if (!status.ok()) {
      counters_.add(refused);
      spdlog::error("{} not stored: {}", what(), status);
    } else {
      counters_.add(stored);
      mark_dirty(kind);
    }
    reply(status);
  };
}

// Session threads. The SMSC is answered once the row is committed (the reply runs on the
// queue's writer thread), so many deliveries share one group commit.
// A whole MO or one part of a long one. A repeat of a deliver_sm stored within the window
// is answered ESME_ROK without a row; a part past a cap gets 0x14 (the SMSC retries later).
void Gateway::Impl::store_mo(const std::string& smsc, std::chrono::milliseconds reassembly_timeout,
                             const smpp::MoMessage& mo, smpp::DeliverReply reply) {
  const int64_t now = unix_ms(clock_);
  QueueMo record{.smsc = smsc, .source = mo.source_addr, .destination = mo.destination_addr,
                 .text = mo.text_utf8, .data_coding = mo.data_coding, .received_at_ms = now,
                 .esm_class = mo.esm_class, .udh = mo.udh, .user_data = mo.user_data,
                 .reference = mo.reference, .total = mo.total, .sequence = mo.sequence,
                 .deadline_ms = now + reassembly_timeout.count()};
  queue_->add_mo(std::move(record), [this, smsc, source = mo.source_addr, destination = mo.destination_addr,
                                     whole = mo.total <= 1, reply = std::move(reply)](Result<QueueMoAdded> added) {
    if (!added.ok()) {
      const bool full = added.status().code() == StatusCode::kResourceExhausted;
      counters_.add(full ? kMoRefusedFull : kMoRefused);
      spdlog::error("smsc {}: MO from {} not stored: {}", smsc, log::mask_msisdn(source), added.status());
    } else if (added->duplicate) {
      counters_.add(kMoDuplicates);
      spdlog::info("smsc {}: MO from {} delivered again (SMSC or customer); stored once", smsc,
                   log::mask_msisdn(source));
      // The same SMS again within the window: an SMSC redelivery or the customer repeating
      // it, which SMPP cannot tell apart. The engine answers a customer's repeat with the
      // first result (never a second sale); a part of a long MO is never passed on.
      if (whole) {
        inbox_.post([this, repeat = bridge::MoRepeat{.smsc = smsc, .from = source, .to = destination,
                                                     .idempotency_key = added->idempotency_key,
                                                     .received_at_ms = unix_ms(clock_)}] {
          if (link_->send_once(repeat)) counters_.add(kMoRepeatsPassed);
        });
      }
    } else if (added->held) {
      counters_.add(kMoPartsStored);
      if (added->deadline_ms) inbox_.post([this, deadline = *added->deadline_ms] { schedule_expiry(deadline); });
    } else {
      counters_.add(kMoStored);
      mark_dirty(ReliableKind::kMo);
    }
    reply(added.status());
  });
}

void Gateway::Impl::store_receipt(const std::string& smsc, const smpp::DeliveryReceipt& receipt,
                                  smpp::DeliverReply reply) {
  queue_->add_receipt({.smsc = smsc, .message_id = receipt.message_id, .state = state_name(receipt.state),
                       .error = receipt.error, .received_at_ms = unix_ms(clock_),
                       .is_final = smpp::is_final(receipt.state)},
                      when_stored(
                          ReliableKind::kReceipt, kReceiptsStored, kReceiptsRefused,
                          [smsc, id = receipt.message_id] { return fmt::format("smsc {}: receipt for {}", smsc, id); },
                          std::move(reply)));
}

Gateway::Impl::Smsc* Gateway::Impl::route(const std::string& name) {
  if (name.empty()) return smscs_.front().get();
  for (auto& smsc : smscs_) {
    if (smsc->name() == name) return smsc.get();
  }
  return nullptr;
}

}  // namespace pintar::gateway
