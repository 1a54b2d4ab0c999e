// The ledger's schema as an ordered list of forward migrations, applied at open by the SQLite
// layer's one migration mechanism (sqlite/migrations.h).
//
// The file records its revision in meta('schema_revision'). Opening applies every step above
// it, in order, in one SQLite transaction (DDL is transactional in SQLite: a failed step
// leaves the file at its old revision). A file whose revision is above what this build knows
// is refused, never touched.
//
// Adding to the schema (P2APST purchase state, gateway queues, ...): append ONE new
// Migration at the end of kMigrations in schema.cpp with the next revision number and the
// statements it needs (CREATE TABLE, ALTER TABLE ADD COLUMN, CREATE INDEX, or the SQLite
// table-rebuild recipe for anything else). Never edit or reorder an existing step: files in
// the field were made by them, and schema_test.cpp rebuilds a file at every earlier revision
// to prove each upgrade path. Add the data your step must preserve to that test.
#ifndef PINTAR_STORE_SCHEMA_H_
#define PINTAR_STORE_SCHEMA_H_

#include <span>
#include <string_view>

#include "common/status.h"
#include "sqlite/connection.h"
#include "sqlite/migrations.h"

namespace pintar::store {

using sqlite::Migration;

std::span<const Migration> migrations();
int latest_revision();

// The file's revision: 0 for an empty file. Corruption when the file holds tables but no
// pintar meta table (it is some other database).
Result<int> schema_revision(sqlite::Connection& db);

// Brings the file to `target` (latest_revision() by default). FailedPrecondition, naming
// the file and both revisions, when the file is newer than this build. `file_name` is only
// used in messages.
Status migrate(sqlite::Connection& db, std::string_view file_name, int target = -1);

}  // namespace pintar::store

#endif  // PINTAR_STORE_SCHEMA_H_
