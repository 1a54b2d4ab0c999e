#include "store/writer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "store/chain.h"

namespace pintar::store {
namespace {

std::span<const uint8_t> bytes_of(const crypto::Sha256Digest& digest) { return digest; }

std::optional<std::span<const uint8_t>> optional_bytes(const std::optional<crypto::Sha256Digest>& digest) {
  if (!digest) return std::nullopt;
  return std::span<const uint8_t>(*digest);
}

}  // namespace

Writer::Writer(sqlite::Connection db, Statements statements, Options options, std::shared_ptr<const ChainKey> key)
    : sql_(std::move(statements)), key_(std::move(key)) {
  group_.emplace(std::move(db),
                 sqlite::GroupWriter::Options{.name = "ledger", .file = {}, .max_batch = options.max_batch,
                                              .max_wait = options.max_wait},
                 sqlite::GroupWriter::Hooks{
                     .after_begin = [this](sqlite::Connection& db) { return after_begin(db); },
                     .before_commit = [this](sqlite::Connection&) { return before_commit(); },
                     .after_transaction =
                         [this](const Status& status) { counters_.add(status.ok() ? kCommits : kCommitFailures); }});
}

Writer::~Writer() { group_.reset(); }  // drains the queue: every write set gets its answer

std::future<Status> Writer::submit(WriteSet writes) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> future = done->get_future();
  group_->submit([this, writes = std::move(writes)](sqlite::Connection&) { return apply_write_set(writes); },
                 [this, done](Status status) {
                   if (status.code() != StatusCode::kCancelled) {
                     counters_.add(status.ok() ? kWriteSetsCommitted : kWriteSetsFailed);
                   }
                   done->set_value(std::move(status));
                 });
  return future;
}

Status Writer::run_in_transaction(Job job) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> future = done->get_future();
  // Counted as a commit (or a failed one) only when the job's work got as far as the COMMIT.
  auto applied = std::make_shared<bool>(false);
  group_->submit_alone(
      [this, job = std::move(job), applied](sqlite::Connection& db) -> Status {
        auto writes = job(db, sql_);
        if (!writes.ok()) return writes.status();
        PINTAR_RETURN_IF_ERROR(apply(*writes));
        *applied = true;
        return Status::ok_status();
      },
      [this, done, applied](Status status) {
        if (*applied) counters_.add(status.ok() ? kCommits : kCommitFailures);
        done->set_value(std::move(status));
      });
  return future.get();
}

Status Writer::after_begin(sqlite::Connection& db) {
  db_ = &db;
  // Re-read after taking the write lock: another process may have extended a chain.
  PINTAR_RETURN_IF_ERROR(load_head(sql_[Sql::kChainHeadGet], kTransactionsChain, heads_.transactions));
  return load_head(sql_[Sql::kChainHeadGet], kAuditChain, heads_.audit);
}

Status Writer::before_commit() {
  PINTAR_RETURN_IF_ERROR(store_head(sql_[Sql::kChainHeadPut], kTransactionsChain, heads_.transactions, key_.get()));
  return store_head(sql_[Sql::kChainHeadPut], kAuditChain, heads_.audit, key_.get());
}

Status Writer::apply_write_set(const WriteSet& writes) {
  const ChainHeads before = heads_;
  Status status = apply(writes);
  if (!status.ok()) heads_ = before;  // its savepoint is rolled back: so are the heads it moved
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
  if (db_->changes() > 0) return Status::ok_status();
  // Nothing changed: no such message, or it is further along already (a late repeat, which is
  // kept as it was and is not an error). Only this rare path reads.
  sqlite::Cursor row(sql_[Sql::kMessageGet].bind(d.message_id));
  auto found = row.step();
  if (!found.ok()) return found.status();
  return *found ? Status::ok_status() : Status::not_found(fmt::format("message {}", d.message_id));
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
  if (db_->changes() == 0) return Status::not_found(what);
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
