#include "vending/sts/tid.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

Result<uint32_t> tid_at(std::string_view time, BaseDate base) {
  auto minute = parse_utc_minute(time);
  REQUIRE(minute.ok());
  return tid_from_time(*minute, base);
}

TEST_CASE("TID known answers", "[sts][tid]") {
  // STS 531-1-0-02 conformance test (as transcribed in NectarAPI/tokens-service tests):
  // 2004-03-01 13:55 UTC on base date 1993 -> 5 871 715 (0x599863).
  CHECK(tid_at("2004-03-01T13:55Z", BaseDate::k1993).value() == 5'871'715);
  // STS Association web page on TIDs (https://www.sts.org.za/tid-token-identifier.html):
  // 2020-01-01 08:00 -> 14 200 320 (base 1993) and 3 155 520 (base 2014).
  CHECK(tid_at("2020-01-01T08:00Z", BaseDate::k1993).value() == 14'200'320);
  CHECK(tid_at("2020-01-01T08:00Z", BaseDate::k2014).value() == 3'155'520);
  CHECK(tid_at("1993-01-01T00:00Z", BaseDate::k1993).value() == 0);
  CHECK(tid_at("2035-01-01T00:01Z", BaseDate::k2035).value() == 1);
}

TEST_CASE("the last minute of a base date, and past it", "[sts][tid]") {
  // Same STS Association page: the last valid minute of base 1993 is 2024-11-24 20:15.
  CHECK(tid_at("2024-11-24T20:15Z", BaseDate::k1993).value() == 0xFFFFFF);
  CHECK(format_utc_minute(time_from_tid(0xFFFFFF, BaseDate::k2014)) == "2045-11-24T20:15Z");
  auto past = tid_at("2024-11-24T20:16Z", BaseDate::k1993);
  REQUIRE_FALSE(past.ok());
  CHECK_THAT(past.status().message(), Catch::Contains("past the last minute of base date 93 (2024-11-24T20:15Z)"));
  CHECK_FALSE(tid_at("2013-12-31T23:59Z", BaseDate::k2014).ok());
}

TEST_CASE("times are parsed strictly as UTC minutes", "[sts][tid]") {
  CHECK(format_utc_minute(parse_utc_minute("2004-03-01T13:55Z").value()) == "2004-03-01T13:55Z");
  for (std::string_view bad : {"2004-03-01 13:55", "2004-03-01T13:55", "2004-02-30T10:00Z", "2004-03-01T24:00Z",
                               "2004-13-01T10:00Z", "04-03-01T13:55Z", ""}) {
    CHECK_FALSE(parse_utc_minute(bad).ok());
  }
  CHECK(parse_base_date("14").value() == BaseDate::k2014);
  CHECK_FALSE(parse_base_date("2014").ok());
}

TEST_CASE("TID allocation never repeats and only grows", "[sts][tid]") {
  CHECK(TidAllocator::next(std::nullopt, 1000).value() == 1000);
  CHECK(TidAllocator::next(999, 1000).value() == 1000);
  // Two tokens in the same minute: the second takes the next minute.
  CHECK(TidAllocator::next(1000, 1000).value() == 1001);
  // The clock went back (or a burst ran ahead): still after the last one.
  CHECK(TidAllocator::next(5000, 1000).value() == 5001);
  CHECK(TidAllocator::next(0xFFFFFE, 10).value() == 0xFFFFFF);
  CHECK(TidAllocator::next(0xFFFFFF, 10).status().code() == StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace pintar::sts
