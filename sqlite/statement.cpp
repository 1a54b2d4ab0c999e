#include "sqlite/statement.h"

#include <sqlite3.h>

#include <utility>

#include "sqlite/connection.h"

namespace pintar::sqlite {

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Status Statement::run() {
  const int rc = sqlite3_step(stmt_);
  Status status = rc == SQLITE_DONE || rc == SQLITE_ROW ? Status::ok_status()
                                                         : status_from(sqlite3_reset(stmt_), sqlite3_db_handle(stmt_),
                                                                       "statement failed");
  reset();
  return status;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return status_from(sqlite3_reset(stmt_), sqlite3_db_handle(stmt_), "query failed");
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return data != nullptr ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::vector<uint8_t> Statement::blob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  return data != nullptr ? std::vector<uint8_t>(data, data + sqlite3_column_bytes(stmt_, column))
                         : std::vector<uint8_t>();
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

void Statement::bind_one(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::bind_one(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void Statement::bind_one(int index, const std::optional<std::string>& value) {
  if (value) {
    bind_one(index, std::string_view(*value));
  } else {
    sqlite3_bind_null(stmt_, index);
  }
}

void Statement::bind_one(int index, std::span<const uint8_t> value) {
  sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT);
}

void Statement::bind_one(int index, Blob value) {
  // A null pointer would bind NULL: an empty blob is bound from a non-null empty string.
  sqlite3_bind_blob64(stmt_, index, value.data.empty() ? "" : value.data.data(), value.data.size(), SQLITE_TRANSIENT);
}

void Statement::bind_one(int index, std::nullptr_t) { sqlite3_bind_null(stmt_, index); }

}  // namespace pintar::sqlite
