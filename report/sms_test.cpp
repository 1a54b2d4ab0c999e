#include "report/sms.h"

#include <catch2/catch.hpp>

#include "report/test_support.h"

namespace pintar::report {
namespace {

using namespace testing;

TEST_CASE("SMS charging records: one per payer and class, modem traffic on the meter's account",
          "[report][sms]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = build_ledger(dir);
  auto month = local_month("2026-12", 420);
  REQUIRE(month.ok());
  CHECK(month->begin_ms == kMonthBegin);
  CHECK(month->end_ms == kMonthEnd);
  auto reads = store::ReportReads::open(options);
  REQUIRE(reads.ok());
  const std::string path = dir + "/sms/" + sms_file_name(*month);
  auto summary = write_sms(**reads, *month, path);
  INFO(summary.status().to_string());
  REQUIRE(summary.ok());
  CHECK(summary->records == 6);
  CHECK(summary->messages == 8);  // the 10 stored minus the two outside the month

  const std::string text = read_file(path);
  const std::vector<std::string> expected = {
      "header,sms,month,payer_type,payer,class,messages",
      "sms,2026-12,msisdn,6281200000001,mo_customer,1",
      "sms,2026-12,msisdn,6281200000001,mt_customer,3",
      "sms,2026-12,msisdn,6289999999999,mo_customer,1",
      "sms,2026-12,idpel,511000000001,mo_modem,1",
      "sms,2026-12,idpel,511000000001,mt_modem,1",
      "sms,2026-12,idpel,511000000002,mo_modem,1",
  };
  check_report(text, expected, 6);

  auto again = write_sms(**reads, *month, path);
  CHECK(again.status().code() == StatusCode::kAlreadyExists);
  CHECK(read_file(path) == text);
}

TEST_CASE("a month without SMS is a header and a trailer of zero rows", "[report][sms]") {
  const std::string dir = store::testing::make_temp_dir();
  const store::LedgerOptions options = build_ledger(dir);
  auto reads = store::ReportReads::open(options);
  REQUIRE(reads.ok());
  const Period month = local_month("2026-10", 420).value();
  auto summary = write_sms(**reads, month, dir + "/" + sms_file_name(month));
  REQUIRE(summary.ok());
  CHECK(summary->records == 0);
  const std::string text = read_file(summary->path);
  CHECK(lines_of(text).size() == 2);
  CHECK(lines_of(text).back() == expected_trailer(text, 0));
}

}  // namespace
}  // namespace pintar::report
