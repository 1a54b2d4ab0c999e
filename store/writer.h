// The ledger's writer (private to store/): WriteSets applied through the SQLite layer's
// group-commit writer (sqlite/writer.h), which owns the write connection and its thread.
//
// submit() queues a write set; the group-commit writer takes every write set queued (up to
// max_batch, optionally waiting max_wait for more), opens one database transaction, applies
// each in its own savepoint, commits once, and only then resolves each caller's future: ok
// when its savepoint was released and the COMMIT returned, its own error when its savepoint
// was rolled back, the transaction's error otherwise (after a full disk or an I/O error that
// rolled the transaction back: every write set of the batch). The chain heads are loaded
// after BEGIN (another process may have extended a chain) and stored before COMMIT; a write
// set rolled back to its savepoint leaves them as they were.
//
// run_in_transaction() runs a bulk job (the subscriber import) alone in one transaction on
// the same thread, so bulk work and small write sets never interleave inside a transaction.
//
// Thread-safe. The destructor drains the queue (every submitted write set gets its answer)
// and joins the thread.
#ifndef PINTAR_STORE_WRITER_H_
#define PINTAR_STORE_WRITER_H_

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>

#include "common/crypto.h"
#include "common/status.h"
#include "sqlite/connection.h"
#include "sqlite/writer.h"
#include "store/chain_head.h"
#include "store/chain_key.h"
#include "store/ledger.h"
#include "store/statements.h"

namespace pintar::store {

class Writer {
 public:
  struct Options {
    size_t max_batch = 256;
    std::chrono::microseconds max_wait{0};
  };
  // A bulk job: does its work through the statements and returns the write set (an audit
  // entry, say) to apply in the same transaction; an error rolls everything back.
  using Job = std::function<Result<WriteSet>(sqlite::Connection&, Statements&)>;

  // `key` (may be null: plain chains) keys the rows appended; see chain_head.h.
  Writer(sqlite::Connection db, Statements statements, Options options, std::shared_ptr<const ChainKey> key);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();

  std::future<Status> submit(WriteSet writes);
  Status run_in_transaction(Job job);
  const Counters<LedgerCounter>& counters() const { return counters_; }

 private:
  struct ChainHeads {
    ChainHead transactions;
    ChainHead audit;
  };
  Status after_begin(sqlite::Connection& db);  // loads the chain heads
  Status before_commit();  // stores moved chain heads
  Status apply_write_set(const WriteSet& writes);  // restores the heads when it fails
  Status apply(const WriteSet& writes);
  // Inserts `record` as the next row of `chain`, whose head is `head`: insert(seq, row_hash,
  // row_mac) runs the INSERT (row_mac empty on a plain chain).
  template <typename Record, typename Insert>
  Status append_chained(std::string_view chain, ChainHead& head, const Record& record, Insert insert);
  Status apply_op(const TransactionRecord& record);
  Status apply_op(const AuditEntry& entry);
  Status apply_op(const MessageRecord& message);
  Status apply_op(const MessageDelivery& delivery);
  Status apply_op(const MeterEvent& event);
  Status apply_op(const SubscriptionUpdate& update);
  Status apply_op(const VendDetail& detail);
  Status apply_op(const TidIssue& issue);
  Status apply_op(const ModemCommand& command);

  // Writer thread only (the group-commit writer's apply functions and hooks):
  sqlite::Connection* db_ = nullptr;  // the group-commit writer's connection, noted at each BEGIN
  Statements sql_;
  const std::shared_ptr<const ChainKey> key_;
  ChainHeads heads_;
  Counters<LedgerCounter> counters_{kLedgerCounters};
  std::optional<sqlite::GroupWriter> group_;  // last: its thread starts after everything above
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_WRITER_H_
