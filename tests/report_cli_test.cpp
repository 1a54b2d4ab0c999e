// `pintar report daily|sms` as an operator runs them: the real binary on a ledger that
// `pintar customers import` made, with the sqlite3 shell back-dating the registry and adding
// the SMS traffic of a day (the SMS gateway's job in production).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include "tests/support/cli_scratch.h"

namespace pintar::testing {
namespace {

// 2026-12-06 03:00Z, inside the local date 2026-12-06 (UTC+7).
constexpr int64_t kNoon = 1796526000000;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The trailer as an operator checks it: sha256sum(1) of every byte before the trailer line.
std::string trailer_of(const std::string& text, int rows) {
  const size_t end = text.rfind("trailer,");
  REQUIRE(end != std::string::npos);
  auto sum = run({"sha256sum"}, std::chrono::seconds(10), text.substr(0, end));
  REQUIRE(sum.exit_status == 0);
  return "trailer," + std::to_string(rows) + "," + sum.out.substr(0, 64) + "\n";
}

struct Scratch : CliScratch {
  Scratch() : CliScratch("report-cli") {
    auto imported = pintar({"customers", "import", file("import.csv", std::string(kImportHeader) + kImportLines)});
    INFO(imported.err);
    REQUIRE(imported.exit_status == 0);
    const std::string sql = fmt::format(
        "UPDATE customers SET created_ms = 1000; UPDATE meters SET created_ms = 1000; "
        "UPDATE modems SET created_ms = 1000; UPDATE subscriptions SET created_ms = 1000; "
        "INSERT INTO messages (message_id, direction, msisdn, body, delivery_state, created_ms, updated_ms) VALUES "
        "('a', 'in', '6281234567890', 'SALDO', 'received', {0}, {0}), "
        "('b', 'out', '6281234567890', 'x', 'delivered', {1}, {1}), "
        "('c', 'in', '6281100000002', 'EV', 'received', {2}, {2});",
        kNoon, kNoon + 1, kNoon + 2);
    auto edited = run({"sqlite3", db, sql});
    INFO(edited.err);
    REQUIRE(edited.exit_status == 0);
  }
};

TEST_CASE("report daily writes the date's file once, into report.daily_dir", "[cli][report]") {
  Scratch s;
  auto written = s.pintar({"report", "daily", "--date", "2026-12-06", "--format", "json"});
  INFO(written.err);
  REQUIRE(written.exit_status == 0);
  const nlohmann::json summary = nlohmann::json::parse(written.out);
  const std::string path = s.dir + "/reports/pln-daily-2026-12-06.csv";
  CHECK(summary["file"] == path);
  CHECK(summary["rows"] == 11);
  CHECK(summary["customers"] == 2);
  CHECK(summary["subscriptions"] == 3);
  const std::string text = read_file(path);
  CHECK_THAT(text, Catch::Contains("\ncustomer,511288007004,\"SANTOSO, BUDI\",R1,900,JKT\n"));
  CHECK_THAT(text, Catch::Contains("\nmeter_status,01428800700,,,,,\nmeter_status,01428800701,2026-12-06T03:00:00Z,,,,\n"));
  CHECK(text.ends_with(trailer_of(text, 11)));
  CHECK_THAT(text, !Catch::Contains("135790") && !Catch::Contains("modem-1"));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);

  auto again = s.pintar({"report", "daily", "--date", "2026-12-06"});
  CHECK(again.exit_status == 65);
  CHECK_THAT(again.err, Catch::Contains("exists"));
  CHECK(read_file(path) == text);

  CHECK(s.pintar({"report", "daily", "--date", "2999-01-01"}).exit_status == 65);  // not ended
  CHECK(s.pintar({"report", "daily", "--date", "2026-13-01"}).exit_status == 64);
  CHECK(s.pintar({"report", "daily"}).exit_status == 64);
  // --out: another folder, so the same date again.
  auto elsewhere = s.pintar({"report", "daily", "--date", "2026-12-06", "--out", s.dir + "/copy"});
  REQUIRE(elsewhere.exit_status == 0);
  CHECK(read_file(s.dir + "/copy/pln-daily-2026-12-06.csv") == text);
}

TEST_CASE("report sms writes the month's charging records once", "[cli][report]") {
  Scratch s;
  const std::string out = s.dir + "/sms.csv";
  auto written = s.pintar({"report", "sms", "--month", "2026-12", "--out", out, "--format", "json"});
  INFO(written.err);
  REQUIRE(written.exit_status == 0);
  const nlohmann::json summary = nlohmann::json::parse(written.out);
  CHECK(summary["records"] == 3);
  CHECK(summary["messages"] == 3);
  const std::string text = read_file(out);
  const std::string body =
      "header,sms,month,payer_type,payer,class,messages\n"
      "sms,2026-12,msisdn,6281234567890,mo_customer,1\n"
      "sms,2026-12,msisdn,6281234567890,mt_customer,1\n"
      "sms,2026-12,idpel,511288007005,mo_modem,1\n";
  CHECK(text == body + trailer_of(text, 3));
  CHECK(s.pintar({"report", "sms", "--month", "2026-12", "--out", out}).exit_status == 65);
  CHECK(read_file(out) == text);
  CHECK(s.pintar({"report", "sms", "--month", "2026-00"}).exit_status == 64);
  auto default_place = s.pintar({"report", "sms", "--month", "2026-11"});
  REQUIRE(default_place.exit_status == 0);
  CHECK(std::filesystem::exists(s.dir + "/reports/sms-charging-2026-11.csv"));
}

}  // namespace
}  // namespace pintar::testing
