#include "common/log.h"

#include <catch2/catch.hpp>

namespace pintar::log {
namespace {

TEST_CASE("tokens are masked to their first and last four digits", "[log]") {
  CHECK(mask_token("51043465443420856213") == "5104-****-****-****-6213");
  CHECK(mask_token("5104346544342085621") == "<19 chars>");
  CHECK(mask_token("5104346544342085621X") == "<20 chars>");
}

TEST_CASE("subscriber numbers keep only enough to tell them apart", "[log]") {
  CHECK(mask_msisdn("6281234567890") == "62812*****890");
  CHECK(mask_msisdn("1234") == "****");
  CHECK(mask_msisdn("6281116") == "*******");
  CHECK(mask_msisdn("62811167") == "********");
}

TEST_CASE("unknown log settings are refused", "[log]") {
  CHECK_FALSE(init({.level = "chatty", .format = "text"}).ok());
  CHECK_FALSE(init({.level = "info", .format = "xml"}).ok());
  CHECK(init({.level = "warn", .format = "json"}).ok());
  CHECK(init({.level = "info", .format = "text"}).ok());
}

}  // namespace
}  // namespace pintar::log
