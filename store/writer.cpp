#include "store/writer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "store/chain.h"

namespace pintar::store {
namespace {

std::future<Status> ready(Status status) {
  std::promise<Status> promise;
  promise.set_value(std::move(status));
  return promise.get_future();
}

std::span<const uint8_t> bytes_of(const crypto::Sha256Digest& digest) { return digest; }

std::optional<std::span<const uint8_t>> optional_bytes(const std::optional<crypto::Sha256Digest>& digest) {
  if (!digest) return std::nullopt;
  return std::span<const uint8_t>(*digest);
}

}  // namespace

Writer::Writer(sqlite::Connection db, Statements statements, Options options, std::shared_ptr<const ChainKey> key)
    : db_(std::move(db)),
      sql_(std::move(statements)),
      options_(options),
      key_(std::move(key)),
      thread_([this] { run(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::future<Status> Writer::submit(WriteSet writes) {
  Pending pending{.work = std::move(writes), .done = {}};
  std::future<Status> future = pending.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return ready(Status::cancelled("the ledger is closing"));
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
  return future;
}

Status Writer::run_in_transaction(Job job) {
  Pending pending{.work = std::move(job), .done = {}};
  std::future<Status> future = pending.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::cancelled("the ledger is closing");
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
  return future.get();
}

void Writer::run() {
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted has been answered
      if (options_.max_wait.count() > 0 && !stopping_ && queue_.size() < options_.max_batch) {
        wake_.wait_for(lock, options_.max_wait, [this] { return stopping_ || queue_.size() >= options_.max_batch; });
      }
      // A job runs alone; a group ends before the next job.
      const bool job = std::holds_alternative<Job>(queue_.front().work);
      while (!queue_.empty() && group.size() < (job ? 1 : options_.max_batch) &&
             std::holds_alternative<Job>(queue_.front().work) == job) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (std::holds_alternative<Job>(group.front().work)) {
      run_job(group.front());
    } else {
      commit_group(group);
    }
    group.clear();
  }
}

void Writer::commit_group(std::vector<Pending>& group) {
  std::vector<Status> results(group.size());
  Status status = begin();
  if (status.ok()) {
    for (size_t i = 0; i < group.size() && status.ok(); ++i) {
      results[i] = apply_in_savepoint(std::get<WriteSet>(group[i].work));
      // After an I/O error or a full disk SQLite may have rolled the whole transaction
      // back: what follows would run outside it, so the group ends here.
      if (!db_.in_transaction()) status = results[i].ok() ? Status::io_error("the ledger transaction was lost") : results[i];
    }
    if (status.ok()) status = commit();
  }
  counters_.add(status.ok() ? kCommits : kCommitFailures);
  for (size_t i = 0; i < group.size(); ++i) {
    // A write set that failed on its own keeps its own reason; the others share the
    // transaction's fate.
    Status outcome = results[i].ok() ? status : results[i];
    counters_.add(outcome.ok() ? kWriteSetsCommitted : kWriteSetsFailed);
    group[i].done.set_value(std::move(outcome));
  }
}

void Writer::run_job(Pending& pending) {
  Status status = begin();
  if (status.ok()) {
    auto writes = std::get<Job>(pending.work)(db_, sql_);
    status = writes.ok() ? apply(*writes) : writes.status();
    if (status.ok()) {
      status = commit();
      counters_.add(status.ok() ? kCommits : kCommitFailures);
    } else {
      (void)sql_[Sql::kRollback].run();
    }
  }
  pending.done.set_value(std::move(status));
}

Status Writer::begin() {
  PINTAR_RETURN_IF_ERROR(sql_[Sql::kBegin].run());
  // Re-read after taking the write lock: another process may have extended a chain.
  Status status = load_head(sql_[Sql::kChainHeadGet], kTransactionsChain, heads_.transactions);
  if (status.ok()) status = load_head(sql_[Sql::kChainHeadGet], kAuditChain, heads_.audit);
  if (!status.ok()) (void)sql_[Sql::kRollback].run();
  return status;
}

Status Writer::commit() {
  Status status = store_head(sql_[Sql::kChainHeadPut], kTransactionsChain, heads_.transactions, key_.get());
  if (status.ok()) status = store_head(sql_[Sql::kChainHeadPut], kAuditChain, heads_.audit, key_.get());
  if (status.ok()) status = sql_[Sql::kCommit].run();
  if (!status.ok()) {
    spdlog::error("ledger commit failed: {}", status);
    (void)sql_[Sql::kRollback].run();  // fails harmlessly when SQLite already rolled back
  }
  return status;
}

Status Writer::apply_in_savepoint(const WriteSet& writes) {
  PINTAR_RETURN_IF_ERROR(sql_[Sql::kSavepoint].run());
  const ChainHeads before = heads_;
  Status status = apply(writes);
  if (status.ok()) return sql_[Sql::kRelease].run();
  heads_ = before;
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it. Neither fails on a healthy file.
  (void)sql_[Sql::kRollbackToSavepoint].run();
  (void)sql_[Sql::kRelease].run();
  return status;
}

Status Writer::apply(const WriteSet& writes) {
  for (const WriteSet::Op& op : writes.ops()) {
    PINTAR_RETURN_IF_ERROR(std::visit([this](const auto& record) { return apply_op(record); }, op));
  }
  return Status::ok_status();
}

template <typename Record, typename Insert>
Status Writer::append_chained(std::string_view chain, ChainHead& head, const Record& record, Insert insert) {
  auto link = next_link(chain, head, canonical_row(head.seq + 1, record), key_.get());
  if (!link.ok()) return link.status();
  PINTAR_RETURN_IF_ERROR(insert(link->seq, bytes_of(link->hash), optional_bytes(link->mac)));
  advance(head, *link);
  return Status::ok_status();
}

Status Writer::apply_op(const TransactionRecord& r) {
  return append_chained(kTransactionsChain, heads_.transactions, r,
                        [&](int64_t seq, std::span<const uint8_t> hash, std::optional<std::span<const uint8_t>> mac) {
                          return sql_[Sql::kTransactionInsert]
                              .bind(seq, r.txn_id, r.version, r.idempotency_key, r.meter_no, r.msisdn,
                                    r.amount_rupiah, r.energy_deci_kwh, r.token, r.state, r.reference, r.reason,
                                    r.created_ms, r.recorded_ms, hash, mac)
                              .run()
                              .with_context(fmt::format("transaction {} version {}", r.txn_id, r.version));
                        });
}

Status Writer::apply_op(const AuditEntry& e) {
  return append_chained(kAuditChain, heads_.audit, e,
                        [&](int64_t seq, std::span<const uint8_t> hash, std::optional<std::span<const uint8_t>> mac) {
                          return sql_[Sql::kAuditInsert]
                              .bind(seq, e.at_ms, e.actor, e.action, e.subject, e.detail, hash, mac)
                              .run()
                              .with_context("audit entry");
                        });
}

Status Writer::apply_op(const MessageRecord& m) {
  return sql_[Sql::kMessageInsert]
      .bind(m.message_id, m.direction, m.msisdn, m.body, m.txn_id, m.smpp_message_id, m.delivery_state, m.created_ms,
            m.updated_ms)
      .run()
      .with_context(fmt::format("message {}", m.message_id));
}

Status Writer::apply_op(const MessageDelivery& d) {
  PINTAR_RETURN_IF_ERROR(sql_[Sql::kMessageDeliveryUpdate]
                             .bind(d.smpp_message_id, d.delivery_state, d.updated_ms, d.message_id)
                             .run()
                             .with_context(fmt::format("message {}", d.message_id)));
  if (db_.changes() == 0) return Status::not_found(fmt::format("message {}", d.message_id));
  return Status::ok_status();
}

Status Writer::apply_op(const MeterEvent& e) {
  // A repeated dedup_key changes nothing (ON CONFLICT DO NOTHING) and is not an error.
  return sql_[Sql::kMeterEventInsert]
      .bind(e.meter_no, e.at_ms, e.kind, e.detail, e.credit_deci_kwh, e.energy_deci_kwh, e.dedup_key)
      .run()
      .with_context(fmt::format("meter event for {}", e.meter_no));
}

Status Writer::apply_op(const SubscriptionUpdate& u) {
  const std::string what = fmt::format("subscription of {} to meter {}", u.msisdn, u.meter_no);
  PINTAR_RETURN_IF_ERROR(sql_[Sql::kSubscriptionUpdate]
                             .bind(u.language, optional_bytes(u.pin_hash), u.failed_pin_attempts, u.locked_until_ms,
                                   u.msisdn, u.meter_no)
                             .run()
                             .with_context(what));
  if (db_.changes() == 0) return Status::not_found(what);
  return Status::ok_status();
}

Status Writer::apply_op(const VendDetail& d) {
  std::string key_change_tokens;
  for (const std::string& token : d.key_change_tokens) {
    if (token.size() != 20 || !std::ranges::all_of(token, [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::invalid_argument(fmt::format("vend detail of {}: a key change token must be 20 digits", d.txn_id));
    }
    if (!key_change_tokens.empty()) key_change_tokens += ',';
    key_change_tokens += token;
  }
  return sql_[Sql::kVendDetailInsert]
      .bind(d.txn_id, d.admin_rupiah, d.stamp_duty_rupiah, d.ppn_rupiah, d.ppj_rupiah, d.instalment_rupiah,
            d.power_purchase_rupiah, d.p2apst_token, key_change_tokens, d.tid, d.customer_name, d.tariff, d.power_va,
            d.p2apst_reference)
      .run()
      .with_context(fmt::format("vend detail of {}", d.txn_id));
}

Status Writer::apply_op(const TidIssue& t) {
  // Inside BEGIN IMMEDIATE: no other process can issue a TID between this read and the
  // insert, and earlier write sets of this group are visible, so of two racing issues of
  // one TID exactly one passes.
  {
    sqlite::Cursor row(sql_[Sql::kTidMax].bind(t.meter_no));
    auto found = row.next();
    if (!found.ok()) return found.status();
    if (*found && !row->is_null(0) && row->integer(0) >= t.tid) {
      return Status::failed_precondition(fmt::format("TID {} for meter {} is not above TID {} issued already", t.tid,
                                                     t.meter_no, row->integer(0)));
    }
  }
  return sql_[Sql::kTidInsert]
      .bind(t.meter_no, t.tid, t.txn_id, t.at_ms)
      .run()
      .with_context(fmt::format("TID {} for meter {}", t.tid, t.meter_no));
}

Status Writer::apply_op(const ModemCommand& c) {
  return sql_[Sql::kModemCommandPut]
      .bind(c.meter_no, c.seq, c.kind, c.txn_id, c.state, c.attempts, c.result, c.created_ms, c.updated_ms)
      .run()
      .with_context(fmt::format("modem command {} of meter {}", c.seq, c.meter_no));
}

}  // namespace pintar::store
