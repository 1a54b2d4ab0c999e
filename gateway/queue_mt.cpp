// GatewayQueue's MT side (gateway/queue.h): MTs stored once per engine id, their outcomes
// from the SMSC, delivery receipts matched to MT parts by message id, the readers of all
// three, and housekeeping (releasing receipts that never matched, pruning settled MTs).
#include <algorithm>

#include "gateway/queue_impl.h"

namespace pintar::gateway {

using namespace queue_internal;

void GatewayQueue::add_mt(QueueMt mt, std::function<void(Result<QueueMtAdded>)> done) {
  impl_->post_durable<QueueMtAdded>(
      [this, mt = std::move(mt)]() -> Result<QueueMtAdded> {
        PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kInsertMt)
                                   .bind(mt.engine_id, mt.smsc, mt.source, mt.destination, mt.text, mt.want_receipt,
                                         mt.created_at_ms)
                                   .run());
        if (impl_->changes() == 1) return QueueMtAdded{.id = impl_->last_insert_id(), .inserted = true};
        auto select = impl_->use(Sql::kSelectMtByEngineId);
        auto row = select.bind(mt.engine_id).step();
        if (!row.ok()) return row.status();
        if (!*row) return Status::internal("mt vanished after a conflicting insert");
        return QueueMtAdded{.id = select.integer(0), .inserted = false};
      },
      std::move(done));
}

void GatewayQueue::add_receipt(QueueReceipt r, std::function<void(Status)> done) {
  impl_->post([this, r = std::move(r)]() -> Status {
                 auto find = impl_->use(Sql::kFindMessageId);
                 auto row = find.bind(r.smsc, r.message_id).step();
                 if (!row.ok()) return row.status();
                 // No MT awaits it (unknown id, or every MT with it already final): it waits
                 // for an MT to record the id, as a receipt overtaking its submit_sm_resp does.
                 if (!*row) {
                   return impl_->use(Sql::kInsertUnmatched)
                       .bind(r.smsc, r.message_id, r.state, r.error, r.received_at_ms, r.is_final)
                       .run();
                 }
                 const int64_t mt_id = find.integer(0), part = find.integer(1);
                 PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kInsertReceipt)
                                            .bind(r.smsc, r.message_id, r.state, r.error, r.received_at_ms, mt_id, part)
                                            .run());
                 return r.is_final ? impl_->use(Sql::kMarkFinal).bind(mt_id, part).run() : Status();
               },
               std::move(done));
}

void GatewayQueue::record_submitted(int64_t mt_id, std::vector<std::string> message_ids,
                                    std::function<void(Status)> committed) {
  impl_->post([this, mt_id, ids = std::move(message_ids)]() -> Status {
                 PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kSetMtState).bind(mt_id, int{kSubmitted}, nullptr, nullptr).run());
                 if (impl_->changes() == 0) return Status();  // already settled (a duplicate outcome)
                 for (size_t part = 0; part < ids.size(); ++part) {
                   PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kInsertMessageId).bind(mt_id, ids[part], part + 1).run());
                 }
                 PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kInsertResult).bind(mt_id).run());
                 PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kMatchUnmatched).bind(mt_id).run());
                 PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kMarkMatchedFinal).bind(mt_id).run());
                 return impl_->use(Sql::kDeleteMatched).bind(mt_id).run();
               },
               std::move(committed));
}

void GatewayQueue::record_failed(int64_t mt_id, uint32_t command_status, std::string reason,
                                 std::function<void(Status)> committed) {
  impl_->post([this, mt_id, command_status, reason = std::move(reason)]() -> Status {
                 PINTAR_RETURN_IF_ERROR(
                     impl_->use(Sql::kSetMtState).bind(mt_id, int{kFailed}, command_status, reason).run());
                 if (impl_->changes() == 0) return Status();
                 return impl_->use(Sql::kInsertResult).bind(mt_id).run();
               },
               std::move(committed));
}

