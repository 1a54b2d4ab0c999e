// Thin RAII layer over the SQLite C API, private to store/.
//
// A Connection owns one sqlite3 handle; a Statement owns one prepared statement. Neither is
// synchronised: each connection belongs to one thread at a time (the writer thread, or a
// reader that borrowed it from the pool). Failures come back as pintar::Status with SQLite's
// own message; SQLITE_CONSTRAINT becomes AlreadyExists (unique) or InvalidArgument (CHECK,
// NOT NULL, foreign key), SQLITE_BUSY Unavailable, SQLITE_CORRUPT/NOTADB Corruption.
#ifndef PINTAR_STORE_SQLITE_DB_H_
#define PINTAR_STORE_SQLITE_DB_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pintar::store::sqlite {

// Maps an SQLite result code (with the connection's message) to a Status.
Status status_from(int rc, sqlite3* db, std::string_view what);

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds parameters 1..N in order. Values: integers, text (string_view / std::string),
  // optional text or integer (nullopt binds NULL), blobs (span<const uint8_t>, optional of it), nullptr (NULL).
  // Resets the statement first, so a statement left mid-way by an error is reusable.
  template <typename... Args>
  Statement& bind(const Args&... args) {
    reset();
    int index = 1;
    (bind_one(index++, args), ...);
    return *this;
  }

  // Runs a statement that returns no rows, then resets it.
  Status run();
  // Steps once: true with a row to read, false when done. The statement stays open until
  // reset() (Cursor in the callers does that), which matters: an open read statement pins
  // a WAL snapshot.
  Result<bool> step();
  void reset();

  int64_t integer(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::vector<uint8_t> blob(int column) const;
  bool is_null(int column) const;

 private:
  void bind_one(int index, int64_t value);
  void bind_one(int index, int value) { bind_one(index, static_cast<int64_t>(value)); }
  void bind_one(int index, std::string_view value);
  void bind_one(int index, const std::string& value) { bind_one(index, std::string_view(value)); }
  void bind_one(int index, const char* value) { bind_one(index, std::string_view(value)); }
  void bind_one(int index, const std::optional<std::string>& value);
  void bind_one(int index, std::span<const uint8_t> value);
  void bind_one(int index, const std::vector<uint8_t>& value) { bind_one(index, std::span<const uint8_t>(value)); }
  void bind_one(int index, std::nullptr_t);
  void bind_one(int index, const std::optional<int64_t>& value) {
    if (value) return bind_one(index, *value);
    bind_one(index, nullptr);
  }
  void bind_one(int index, const std::optional<std::span<const uint8_t>>& value) {
    if (value) return bind_one(index, *value);
    bind_one(index, nullptr);
  }

  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the read is over, whichever way the scope is left.
class Cursor {
 public:
  explicit Cursor(Statement& statement) : statement_(statement) {}
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() { statement_.reset(); }
  Result<bool> next() { return statement_.step(); }
  Statement* operator->() { return &statement_; }
  const Statement& statement() const { return statement_; }

 private:
  Statement& statement_;
};

enum class Synchronous { kOff, kNormal, kFull, kExtra };
Result<Synchronous> parse_synchronous(std::string_view name);
std::string_view synchronous_name(Synchronous value);

struct ConnectionOptions {
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 5000;
  bool read_only = false;
  bool create = true;  // create the file when missing (read_only implies false)
};

class Connection {
 public:
  // Opens the file and sets the pragmas every pintar connection runs with: WAL journal,
  // the given synchronous level, foreign keys on, the busy timeout. A file it creates is
  // 0600 whatever the umask (and so are its -wal and -shm).
  static Result<Connection> open(const std::string& path, const ConnectionOptions& options);

  Connection() = default;
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs constant SQL text (pragmas, DDL of the migrations). Never pass text derived from
  // input: that is what prepared statements with bound parameters are for.
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;
  // False in autocommit mode: no transaction open (or SQLite rolled it back after an I/O
  // error, a full disk or running out of memory).
  bool in_transaction() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace pintar::store::sqlite

#endif  // PINTAR_STORE_SQLITE_DB_H_
