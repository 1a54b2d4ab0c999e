// The group-commit writer of the SQLite ledger (private to store/).
//
// One thread owns the write connection. submit() queues a write set; the thread takes every
// write set queued (up to max_batch, optionally waiting max_wait for more), opens one
// database transaction, applies each in its own savepoint, commits once, and only then
// resolves each caller's future: ok when its savepoint was released and the COMMIT
// returned, its own error when its savepoint was rolled back, the COMMIT's error otherwise.
//
// run_in_transaction() runs a bulk job (the subscriber import) alone in one transaction on
// the same thread, so bulk work and small write sets never interleave inside a transaction.
//
// Thread-safe. The destructor drains the queue (every submitted write set gets its answer)
// and joins the thread.
#ifndef PINTAR_STORE_WRITER_H_
#define PINTAR_STORE_WRITER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <future>
#include <mutex>
#include <thread>
#include <variant>

#include "common/crypto.h"
#include "common/status.h"
#include "store/chain_head.h"
#include "store/chain_key.h"
#include "store/ledger.h"
#include "store/sqlite_db.h"
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
  struct Pending {
    std::variant<WriteSet, Job> work;
    std::promise<Status> done;
  };

  void run();
  void commit_group(std::vector<Pending>& group);
  void run_job(Pending& pending);
  Status begin();  // BEGIN IMMEDIATE and load the chain heads
  Status apply_in_savepoint(const WriteSet& writes);
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
  Status commit();  // stores moved chain heads, then COMMIT; ROLLBACK on failure

  sqlite::Connection db_;
  Statements sql_;
  const Options options_;
  const std::shared_ptr<const ChainKey> key_;
  ChainHeads heads_;  // writer thread only
  Counters<LedgerCounter> counters_{kLedgerCounters};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_WRITER_H_