void GatewayQueue::ack_mo(int64_t id) {
  impl_->post([this, id] { return impl_->use(Sql::kDeleteMo).bind(id).run(); }, {});
}
void GatewayQueue::ack_result(int64_t seq) {
  impl_->post([this, seq] { return impl_->use(Sql::kDeleteResult).bind(seq).run(); }, {});
}
void GatewayQueue::ack_receipt(int64_t id) {
  impl_->post([this, id] { return impl_->use(Sql::kDeleteReceipt).bind(id).run(); }, {});
}

void GatewayQueue::results_after(int64_t seq, size_t limit, Done<std::vector<QueueMtResult>> done) {
  impl_->post_durable<std::vector<QueueMtResult>>([this, seq, limit] {
    return collect<QueueMtResult>(impl_->use(Sql::kSelectResults).bind(seq, limit), [](const sqlite::Cursor& row) {
      QueueMtResult result{.seq = row.integer(0),
                      .engine_id = row.text(1),
                      .submitted = row.integer(2) == kSubmitted,
                      .message_ids = {},
                      .command_status = static_cast<uint32_t>(row.integer(3)),
                      .reason = row.text(4)};
      const std::string ids = row.text(5);
      for (size_t start = 0; !ids.empty() && start <= ids.size();) {
        const size_t end = std::min(ids.find('\x1f', start), ids.size());
        result.message_ids.push_back(ids.substr(start, end - start));
        start = end + 1;
      }
      return result;
    });
  }, std::move(done));
}

void GatewayQueue::receipts_after(int64_t id, size_t limit, Done<std::vector<QueuedReceiptRow>> done) {
  impl_->post_durable<std::vector<QueuedReceiptRow>>([this, id, limit] {
    return collect<QueuedReceiptRow>(impl_->use(Sql::kSelectReceipts).bind(id, limit), [](const sqlite::Cursor& row) {
      return QueuedReceiptRow{.id = row.integer(0),
                           .receipt = {.smsc = row.text(1), .message_id = row.text(2), .state = row.text(3),
                                       .error = row.text(4), .received_at_ms = row.integer(5)},
                           .engine_id = row.is_null(6) ? std::nullopt : std::optional(row.text(6)),
                           .part = static_cast<int>(row.integer(7))};
    });
  }, std::move(done));
}

namespace {
QueuedMtRow queued_mt(const sqlite::Cursor& row) {
  return QueuedMtRow{.id = row.integer(0),
                  .mt = {.engine_id = row.text(1), .smsc = row.text(2), .source = row.text(3),
                         .destination = row.text(4), .text = row.text(5), .want_receipt = row.integer(6) != 0,
                         .created_at_ms = row.integer(7)}};
}
}  // namespace

Result<std::vector<QueuedMtRow>> GatewayQueue::unsubmitted_mts() {
  return impl_->call<std::vector<QueuedMtRow>>(
      [&] { return collect<QueuedMtRow>(impl_->use(Sql::kSelectUnsubmitted).bind(), queued_mt); });
}

void GatewayQueue::unsubmitted_mts(std::vector<int64_t> ids, Done<std::vector<QueuedMtRow>> done) {
  impl_->post_durable<std::vector<QueuedMtRow>>([this, ids = std::move(ids)]() -> Result<std::vector<QueuedMtRow>> {
    std::vector<QueuedMtRow> out;
    out.reserve(ids.size());
    for (const int64_t id : ids) {
      auto found = collect<QueuedMtRow>(impl_->use(Sql::kSelectUnsubmittedById).bind(id), queued_mt);
      if (!found.ok()) return found.status();
      for (auto& mt : *found) out.push_back(std::move(mt));
    }
    return out;
  }, std::move(done));
}

void GatewayQueue::release_unmatched_receipts(int64_t before_ms, std::function<void(Status)> done) {
  impl_->post([this, before_ms]() -> Status {
                 PINTAR_RETURN_IF_ERROR(impl_->use(Sql::kReleaseUnmatched).bind(before_ms).run());
                 return impl_->use(Sql::kDeleteReleased).bind(before_ms).run();
               },
               std::move(done));
}

void GatewayQueue::prune(int64_t before_ms, std::function<void(Status)> done) {
  impl_->post([this, before_ms] { return impl_->use(Sql::kPrune).bind(before_ms).run(); }, std::move(done));
}

}  // namespace pintar::gateway
