#include "report/report_config.h"

#include <catch2/catch.hpp>

#include "report/test_support.h"

namespace pintar::report {
namespace {

using namespace testing;

TEST_CASE("local days and months at the offset", "[report][config]") {
  auto day = local_day("2026-12-06", 420);
  REQUIRE(day.ok());
  CHECK(day->begin_ms == kDayBegin);
  CHECK(day->end_ms - day->begin_ms == 86'400'000);
  CHECK(local_day("2026-12-06", 0)->begin_ms == kDayBegin + 7 * 3'600'000);
  CHECK(local_day("2026-02-29", 420).status().code() == StatusCode::kInvalidArgument);
  CHECK(local_day("2026-1-06", 420).status().code() == StatusCode::kInvalidArgument);
  CHECK(local_day("2026-12-+6", 420).status().code() == StatusCode::kInvalidArgument);
  auto month = local_month("2026-12", 420);
  REQUIRE(month.ok());
  CHECK(month->begin_ms == kMonthBegin);
  CHECK(month->end_ms == kMonthEnd);
  CHECK(local_month("2026-13", 420).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("the previous local day and the minute of the day", "[report][config]") {
  // 2026-12-07 00:30 local is 2026-12-06T17:30Z.
  const int64_t now = kDayEnd + 30 * 60'000;
  CHECK(previous_local_day(now, 420).name == "2026-12-06");
  CHECK(previous_local_day(now, 420).begin_ms == kDayBegin);
  CHECK(local_minute_of_day(now, 420) == 30);
  CHECK(previous_local_day(now, 0).name == "2026-12-05");  // 17:30 UTC on the 6th
  CHECK(utc_timestamp(kNoon) == "2026-12-06T03:00:00Z");
  CHECK(utc_timestamp(kNoon + 999) == "2026-12-06T03:00:00Z");
  CHECK(parse_utc_timestamp("2026-12-06T03:00:00Z") == kNoon);
  for (const char* bad : {"2026-12-06T03:00:00", "2026-02-30T03:00:00Z", "2026-12-06T24:00:00Z", "2026-12-06 03:00:00Z",
                          "2026-1a-06T03:00:00Z", "+026-12-06T03:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_utc_timestamp(bad).has_value());
  }
}

TEST_CASE("report options: directories from state_dir, daily_at as HH:MM", "[report][config]") {
  config::Schema schema;
  schema.add(config::common_keys());
  schema.add(config_keys());
  auto load = [&](const std::string& text) {
    auto c = config::Config::parse(text, "test", schema);
    REQUIRE(c.ok());
    return report_options(*c);
  };
  auto o = load("state_dir = \"/srv/p\"\n[report]\ndaily_at = \"02:15\"\nsms_dir = \"/abs/sms\"\n");
  REQUIRE(o.ok());
  CHECK(o->daily_dir == "/srv/p/reports");
  CHECK(o->sms_dir == "/abs/sms");
  CHECK(o->daily_at_minute == 135);
  CHECK(o->utc_offset_minutes == 420);
  CHECK(load("[report]\ndaily_at = \"24:00\"\n").status().code() == StatusCode::kInvalidArgument);
  CHECK(load("[report]\ndaily_at = \"1:00\"\n").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::report
