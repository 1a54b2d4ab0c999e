// The group-commit writer of the SQLite layer: one thread owns a file's write connection.
//
// submit() queues an operation. The thread takes every operation queued (up to max_batch,
// optionally waiting max_wait for more), opens one `BEGIN IMMEDIATE` transaction, applies each
// operation in its own savepoint (one failing operation is rolled back alone and does not
// undo the others), commits once, and only then runs each operation's `done`: with the
// operation's own error when its savepoint was rolled back, else with the transaction's
// outcome (ok once the COMMIT returned; synchronous=FULL: after the fsync).
//
// The automatic-rollback guard: after SQLITE_FULL, an I/O error or running out of memory,
// SQLite may roll the whole transaction back by itself. The operations still to come would
// then each commit on their own in autocommit mode while their `done` reported the batch's
// failure (an MO stored yet refused, answered again: a duplicate). So the batch ends at that
// operation and every operation of it fails; nothing commits piecemeal.
//
// submit_alone() runs a bulk operation (the ledger's subscriber import) alone in a
// transaction of its own, without a savepoint; its error rolls everything back. Bulk work and
// small operations never interleave inside one transaction.
//
// Threads: submit() and submit_alone() may be called from any thread. `apply`, the hooks and
// `done` all run on the writer thread, in submission order; `done` must not block on the
// writer (waiting there for another operation's outcome deadlocks).
// Ownership: the writer owns the connection; `apply` borrows it for its call only.
// Errors: SQLite failures as mapped by sqlite/connection.h, with Options::file as context on
// the transaction's own failures. Once the destructor has begun, submit() answers Cancelled.
// The destructor drains the queue (every operation submitted gets its `done`) and joins.
#ifndef PINTAR_SQLITE_WRITER_H_
#define PINTAR_SQLITE_WRITER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "sqlite/connection.h"

namespace pintar::sqlite {

class GroupWriter {
 public:
  struct Options {
    std::string name = "database";  // "ledger", "gateway queue": in messages and the log
    std::string file{};             // added as context to a transaction's failure ("" none)
    size_t max_batch = 256;         // operations per transaction
    std::chrono::microseconds max_wait{0};  // wait this long for a batch to fill (0: never)
  };
  // Run on the writer thread around every transaction; any may be empty. An error from
  // after_begin or before_commit fails the transaction (rolled back).
  struct Hooks {
    std::function<Status(Connection&)> after_begin{};    // e.g. load state the batch extends
    std::function<Status(Connection&)> before_commit{};  // e.g. store it
    // After each batch's transaction (not submit_alone's) with its outcome (ok: committed),
    // before the `done`s run.
    std::function<void(const Status&)> after_transaction{};
  };
  using Apply = std::function<Status(Connection&)>;
  using Done = std::function<void(Status)>;

  GroupWriter(Connection db, Options options, Hooks hooks);
  GroupWriter(Connection db, Options options);  // no hooks
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;
  ~GroupWriter();

  // Queues `apply` for the next batch; `done` (may be empty) gets its outcome.
  void submit(Apply apply, Done done);
  // Queues `apply` to run alone in a transaction of its own.
  void submit_alone(Apply apply, Done done);

 private:
  struct Pending {
    Apply apply;
    Done done;
    bool alone = false;
  };

  void enqueue(Pending pending);
  void run();
  void commit_batch(std::vector<Pending>& batch);
  void run_alone(Pending& pending);
  Status begin();
  Status commit();  // before_commit, then COMMIT; ROLLBACK on failure
  void rollback_if_open();
  Status apply_in_savepoint(Pending& pending);
  Status transaction_failure(Status status) const;

  Connection db_;
  const Options options_;
  const Hooks hooks_;
  Status broken_;  // a constant statement failed to prepare: every transaction fails so
  Statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace pintar::sqlite

#endif  // PINTAR_SQLITE_WRITER_H_
