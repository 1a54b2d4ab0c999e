// The SQLite implementation of store::Ledger.
//
// One file in WAL mode. One writer thread owns the only write connection and commits groups
// of write sets (see ledger.h); a small pool of read connections serves reads. Several
// processes may open the same file (the daemons and a `pintar customers import`): SQLite's
// lock serialises their writers, and each group re-reads the chain heads after taking the
// write lock, so the hash chains stay intact across processes.
#ifndef PINTAR_STORE_SQLITE_LEDGER_H_
#define PINTAR_STORE_SQLITE_LEDGER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/ledger.h"
#include "store/sqlite_db.h"

namespace pintar::store {

struct LedgerOptions {
  std::string path;  // the database file; created (with its schema) when missing
  sqlite::Synchronous synchronous = sqlite::Synchronous::kFull;
  int busy_timeout_ms = 5000;
  // Group commit: at most this many write sets per database transaction...
  size_t group_commit_max_batch = 256;
  // ...and how long the writer may wait for more before committing a group that is not
  // full. 0: commit whatever is queued at once (write sets that arrive during a commit
  // form the next group, which is where the grouping comes from).
  std::chrono::microseconds group_commit_max_wait{0};
  int read_connections = 2;
  bool create = true;  // false: NotFound when the file does not exist
};

// Opens (creating if allowed) and migrates the file to the latest schema revision.
// FailedPrecondition when the file is from a newer pintar; Corruption when it is not a
// pintar ledger; IoError when it cannot be opened.
Result<std::unique_ptr<Ledger>> open_ledger(const LedgerOptions& options);

}  // namespace pintar::store

#endif  // PINTAR_STORE_SQLITE_LEDGER_H_
