// pintar's one layer over the SQLite C API: connections and the error mapping.
//
// Every SQLite file pintar keeps (the ledger, store/; the gateway's queue, gateway/) is opened
// through Connection::open, so all of them run with the same pragmas: WAL journal, foreign
// keys on, a busy timeout, temporary tables and savepoint sub-journals in memory, and a
// synchronous level from one enum. A file it creates is 0600 whatever the umask.
//
// Threads: a Connection (and every Statement prepared on it) belongs to one thread at a time;
// nothing here is synchronised. The handle is opened SQLITE_OPEN_NOMUTEX.
// Ownership: a Connection owns its sqlite3 handle and closes it when destroyed (close_v2: a
// statement outliving it keeps the handle until it is finalised).
// Errors: every failure is a pintar::Status carrying SQLite's own message, mapped by
// status_from() below; no function here throws.
#ifndef PINTAR_SQLITE_CONNECTION_H_
#define PINTAR_SQLITE_CONNECTION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sqlite/statement.h"

struct sqlite3;

namespace pintar::sqlite {

// The one mapping from an SQLite result code (extended codes included) to a Status; `db`
// (may be null) supplies the message, `what` prefixes it:
//   SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY  -> AlreadyExists
//   any other SQLITE_CONSTRAINT (CHECK, NOT NULL, foreign key) -> InvalidArgument
//   SQLITE_BUSY, SQLITE_LOCKED              -> Unavailable (another connection holds the lock)
//   SQLITE_CORRUPT, SQLITE_NOTADB           -> Corruption
//   SQLITE_NOMEM                            -> ResourceExhausted
//   everything else (SQLITE_IOERR_*, SQLITE_FULL, ...) -> IoError
// A full disk is IoError, not ResourceExhausted: callers keep ResourceExhausted for pintar's
// own limits (the gateway answers a long-MO cap with 0x14 ESME_RMSGQFUL and a failing disk
// with 0x64, and counts them apart).
Status status_from(int rc, sqlite3* db, std::string_view what);

// PRAGMA synchronous. kFull: a committed transaction survives power loss (an fsync per
// commit); kNormal: it survives a crash of the process; kOff and kExtra as SQLite documents.
enum class Synchronous { kOff, kNormal, kFull, kExtra };
// "OFF", "NORMAL", "FULL", "EXTRA" (the config files' spelling); InvalidArgument otherwise.
Result<Synchronous> parse_synchronous(std::string_view name);
std::string_view synchronous_name(Synchronous value);

struct ConnectionOptions {
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 5000;
  bool read_only = false;
  bool create = true;          // create the file when missing (read_only implies false)
  bool secure_delete = false;  // overwrite deleted rows (PRAGMA secure_delete): rows holding PINs
};

class Connection {
 public:
  // Opens the file and sets the pragmas every pintar connection runs with: WAL journal (set
  // by writers; a read-only connection inherits it from the file), the given synchronous
  // level, foreign keys on, the busy timeout, temp_store=MEMORY: savepoint sub-journals
  // (one per write set of a group commit) and sorts stay in memory. In files they spilled to
  // /var/tmp at about half of all bytes written per vend, as page images holding tokens and
  // PIN hashes (commit a1dd4b6). A file it creates is 0600 (and so are its -wal and -shm).
  static Result<Connection> open(const std::string& path, const ConnectionOptions& options);

  Connection() = default;
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs constant SQL text (pragmas, the DDL of migrations; several statements may be given
  // at once). Never pass text derived from input: that is what bound parameters are for.
  Status exec(std::string_view sql);
  // Prepares one statement to keep (SQLITE_PREPARE_PERSISTENT).
  Result<Statement> prepare(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;
  // The rowid of the last successful INSERT on this connection.
  int64_t last_insert_id() const;
  // False in autocommit mode: no transaction open (or SQLite rolled it back after an I/O
  // error, a full disk or running out of memory).
  bool in_transaction() const;
  bool is_open() const { return db_ != nullptr; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace pintar::sqlite

#endif  // PINTAR_SQLITE_CONNECTION_H_
