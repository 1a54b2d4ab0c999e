#include "sqlite/connection.h"

#include <sys/stat.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "sqlite/test_support.h"

namespace pintar::sqlite {
namespace {

Connection open_in(const std::string& dir, ConnectionOptions options = {}) {
  return test::open_in(dir, "test.db", options);
}

using test::scalar;

std::string pragma_text(Connection& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  REQUIRE(statement.ok());
  Cursor row(*statement);
  REQUIRE(*row.step());
  return row.text(0);
}

TEST_CASE("a file it creates is 0600 whatever the umask, with the pintar pragmas", "[sqlite]") {
  const std::string dir = test::make_temp_dir();
  const mode_t old = ::umask(0);
  Connection db = open_in(dir, {.synchronous = Synchronous::kNormal, .busy_timeout_ms = 1234});
  ::umask(old);
  struct stat st{};
  REQUIRE(::stat((dir + "/test.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(pragma_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(scalar(db, "PRAGMA synchronous") == 1);  // NORMAL
  CHECK(scalar(db, "PRAGMA foreign_keys") == 1);
  CHECK(scalar(db, "PRAGMA busy_timeout") == 1234);
  CHECK(scalar(db, "PRAGMA temp_store") == 2);  // MEMORY: no page image in /var/tmp
  Connection secure = open_in(dir, {.secure_delete = true});
  CHECK(scalar(secure, "PRAGMA secure_delete") == 1);
}

TEST_CASE("a missing file is not created when create is off or read-only", "[sqlite]") {
  const std::string dir = test::make_temp_dir();
  CHECK_FALSE(Connection::open(dir + "/absent.db", {.create = false}).ok());
  CHECK_FALSE(Connection::open(dir + "/absent.db", {.read_only = true}).ok());
  CHECK_FALSE(std::filesystem::exists(dir + "/absent.db"));
}

TEST_CASE("synchronous names parse both ways; others are refused", "[sqlite]") {
  for (Synchronous value : {Synchronous::kOff, Synchronous::kNormal, Synchronous::kFull, Synchronous::kExtra}) {
    CHECK(*parse_synchronous(synchronous_name(value)) == value);
  }
  CHECK(parse_synchronous("SOMETIMES").status().code() == StatusCode::kInvalidArgument);
  CHECK(parse_synchronous("full").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("statements bind every value type and read it back; a cursor resets", "[sqlite]") {
  const std::string dir = test::make_temp_dir();
  Connection db = open_in(dir);
  REQUIRE(db.exec("CREATE TABLE t(a, b, c, d, e, f, g)").ok());
  auto insert = db.prepare("INSERT INTO t VALUES(?,?,?,?,?,?,?)");
  REQUIRE(insert.ok());
  const std::string with_nul("a\0b", 3);
  REQUIRE(insert->bind(int64_t{1} << 40, true, uint32_t{0xFFFFFFFF}, std::string("text"), Blob{with_nul}, Blob{""},
                       std::optional<std::string>())
              .run()
              .ok());
  CHECK(db.changes() == 1);
  CHECK(db.last_insert_id() == 1);
  auto select = db.prepare("SELECT a, b, c, d, e, typeof(f), length(f), g, typeof(e) FROM t");
  REQUIRE(select.ok());
  {
    Cursor row(*select);
    REQUIRE(*row.step());
    CHECK(row.integer(0) == int64_t{1} << 40);
    CHECK(row.integer(1) == 1);
    CHECK(row.integer(2) == 0xFFFFFFFF);
    CHECK(row.text(3) == "text");
    CHECK(row.text(4) == with_nul);
    CHECK(row.text(5) == "blob");  // an empty Blob is a zero-length blob, not NULL
    CHECK(row.integer(6) == 0);
    CHECK(row.is_null(7));
    CHECK_FALSE(row.optional_text(7).has_value());
    CHECK(row.text(8) == "blob");
    CHECK_FALSE(*row.step());
  }
  // Reset by the cursor: the same statement reads from the start again.
  Cursor again(*select);
  REQUIRE(*again.step());
  CHECK(again.text(3) == "text");
}

TEST_CASE("one error mapping: constraints, busy, corruption", "[sqlite]") {
  const std::string dir = test::make_temp_dir();
  Connection db = open_in(dir, {.busy_timeout_ms = 10});
  REQUIRE(db.exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER NOT NULL CHECK (v > 0))").ok());
  auto insert = db.prepare("INSERT INTO t VALUES(?, ?)");
  REQUIRE(insert.ok());
  REQUIRE(insert->bind("a", 1).run().ok());
  CHECK(insert->bind("a", 2).run().code() == StatusCode::kAlreadyExists);
  CHECK(insert->bind("b", 0).run().code() == StatusCode::kInvalidArgument);
  CHECK(insert->bind("c", nullptr).run().code() == StatusCode::kInvalidArgument);
  CHECK(insert->bind("d", 4).run().ok());  // the statement is reusable after its errors

  Connection other = open_in(dir, {.busy_timeout_ms = 10});
  REQUIRE(other.exec("BEGIN IMMEDIATE").ok());
  const Status busy = db.exec("BEGIN IMMEDIATE");
  CHECK(busy.code() == StatusCode::kUnavailable);
  REQUIRE(other.exec("COMMIT").ok());
  CHECK(db.exec("BEGIN IMMEDIATE").ok());
  CHECK(db.in_transaction());
  CHECK(db.exec("COMMIT").ok());
  CHECK_FALSE(db.in_transaction());

  CHECK(db.exec("SELECT * FROM no_such_table").code() == StatusCode::kIoError);
}

TEST_CASE("a file that is not a database is Corruption", "[sqlite]") {
  const std::string dir = test::make_temp_dir();
  {
    std::FILE* f = std::fopen((dir + "/test.db").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(std::string(8192, 'x').c_str(), f);
    std::fclose(f);
  }
  auto db = Connection::open(dir + "/test.db", {});
  if (db.ok()) {
    CHECK(db->exec("SELECT * FROM sqlite_schema").code() == StatusCode::kCorruption);
  } else {
    CHECK(db.status().code() == StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace pintar::sqlite
