// Helpers shared by sqlite/'s unit tests.
#ifndef PINTAR_SQLITE_TEST_SUPPORT_H_
#define PINTAR_SQLITE_TEST_SUPPORT_H_

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "common/temp_dir.h"
#include "sqlite/connection.h"

namespace pintar::sqlite::test {

inline std::string make_temp_dir() { return pintar::make_temp_dir("sqlite"); }

// Opens `dir`/`name` with `options`; the test fails if it cannot.
inline Connection open_in(const std::string& dir, const std::string& name, ConnectionOptions options = {}) {
  auto db = Connection::open(dir + "/" + name, options);
  REQUIRE(db.ok());
  return std::move(db).value();
}

// The first column of the first row of `sql`, as an integer.
inline int64_t scalar(Connection& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  REQUIRE(statement.ok());
  Cursor row(*statement);
  REQUIRE(*row.step());
  return row.integer(0);
}

}  // namespace pintar::sqlite::test

#endif  // PINTAR_SQLITE_TEST_SUPPORT_H_
