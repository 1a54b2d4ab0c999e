#include "report/daily.h"

#include <filesystem>
#include <sys/stat.h>
#include <thread>

#include <catch2/catch.hpp>

#include "common/clock.h"
#include "report/daily_schedule.h"
#include "report/test_support.h"

namespace pintar::report {
namespace {

using namespace testing;

std::unique_ptr<store::ReportReads> reads_of(const store::LedgerOptions& options) {
  auto reads = store::ReportReads::open(options);
  INFO(reads.status().to_string());
  REQUIRE(reads.ok());
  return std::move(reads).value();
}

TEST_CASE("the daily file holds the registry and meter status at the end of the date", "[report][daily]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = build_ledger(dir);
  auto day = local_day("2026-12-06", 420);
  REQUIRE(day.ok());
  CHECK(day->begin_ms == kDayBegin);
  CHECK(day->end_ms == kDayEnd);

  auto summary = write_daily(*reads_of(options), *day, dir + "/out", kDayEnd);
  INFO(summary.status().to_string());
  REQUIRE(summary.ok());
  CHECK(summary->path == dir + "/out/pln-daily-2026-12-06.csv");
  CHECK(summary->customers == 2);
  CHECK(summary->meters == 2);
  CHECK(summary->modems == 2);
  CHECK(summary->subscriptions == 2);
  CHECK(summary->meter_statuses == 2);
  CHECK(summary->rows == 10);

  const std::string text = read_file(summary->path);
  const std::vector<std::string> expected = {
      "header,customer,idpel,name,tariff,power_va,region",
      "header,meter,meter_no,idpel,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn",
      "header,modem,msisdn",
      "header,subscription,msisdn,meter_no,language,locked_until,subscribed",
      "header,meter_status,meter_no,last_seen,last_credit_kwh,last_credit_at,relay,power_limit_watts",
      "customer,511000000001,CUSTOMER 1,R1,900,JKT",
      "customer,511000000002,\"SITI, \"\"IBU\"\"\",R1,900,JKT",
      "meter,14000000001,511000000001,600675,1,1,2,7,2,1993,ABC,6281100000001",
      "meter,14000000002,511000000002,600675,1,1,2,7,2,1993,ABC,6281100000002",
      "modem,6281100000001",
      "modem,6281100000002",
      "subscription,6281200000001,14000000001,id,2026-12-06T23:33:20Z,2026-12-04T16:00:00Z",
      "subscription,6281200000002,14000000002,id,,2026-12-04T16:00:00Z",
      "meter_status,14000000001,2026-12-06T03:00:00Z,15.4,2026-12-06T03:00:00Z,,",
      "meter_status,14000000002,2026-12-06T04:06:40Z,,,,",
  };
  check_report(text, expected, 10);

  struct stat st {};
  REQUIRE(::stat(summary->path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  // No PIN hash, no modem key id anywhere.
  CHECK(text.find("modem-key-1") == std::string::npos);
}

TEST_CASE("a date is written once: a second run is refused and leaves the file alone", "[report][daily]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = build_ledger(dir);
  const Period day = local_day("2026-12-06", 420).value();
  REQUIRE(write_daily(*reads_of(options), day, dir, kDayEnd).ok());
  const std::string path = dir + "/pln-daily-2026-12-06.csv";
  const std::string before = read_file(path);
  auto again = write_daily(*reads_of(options), day, dir, kAfter);
  CHECK(again.status().code() == StatusCode::kAlreadyExists);
  CHECK(read_file(path) == before);
  size_t temporaries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(".pln-daily")) ++temporaries;
  }
  CHECK(temporaries == 0);
}

TEST_CASE("a date that has not ended is refused", "[report][daily]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = build_ledger(dir);
  const Period day = local_day("2026-12-06", 420).value();
  auto early = write_daily(*reads_of(options), day, dir, kDayEnd - 1);
  CHECK(early.status().code() == StatusCode::kFailedPrecondition);
  CHECK_FALSE(std::filesystem::exists(dir + "/pln-daily-2026-12-06.csv"));
}

TEST_CASE("write_daily_if_due writes yesterday's file after daily_at, once", "[report][daily]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = build_ledger(dir);
  const ReportOptions report{.daily_dir = dir + "/daily", .sms_dir = dir, .daily_at_minute = 60,
                             .utc_offset_minutes = 420};
  // 00:59 local on 2026-12-07: not yet.
  auto early = write_daily_if_due(options, report, kDayEnd + 59 * 60'000);
  REQUIRE(early.ok());
  CHECK_FALSE(early->has_value());
  CHECK_FALSE(std::filesystem::exists(report.daily_dir));
  // 01:00: the file of 2026-12-06.
  auto due = write_daily_if_due(options, report, kDayEnd + 60 * 60'000);
  REQUIRE(due.ok());
  REQUIRE(due->has_value());
  CHECK((*due)->path == report.daily_dir + "/pln-daily-2026-12-06.csv");
  CHECK((*due)->rows == 10);
  // Later the same day, and a restart: nothing more.
  auto later = write_daily_if_due(options, report, kDayEnd + 23 * 3'600'000);
  REQUIRE(later.ok());
  CHECK_FALSE(later->has_value());
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(report.daily_dir)) ++files;
  CHECK(files == 1);
}

}  // namespace
}  // namespace pintar::report

namespace pintar::report {
namespace {

TEST_CASE("DailySchedule writes the missing file at start, once, on its own thread", "[report][daily]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = testing::build_ledger(dir);
  const ReportOptions report{.daily_dir = dir + "/daily", .sms_dir = dir, .daily_at_minute = 60,
                             .utc_offset_minutes = 420};
  // 2026-12-07 09:00 local: the engine (re)starts long after daily_at.
  ManualClock clock(Clock::WallTime(std::chrono::milliseconds(testing::kDayEnd + 9 * 3'600'000)));
  {
    DailySchedule schedule(options, report, clock, std::chrono::milliseconds(5));
    for (int i = 0; i < 2000 && schedule.written() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(schedule.written() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // ten more checks
    CHECK(schedule.written() == 1);
  }
  CHECK(std::filesystem::exists(report.daily_dir + "/pln-daily-2026-12-06.csv"));
}

}  // namespace
}  // namespace pintar::report
