// Prepared statements of the SQLite layer (sqlite/connection.h prepares them).
//
// A Statement owns one prepared statement and finalises it when destroyed. Values reach
// SQLite only as bound parameters. A Cursor resets its statement when the scope that reads
// rows ends, whichever way it is left: an open read statement pins a WAL snapshot.
//
// Threads: used by the thread that holds the statement's connection; not synchronised.
// Errors: run() and step() return the mapped Status of sqlite/connection.h (status_from).
#ifndef PINTAR_SQLITE_STATEMENT_H_
#define PINTAR_SQLITE_STATEMENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sqlite3_stmt;

namespace pintar::sqlite {

// Octets bound as a BLOB (they may hold any octet, NUL included); empty binds a zero-length
// blob, never NULL.
struct Blob {
  std::string_view data;
};

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds parameters 1..N in order. Values: integers (int, int64_t, uint32_t, size_t, bool as
  // 0/1), text (string_view, std::string, const char*), optional text or integer (nullopt
  // binds NULL), blobs (Blob, span<const uint8_t>, vector<uint8_t>, optional span), nullptr
  // (NULL). Resets the statement first, so a statement left mid-way by an error is reusable.
  template <typename... Args>
  Statement& bind(const Args&... args) {
    reset();
    int index = 1;
    (bind_one(index++, args), ...);
    return *this;
  }

  // Runs a statement (a row it returns is ignored), then resets it.
  Status run();
  // Steps once: true with a row to read, false when done. The statement stays open until
  // reset() (a Cursor does that).
  Result<bool> step();
  // Resets the statement and clears its bindings.
  void reset();

  int64_t integer(int column) const;
  // TEXT (or BLOB) octets of a column; "" for NULL.
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::vector<uint8_t> blob(int column) const;
  bool is_null(int column) const;

 private:
  void bind_one(int index, int64_t value);
  void bind_one(int index, int value) { bind_one(index, static_cast<int64_t>(value)); }
  void bind_one(int index, uint32_t value) { bind_one(index, static_cast<int64_t>(value)); }
  void bind_one(int index, size_t value) { bind_one(index, static_cast<int64_t>(value)); }
  void bind_one(int index, bool value) { bind_one(index, static_cast<int64_t>(value ? 1 : 0)); }
  void bind_one(int index, std::string_view value);
  void bind_one(int index, const std::string& value) { bind_one(index, std::string_view(value)); }
  void bind_one(int index, const char* value) { bind_one(index, std::string_view(value)); }
  void bind_one(int index, const std::optional<std::string>& value);
  void bind_one(int index, std::span<const uint8_t> value);
  void bind_one(int index, const std::vector<uint8_t>& value) { bind_one(index, std::span<const uint8_t>(value)); }
  void bind_one(int index, Blob value);
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

// Borrows a statement for one use and resets it when the scope ends. Forwards the reading
// and binding calls, so `Cursor row(statement); row.bind(x).step(); row.integer(0)` reads.
class Cursor {
 public:
  explicit Cursor(Statement& statement) : statement_(statement) {}
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() { statement_.reset(); }

  template <typename... Args>
  Cursor& bind(const Args&... args) {
    statement_.bind(args...);
    return *this;
  }
  Result<bool> next() { return statement_.step(); }
  Result<bool> step() { return statement_.step(); }
  // Steps to the first row and resets: a statement that changes rows.
  Status run() { return statement_.run(); }
  int64_t integer(int column) const { return statement_.integer(column); }
  std::string text(int column) const { return statement_.text(column); }
  std::optional<std::string> optional_text(int column) const { return statement_.optional_text(column); }
  std::vector<uint8_t> blob(int column) const { return statement_.blob(column); }
  bool is_null(int column) const { return statement_.is_null(column); }
  Statement* operator->() { return &statement_; }
  const Statement& statement() const { return statement_; }

 private:
  Statement& statement_;
};

}  // namespace pintar::sqlite

#endif  // PINTAR_SQLITE_STATEMENT_H_
