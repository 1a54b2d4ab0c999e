#include "sqlite/migrations.h"

#include <catch2/catch.hpp>

#include "sqlite/test_support.h"

namespace pintar::sqlite {
namespace {

constexpr std::string_view kStep1[] = {"CREATE TABLE a(x INTEGER)", "INSERT INTO a VALUES(1)"};
constexpr std::string_view kStep2[] = {"ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7"};
constexpr std::string_view kStep3Broken[] = {"CREATE TABLE b(z)", "INSERT INTO no_such_table VALUES(1)"};

Status double_x(Connection& db) { return db.exec("UPDATE a SET x = x * 2"); }

constexpr Migration kTwo[] = {{1, "a", kStep1}, {2, "a.y", kStep2, double_x}};
constexpr Migration kThreeBroken[] = {{1, "a", kStep1}, {2, "a.y", kStep2, double_x}, {3, "b", kStep3Broken}};
constexpr Migration kMisnumbered[] = {{1, "a", kStep1}, {3, "a.y", kStep2}};

Connection open_in(const std::string& dir) { return test::open_in(dir, "m.db"); }

using test::scalar;

TEST_CASE("migrate runs each step above the file's revision once, in order", "[sqlite]") {
  Connection db = open_in(test::make_temp_dir());
  const Schema schema{.name = "test", .steps = kTwo, .slot = kUserVersion};
  CHECK(schema.latest() == 2);
  REQUIRE(migrate(db, schema, "m.db", 1).ok());
  CHECK(scalar(db, "PRAGMA user_version") == 1);
  REQUIRE(migrate(db, schema, "m.db").ok());
  CHECK(scalar(db, "PRAGMA user_version") == 2);
  CHECK(scalar(db, "SELECT x * 100 + y FROM a") == 207);  // step 2's function ran once
  REQUIRE(migrate(db, schema, "m.db").ok());               // nothing left to do
  CHECK(scalar(db, "SELECT x * 100 + y FROM a") == 207);
  CHECK(scalar(db, "SELECT count(*) FROM a") == 1);
}

TEST_CASE("a failing step leaves the file at its old revision, untouched", "[sqlite]") {
  Connection db = open_in(test::make_temp_dir());
  REQUIRE(migrate(db, {.name = "test", .steps = kTwo, .slot = kUserVersion}, "m.db", 1).ok());
  const Status failed = migrate(db, {.name = "test", .steps = kThreeBroken, .slot = kUserVersion}, "m.db");
  CHECK_FALSE(failed.ok());
  CHECK_THAT(failed.message(), Catch::Contains("m.db: migration to revision 3"));
  CHECK(scalar(db, "PRAGMA user_version") == 1);
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('b')") == 0);
  CHECK(scalar(db, "SELECT x FROM a") == 1);  // step 2 ran and was rolled back with step 3
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("a file newer than the schema is refused untouched; misnumbered steps are refused", "[sqlite]") {
  Connection db = open_in(test::make_temp_dir());
  REQUIRE(db.exec("PRAGMA user_version=9").ok());
  const Status newer = migrate(db, {.name = "test", .steps = kTwo, .slot = kUserVersion}, "m.db");
  CHECK(newer.code() == StatusCode::kFailedPrecondition);
  CHECK(newer.message() == "m.db has schema revision 9 but this pintar knows up to 2; upgrade pintar");
  CHECK(scalar(db, "PRAGMA user_version") == 9);
  CHECK(migrate(db, {.name = "test", .steps = kMisnumbered, .slot = kUserVersion}, "m.db").code() ==
        StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::sqlite
