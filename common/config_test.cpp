#include "common/config.h"

#include <catch2/catch.hpp>

namespace pintar::config {
namespace {

constexpr Key kTestKeys[] = {
    {.path = "ledger.path", .type = Type::kString, .default_value = "ledger.db", .description = "d"},
    {.path = "ledger.synchronous", .type = Type::kString, .default_value = "FULL", .description = "d",
     .choices = "OFF|NORMAL|FULL|EXTRA"},
    {.path = "ledger.busy_timeout_ms", .type = Type::kInteger, .default_value = "5000", .description = "d",
     .min = 0, .max = 600000},
    {.path = "ledger.wal", .type = Type::kBoolean, .default_value = "true", .description = "d"},
    {.path = "smsc[].name", .type = Type::kString, .default_value = "", .description = "d", .required = true},
    {.path = "smsc[].port", .type = Type::kInteger, .default_value = "2775", .description = "d", .min = 1, .max = 65535},
    {.path = "smsc[].vendor_status", .type = Type::kStringMap, .default_value = "", .description = "d"},
    {.path = "smsc[].routes", .type = Type::kStringList, .default_value = "a,b", .description = "d"},
};

Schema test_schema() {
  Schema schema;
  schema.add(kTestKeys);
  return schema;
}

TEST_CASE("unset keys read as their defaults", "[config]") {
  auto config = Config::parse("", "empty.toml", test_schema());
  REQUIRE(config.ok());
  CHECK(config->string("ledger.path") == "ledger.db");
  CHECK(config->integer("ledger.busy_timeout_ms") == 5000);
  CHECK(config->boolean("ledger.wal"));
  CHECK(config->count("smsc") == 0);
}

TEST_CASE("set keys and arrays of tables are read back", "[config]") {
  auto config = Config::parse(R"(
[ledger]
synchronous = "NORMAL"
busy_timeout_ms = 250

[[smsc]]
name = "telkomsel"
port = 2776
routes = ["1234"]
vendor_status = { "0x400" = "temporary" }

[[smsc]]
name = "indosat"
)", "t.toml", test_schema());
  REQUIRE(config.ok());
  CHECK(config->string("ledger.synchronous") == "NORMAL");
  CHECK(config->integer("ledger.busy_timeout_ms") == 250);
  REQUIRE(config->count("smsc") == 2);
  CHECK(config->string("smsc[0].name") == "telkomsel");
  CHECK(config->integer("smsc[0].port") == 2776);
  CHECK(config->integer("smsc[1].port") == 2775);
  CHECK(config->strings("smsc[0].routes") == std::vector<std::string>{"1234"});
  CHECK(config->strings("smsc[1].routes") == std::vector<std::string>{"a", "b"});
  CHECK(config->string_map("smsc[0].vendor_status").at("0x400") == "temporary");
  CHECK(config->is_set("smsc[0].port"));
  CHECK_FALSE(config->is_set("smsc[1].port"));
}

TEST_CASE("every problem is reported with its line and key path", "[config]") {
  auto config = Config::parse(R"(
[ledger]
synchronus = "FULL"
busy_timeout_ms = "fast"
synchronous = "SOMETIMES"

[[smsc]]
port = 70000
)", "bad.toml", test_schema());
  REQUIRE_FALSE(config.ok());
  const std::string& message = config.status().message();
  CHECK_THAT(message, Catch::Contains("bad.toml:3:1: ledger.synchronus: unknown key"));
  CHECK_THAT(message, Catch::Contains("bad.toml:4:19: ledger.busy_timeout_ms: expected an integer"));
  CHECK_THAT(message, Catch::Contains("ledger.synchronous: \"SOMETIMES\" is not one of OFF|NORMAL|FULL|EXTRA"));
  CHECK_THAT(message, Catch::Contains("bad.toml:8:8: smsc[0].port: 70000 is out of range 1..65535"));
  CHECK_THAT(message, Catch::Contains("smsc[0].name: required key is missing"));
}

TEST_CASE("TOML syntax errors carry the position", "[config]") {
  auto config = Config::parse("[ledger\npath = 1", "syntax.toml", test_schema());
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(config.status().message(), Catch::StartsWith("syntax.toml:1:"));
}

TEST_CASE("a missing file is reported by name", "[config]") {
  auto config = Config::load("/nonexistent/pintar.toml", test_schema());
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(config.status().message(), Catch::Contains("/nonexistent/pintar.toml"));
}

TEST_CASE("the schema documents itself", "[config]") {
  const std::string doc = test_schema().markdown();
  CHECK_THAT(doc, Catch::Contains("| `ledger.busy_timeout_ms` | integer | `5000` | 0..600000 | d |"));
  CHECK_THAT(doc, Catch::Contains("| `smsc[].name` | string | (required) |"));
}

}  // namespace
}  // namespace pintar::config
