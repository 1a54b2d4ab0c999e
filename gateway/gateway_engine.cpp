// The gateway's engine side (gateway/gateway_impl.h): MTs and acknowledgements from the
// engines, and pump(), which offers committed MOs, MT results and receipts to them.
#include <charconv>

#include <spdlog/spdlog.h>

#include "gateway/gateway_impl.h"

namespace pintar::gateway {
namespace {

// The queue key of each kind of row sent to the engines.
int64_t row_key(const QueuedMoRow& row) { return row.id; }
int64_t row_key(const QueueMtResult& row) { return row.seq; }
int64_t row_key(const QueuedReceiptRow& row) { return row.id; }

}  // namespace

void Gateway::Impl::handle(const EngineLink::Incoming& incoming) {
  std::visit(
      [&](const auto& message) {
        using T = std::decay_t<decltype(message)>;
        if constexpr (std::is_same_v<T, bridge::Mt>) {
          handle_mt(incoming.engine, message);
        } else if constexpr (std::is_same_v<T, bridge::MoAck>) {
          handle_ack(incoming.engine, ReliableKind::kMo, message.id);
        } else if constexpr (std::is_same_v<T, bridge::MtResultAck>) {
          handle_ack(incoming.engine, ReliableKind::kResult, message.id);
        } else if constexpr (std::is_same_v<T, bridge::ReceiptAck>) {
          handle_ack(incoming.engine, ReliableKind::kReceipt, message.id);
        } else {
          spdlog::warn("engine link: a {} from an engine makes no sense; dropped", bridge::type_name(message));
        }
      },
      incoming.message);
}

void Gateway::Impl::handle_mt(const std::string& engine, const bridge::Mt& mt) {
  Smsc* smsc = route(mt.smsc);
  std::string refusal;
  if (Status valid = bridge::validate(mt); !valid.ok()) refusal = valid.message();
  else if (smsc == nullptr) refusal = fmt::format("unknown smsc \"{}\"", mt.smsc);
  if (!refusal.empty()) {
    counters_.add(kMtRejected);
    link_->reply(engine, bridge::MtAck{.id = mt.id, .stored = false, .error = refusal});
    return;
  }
  QueueMt record{.engine_id = mt.id, .smsc = smsc->name(), .source = mt.from, .destination = mt.to,
                 .text = mt.text, .want_receipt = mt.receipt, .created_at_ms = unix_ms(clock_)};
  queue_->add_mt(record, [this, engine, smsc, record](Result<QueueMtAdded> added) {
    inbox_.post([this, engine, smsc, record = std::move(record), added = std::move(added)]() mutable {
      if (!added.ok()) {  // no mt_ack: the engine sends it again
        spdlog::error("gateway: MT {} not stored: {}", record.engine_id, added.status());
        return;
      }
      link_->reply(engine, bridge::MtAck{.id = record.engine_id});
      if (!added->inserted) {
        counters_.add(kMtRepeated);
        return;
      }
      counters_.add(kMtStored);
      smsc->enqueue({.id = added->id, .mt = std::move(record)});
      smsc->feed();
    });
  });
}

void Gateway::Impl::handle_ack(const std::string& engine, ReliableKind kind, const std::string& id) {
  // "<instance>-<tag>-<n>"; acks for another queue's ids are ignored.
  const std::string prefix = fmt::format("{}-{}-", queue_->instance_id(), kKindTag[static_cast<size_t>(kind)]);
  int64_t key = 0;
  const char* end = id.data() + id.size();
  if (!id.starts_with(prefix) || std::from_chars(id.data() + prefix.size(), end, key).ptr != end) {
    spdlog::warn("engine link: acknowledgement for an id this gateway did not send: {}", id);
    return;
  }
  // Only the engine the message went to may settle it; anyone else's ack changes nothing.
  if (!link_->acknowledge(engine, kind, key)) return;
  switch (kind) {
    case ReliableKind::kMo: queue_->ack_mo(key); break;
    case ReliableKind::kResult: queue_->ack_result(key); break;
    case ReliableKind::kReceipt: queue_->ack_receipt(key); break;
    case ReliableKind::kCount: break;
  }
  dirty_[static_cast<size_t>(kind)] = true;
}

// Moves committed messages the engines have not acknowledged into the link, as room allows.
// The reads queue behind the writer's batch and answer through the inbox, so the loop never
// waits for an fsync; at most one read per kind is in flight.
void Gateway::Impl::pump() {
  if (!link_->has_live_engine()) return;
  const auto load = [&](ReliableKind kind, auto read, auto to_message) {
    const auto k = static_cast<size_t>(kind);
    if (!dirty_[k] || reading_[k] || !link_->has_room(kind)) return;
    const size_t room = options_.engine.max_unacked - link_->outstanding(kind);
    dirty_[k] = false;  // set again by whatever is committed meanwhile
    reading_[k] = true;
    read(cursor_[k], room, [this, kind, room, to_message](auto rows) {
      inbox_.post([this, kind, room, to_message, rows = std::move(rows)] {
        const auto k = static_cast<size_t>(kind);
        reading_[k] = false;
        if (!rows.ok()) {
          spdlog::error("gateway: reading the queue: {}", rows.status());
          dirty_[k] = true;
          return;
        }
        for (const auto& row : *rows) {
          const int64_t key = row_key(row);
          const std::string id = fmt::format("{}-{}-{}", queue_->instance_id(), kKindTag[k], key);
          link_->send_reliable(kind, key, to_message(id, row));
          cursor_[k] = key;
        }
        if (rows->size() == room) dirty_[k] = true;
      });
    });
  };
  load(
      ReliableKind::kMo, [&](int64_t after, size_t n, auto done) { queue_->mos_after(after, n, std::move(done)); },
      [](std::string id, const QueuedMoRow& row) {
        return bridge::Message(bridge::Mo{.id = std::move(id), .smsc = row.mo.smsc, .from = row.mo.source,
                                          .to = row.mo.destination, .text = row.mo.text,
                                          .data_coding = row.mo.data_coding, .received_at_ms = row.mo.received_at_ms,
                                          .idempotency_key = row.mo.idempotency_key, .user_data = row.mo.user_data,
                                          .parts = row.mo.parts, .incomplete = row.mo.incomplete});
      });
  load(
      ReliableKind::kResult,
      [&](int64_t after, size_t n, auto done) { queue_->results_after(after, n, std::move(done)); },
      [](std::string id, const QueueMtResult& row) {
        return bridge::Message(bridge::MtResult{.id = std::move(id), .mt_id = row.engine_id,
                                                .submitted = row.submitted, .message_ids = row.message_ids,
                                                .command_status = row.command_status, .reason = row.reason});
      });
  load(
      ReliableKind::kReceipt,
      [&](int64_t after, size_t n, auto done) { queue_->receipts_after(after, n, std::move(done)); },
      [](std::string id, const QueuedReceiptRow& row) {
        return bridge::Message(bridge::Receipt{.id = std::move(id), .mt_id = row.engine_id, .part = row.part,
                                               .smsc = row.receipt.smsc, .message_id = row.receipt.message_id,
                                               .state = row.receipt.state, .error = row.receipt.error,
                                               .received_at_ms = row.receipt.received_at_ms});
      });
}

}  // namespace pintar::gateway
