// bench/report: the two reports of report/ on a big ledger, timed. Issue 12 wants each under
// 10 s on a ledger of 1,000,000 purchases; bench/helpdesk_bench builds such a file
// (docs/performance.md, "Reports over 1,000,000 purchases", has the figures). The ledger is
// only read (a read-only connection); the files go to a fresh --out folder, removed after.
//
//   report_bench --ledger FILE [--date YYYY-MM-DD] [--month YYYY-MM] [--runs N]
#include <chrono>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "common/temp_dir.h"
#include "report/daily.h"
#include "report/reconcile.h"
#include "report/sms.h"
#include "store/report_reads.h"

namespace pintar {
namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int run(int argc, char** argv) {
  CLI::App app("report_bench: the daily PLN file and the SMS charging records on a big ledger");
  std::string ledger = "/var/tmp/hb/helpdesk-bench-1000000-100000.db";
  std::string date = "2026-06-15";
  std::string month = "2026-06";
  int runs = 3;
  app.add_option("--ledger", ledger, "The ledger file (only read)");
  app.add_option("--date", date, "The daily file's date");
  app.add_option("--month", month, "The SMS records' month");
  app.add_option("--runs", runs, "Times each report is written")->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  store::LedgerOptions options;
  options.path = ledger;
  const report::Period day = report::local_day(date, 420).value();
  const report::Period period = report::local_month(month, 420).value();
  const std::string out = make_temp_dir("report-bench");
  for (int r = 0; r < runs; ++r) {
    const auto daily_start = SteadyClock::now();
    auto reads = store::ReportReads::open(options);
    if (!reads.ok()) {
      fmt::print(stderr, "{}\n", reads.status().to_string());
      return 1;
    }
    auto daily = report::write_daily(**reads, day, fmt::format("{}/{}", out, r), now_ms());
    if (!daily.ok()) {
      fmt::print(stderr, "daily: {}\n", daily.status().to_string());
      return 1;
    }
    const double daily_s = seconds_since(daily_start);
    const auto sms_start = SteadyClock::now();
    reads = store::ReportReads::open(options);
    auto sms = report::write_sms(**reads, period, fmt::format("{}/{}/{}", out, r, report::sms_file_name(period)));
    if (!sms.ok()) {
      fmt::print(stderr, "sms: {}\n", sms.status().to_string());
      return 1;
    }
    const double sms_s = seconds_since(sms_start);
    // Reconciliation of the business day (from 00:30 WIB) against a P2APST file that lists
    // exactly our sales: the file is made from a first pass (not timed), then parsed and
    // matched (timed), the case where every sale is looked up on both sides.
    const report::Period business = report::business_day(date, 420, 30).value();
    reads = store::ReportReads::open(options);
    const auto ours = report::reconcile(**reads, business, {}).value();
    std::string file = std::string(report::kP2apstSalesHeader) + "\n";
    for (const report::Difference& d : ours.differences) {
      file += fmt::format("{},{},{},{}\n", d.reference, d.meter_no, d.our_amount, report::utc_timestamp(business.begin_ms));
    }
    file += fmt::format("trailer,{},{}\n", ours.differences.size(),
                        hex_encode_lower(crypto::sha256(crypto::as_bytes(file))));
    const auto reconcile_start = SteadyClock::now();
    reads = store::ReportReads::open(options);
    const auto matched = report::reconcile(**reads, business, report::parse_p2apst_sales(file).value()).value();
    const double reconcile_s = seconds_since(reconcile_start);
    fmt::print("run {}: daily {} {:.2f} s ({} rows, {} bytes); sms {} {:.2f} s ({} records, {} messages); "
               "reconcile {} {:.2f} s ({} sales each side, {} differences)\n",
               r + 1, day.name, daily_s, daily->rows, std::filesystem::file_size(daily->path), period.name, sms_s,
               sms->records, sms->messages, business.name, reconcile_s, matched.our_sales, matched.differences.size());
  }
  std::filesystem::remove_all(out);
  return 0;
}

}  // namespace
}  // namespace pintar

int main(int argc, char** argv) { return pintar::run(argc, argv); }
