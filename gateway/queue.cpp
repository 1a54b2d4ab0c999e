// GatewayQueue (gateway/queue.h): opening the file, the writer plumbing, the blocking forms.
// The MO side is queue_mo.cpp, the MT side and housekeeping queue_mt.cpp, the schema and
// statements queue_schema.cpp.
#include "gateway/queue.h"

#include <utility>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "gateway/queue_impl.h"

namespace pintar::gateway {

namespace queue_internal {

Status wait_for_status(const std::function<void(std::function<void(Status)>)>& start) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  start([&promise](Status status) { promise.set_value(std::move(status)); });
  return future.get();
}

}  // namespace queue_internal

using namespace queue_internal;

GatewayQueue::Impl::~Impl() { writer_.reset(); }  // every queued operation gets its completion

Status GatewayQueue::Impl::open() {
  if (options_.synchronous != sqlite::Synchronous::kFull && options_.synchronous != sqlite::Synchronous::kNormal) {
    return Status::invalid_argument(fmt::format("synchronous must be FULL or NORMAL, not {}",
                                                sqlite::synchronous_name(options_.synchronous)));
  }
  // MOs hold PINs in flight ("TOKEN <meter> <amount> <PIN>") until the engine takes them
  // over: the file is 0600, and a deleted row is overwritten, not left in free pages
  // (secure_delete); no page image of it reaches a temporary file (the layer's temp_store).
  auto db = sqlite::Connection::open(options_.path, {.synchronous = options_.synchronous,
                                                     .busy_timeout_ms = options_.busy_timeout_ms,
                                                     .secure_delete = true});
  if (!db.ok()) return db.status();
  PINTAR_RETURN_IF_ERROR(sqlite::migrate(*db, schema(), options_.path));
  statements_.reserve(kSqlCount);
  for (size_t i = 0; i < kSqlCount; ++i) {
    auto prepared = db->prepare(sql_text(static_cast<Sql>(i)));
    if (!prepared.ok()) return prepared.status().with_context(options_.path);
    statements_.push_back(std::move(prepared).value());
  }
  db_ = &*db;
  PINTAR_RETURN_IF_ERROR(load_instance_id().with_context(options_.path));
  db_ = nullptr;
  writer_.emplace(std::move(db).value(),
                  sqlite::GroupWriter::Options{.name = "gateway queue", .file = options_.path,
                                               .max_batch = options_.max_batch, .max_wait = {}});
  return Status::ok_status();
}

Status GatewayQueue::Impl::load_instance_id() {
  PINTAR_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  Status status = [&]() -> Status {
    {
      auto select = use(Sql::kSelectInstance);
      auto row = select.step();
      if (!row.ok()) return row.status();
      if (*row) instance_id_ = select.text(0);
    }
    if (!instance_id_.empty()) return Status::ok_status();
    uint8_t random[4];
    PINTAR_RETURN_IF_ERROR(crypto::random_bytes(random));
    instance_id_ = hex_encode(random);
    return use(Sql::kInsertInstance).bind(instance_id_).run();
  }();
  if (status.ok()) return db_->exec("COMMIT");
  (void)db_->exec("ROLLBACK");
  return status;
}

void GatewayQueue::Impl::post(std::function<Status()> run, std::function<void(Status)> after_commit) {
  writer_->submit(
      [this, run = std::move(run)](sqlite::Connection& db) {
        db_ = &db;
        return run();
      },
      std::move(after_commit));
}

Result<std::unique_ptr<GatewayQueue>> GatewayQueue::open(const GatewayQueueOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  PINTAR_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<GatewayQueue>(new GatewayQueue(std::move(impl)));
}

GatewayQueue::GatewayQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GatewayQueue::~GatewayQueue() = default;

const std::string& GatewayQueue::instance_id() const { return impl_->instance_id(); }

Status GatewayQueue::flush() { return impl_->call<bool>([]() -> Result<bool> { return true; }).status(); }

Result<QueueMoAdded> GatewayQueue::add_mo_sync(QueueMo mo) {
  return wait_for<QueueMoAdded>([&](auto done) { add_mo(std::move(mo), std::move(done)); });
}
Result<QueueFragmentsExpired> GatewayQueue::expire_fragments_sync(int64_t now_ms) {
  return wait_for<QueueFragmentsExpired>([&](auto done) { expire_fragments(now_ms, std::move(done)); });
}
Result<QueueMtAdded> GatewayQueue::add_mt_sync(QueueMt mt) {
  return wait_for<QueueMtAdded>([&](auto done) { add_mt(std::move(mt), std::move(done)); });
}
Status GatewayQueue::add_receipt_sync(QueueReceipt receipt) {
  return wait_for_status([&](auto done) { add_receipt(std::move(receipt), std::move(done)); });
}

Result<std::vector<QueuedMoRow>> GatewayQueue::mos_after(int64_t id, size_t limit) {
  return wait_for<std::vector<QueuedMoRow>>([&](auto done) { mos_after(id, limit, std::move(done)); });
}
Result<std::vector<QueueMtResult>> GatewayQueue::results_after(int64_t seq, size_t limit) {
  return wait_for<std::vector<QueueMtResult>>([&](auto done) { results_after(seq, limit, std::move(done)); });
}
Result<std::vector<QueuedReceiptRow>> GatewayQueue::receipts_after(int64_t id, size_t limit) {
  return wait_for<std::vector<QueuedReceiptRow>>([&](auto done) { receipts_after(id, limit, std::move(done)); });
}

Status GatewayQueue::release_unmatched_receipts(int64_t before_ms) {
  return wait_for_status([&](auto done) { release_unmatched_receipts(before_ms, std::move(done)); });
}
Status GatewayQueue::prune(int64_t before_ms) {
  return wait_for_status([&](auto done) { prune(before_ms, std::move(done)); });
}

}  // namespace pintar::gateway
