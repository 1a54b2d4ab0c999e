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
#include "sqlite/connection.h"
#include "store/chain_key.h"
#include "store/ledger.h"

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
  // The chain key (chain_key.h); null: plain chains. A file created or upgraded to keyed
  // chains by this open is keyed at once. With a key, a file keyed with another key is
  // refused (FailedPrecondition); a process without it cannot append to keyed chains.
  std::shared_ptr<const ChainKey> chain_key = nullptr;
  // Key the chains of an existing file that are not keyed yet (`pintar ledger migrate`):
  // the first MAC vouches for every row before it, so verify the file first.
  bool seal_unkeyed_chains = false;
};

// The first schema revision with keyed-chain columns.
inline constexpr int kFirstKeyedRevision = 5;

// Migrates `db` to the latest revision, then checks or applies the chain key as
// LedgerOptions says (used by open_ledger and the P2APST journal's open).
Status migrate_and_key(sqlite::Connection& db, const LedgerOptions& options);

// Opens (creating if allowed) and migrates the file to the latest schema revision.
// FailedPrecondition when the file is from a newer pintar; Corruption when it is not a
// pintar ledger; IoError when it cannot be opened.
Result<std::unique_ptr<Ledger>> open_ledger(const LedgerOptions& options);

}  // namespace pintar::store

#endif  // PINTAR_STORE_SQLITE_LEDGER_H_
