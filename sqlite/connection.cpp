#include "sqlite/connection.h"

#include <sqlite3.h>

#include <utility>

#include <fmt/format.h>

#include "common/private_file.h"

namespace pintar::sqlite {

Status status_from(int rc, sqlite3* db, std::string_view what) {
  const std::string message = fmt::format("{}: {}", what, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::ok_status();
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Status::already_exists(message);
      return Status::invalid_argument(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::unavailable(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::corruption(message);
    case SQLITE_NOMEM:
      return Status::resource_exhausted(message);
    default:
      return Status::io_error(message);
  }
}

Result<Synchronous> parse_synchronous(std::string_view name) {
  if (name == "OFF") return Synchronous::kOff;
  if (name == "NORMAL") return Synchronous::kNormal;
  if (name == "FULL") return Synchronous::kFull;
  if (name == "EXTRA") return Synchronous::kExtra;
  return Status::invalid_argument(fmt::format("synchronous must be OFF, NORMAL, FULL or EXTRA, not '{}'", name));
}

std::string_view synchronous_name(Synchronous value) {
  switch (value) {
    case Synchronous::kOff: return "OFF";
    case Synchronous::kNormal: return "NORMAL";
    case Synchronous::kFull: return "FULL";
    case Synchronous::kExtra: return "EXTRA";
  }
  return "FULL";
}

Result<Connection> Connection::open(const std::string& path, const ConnectionOptions& options) {
  int flags = SQLITE_OPEN_NOMUTEX | (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  // Both files pintar keeps hold secrets (PIN hashes, tokens, MOs with PINs in flight).
  if ((flags & SQLITE_OPEN_CREATE) != 0) PINTAR_RETURN_IF_ERROR(create_private_file(path));
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  Connection connection(db);  // closes the handle on every return path, even a failed open
  if (rc != SQLITE_OK) return status_from(rc, db, path);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // journal_mode=WAL needs a write; a read-only connection inherits it from the file.
  if (!options.read_only) PINTAR_RETURN_IF_ERROR(connection.exec("PRAGMA journal_mode=WAL").with_context(path));
  PINTAR_RETURN_IF_ERROR(connection.exec("PRAGMA foreign_keys=ON"));
  if (options.secure_delete) PINTAR_RETURN_IF_ERROR(connection.exec("PRAGMA secure_delete=ON"));
  // Savepoint sub-journals (one per write set in a group commit) and sorts stay in memory:
  // in files they spilled to /var/tmp at about half of all bytes written per vend (bench/e2e),
  // with page images holding tokens and PIN hashes (connection.h).
  PINTAR_RETURN_IF_ERROR(connection.exec("PRAGMA temp_store=MEMORY"));
  // Constant text chosen from a fixed list, not input.
  PINTAR_RETURN_IF_ERROR(connection.exec(fmt::format("PRAGMA synchronous={}", synchronous_name(options.synchronous))));
  return connection;
}

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

Status Connection::exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // status_from reads the same message from the handle
  return rc == SQLITE_OK ? Status::ok_status() : status_from(rc, db_, "SQL failed");
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) return status_from(rc, db_, fmt::format("preparing '{}'", sql.substr(0, 60)));
  return Statement(stmt);
}

int64_t Connection::changes() const { return sqlite3_changes64(db_); }

int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace pintar::sqlite
