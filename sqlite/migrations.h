// Schema migrations: one mechanism for every SQLite file pintar keeps.
//
// A schema is an ordered table of numbered, forward-only steps. Step N takes a file from
// revision N-1 to N: its constant SQL statements in order, then (rarely) a function for data
// work no SQL can do. migrate() runs every step above the file's revision inside ONE
// `BEGIN IMMEDIATE` transaction (DDL is transactional in SQLite: a failed step leaves the file
// at its old revision; two processes opening a fresh file at once do not both migrate it).
// A file whose revision is above what this build knows is refused (FailedPrecondition naming
// the file and both revisions) and never touched.
//
// Where the revision number lives is the schema's own (RevisionSlot): the ledger keeps it in
// its meta table, the gateway queue in the file header (PRAGMA user_version); files in the
// field were made that way and still open.
//
// Never edit or reorder a released step: append one with the next number. The steps'
// numbers must be 1, 2, 3, ... in order (migrate() checks, InvalidArgument otherwise).
//
// Threads: runs on the caller's thread with the connection it is given.
#ifndef PINTAR_SQLITE_MIGRATIONS_H_
#define PINTAR_SQLITE_MIGRATIONS_H_

#include <span>
#include <string_view>

#include "common/status.h"
#include "sqlite/connection.h"

namespace pintar::sqlite {

struct Migration {
  int revision;  // 1, 2, 3, ...: the revision the file has after this step
  std::string_view summary;
  std::span<const std::string_view> statements;  // constant SQL, run in order
  // Data work no SQL statement can do (computing hashes), run after the statements in the
  // same transaction; nullptr for most steps.
  Status (*after)(Connection& db) = nullptr;
};

// How a schema reads and records its revision, inside the migration's transaction.
struct RevisionSlot {
  // 0 for a file no step has run on yet.
  Result<int> (*read)(Connection& db);
  Status (*write)(Connection& db, int revision);
};
// The slot in the file header: PRAGMA user_version.
extern const RevisionSlot kUserVersion;

struct Schema {
  std::string_view name;  // "ledger", "gateway queue": for messages
  std::span<const Migration> steps;
  RevisionSlot slot;
  int latest() const { return steps.empty() ? 0 : steps.back().revision; }
};

// Brings the file to revision `target` (schema.latest() when negative). `file_name` is only
// used in messages.
Status migrate(Connection& db, const Schema& schema, std::string_view file_name, int target = -1);

}  // namespace pintar::sqlite

#endif  // PINTAR_SQLITE_MIGRATIONS_H_
