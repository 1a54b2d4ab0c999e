// `pintar report ...`: wiring only. The reports are in report/, their reads in
// store/report_reads.h; this file opens the ledger read-only, writes the file and prints
// what it wrote (--format text|json). A file that exists already is refused with exit 65
// (AlreadyExists) and left as it is.
#include "cli/report_cli.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/exit_codes.h"
#include "report/daily.h"
#include "report/reconcile.h"
#include "report/report_config.h"
#include "report/sms.h"
#include "store/ledger_config.h"
#include "store/report_reads.h"
#include "vending/p2apst/p2apst_config.h"

namespace pintar::cli {
namespace {

struct Args {
  std::string date;
  std::string p2apst_file;
  std::string month;
  std::string out;
  std::string format = "text";
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void must_ok(const Status& s) {
  if (!s.ok()) fail(exit_code::for_status(s), s.message());
}

struct Opened {
  config::Config config;
  report::ReportOptions options;
  std::unique_ptr<store::ReportReads> reads;

  explicit Opened(const Context& context) : config(context.load_config()) {
    options = must(report::report_options(config), exit_code::kConfig, "report configuration");
    store::LedgerOptions ledger = store::ledger_options(config);
    auto opened = store::ReportReads::open(ledger);
    must_ok(opened.status());
    reads = std::move(opened).value();
  }
};

void daily(const Context& context, const Args& a) {
  Opened opened(context);
  auto day = report::local_day(a.date, opened.options.utc_offset_minutes);
  if (!day.ok()) fail(exit_code::kUsage, day.status().message());
  const std::string dir = a.out.empty() ? opened.options.daily_dir : a.out;
  auto summary = report::write_daily(*opened.reads, *day, dir, now_ms());
  must_ok(summary.status());
  print_as(a.format, nlohmann::json{{"file", summary->path},
                                    {"date", day->name},
                                    {"rows", summary->rows},
                                    {"customers", summary->customers},
                                    {"meters", summary->meters},
                                    {"modems", summary->modems},
                                    {"subscriptions", summary->subscriptions},
                                    {"meter_statuses", summary->meter_statuses}});
}

void sms(const Context& context, const Args& a) {
  Opened opened(context);
  auto month = report::local_month(a.month, opened.options.utc_offset_minutes);
  if (!month.ok()) fail(exit_code::kUsage, month.status().message());
  const std::string path =
      a.out.empty() ? (std::filesystem::path(opened.options.sms_dir) / report::sms_file_name(*month)).string() : a.out;
  auto summary = report::write_sms(*opened.reads, *month, path);
  must_ok(summary.status());
  print_as(a.format, nlohmann::json{{"file", summary->path},
                                    {"month", month->name},
                                    {"records", summary->records},
                                    {"messages", summary->messages}});
}

nlohmann::json difference_json(const report::Difference& d) {
  nlohmann::json j{{"kind", d.kind}, {"reference", d.reference}, {"meter_no", d.meter_no}};
  j["txn_id"] = d.txn_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.txn_id);
  j["our_amount_rupiah"] = d.txn_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.our_amount);
  j["p2apst_amount_rupiah"] = d.kind == "missing_at_p2apst" ? nlohmann::json(nullptr) : nlohmann::json(d.p2apst_amount);
  j["our_state"] = d.our_state.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.our_state);
  return j;
}

// Exit 0 when the two sides agree, 1 (kFailure) when there is any difference.
void reconcile(const Context& context, const Args& a) {
  Opened opened(context);
  const p2apst::Options p2apst =
      must(p2apst::options_from(opened.config), exit_code::kConfig, "p2apst configuration");
  // The business day starts where PLN's cut-off ends (00:00 when it is off).
  const p2apst::CutOff& cut = p2apst.cut_off;
  const int day_start = cut.start_minute == cut.end_minute ? 0 : cut.end_minute;
  auto day = report::business_day(a.date, cut.utc_offset_minutes, day_start);
  if (!day.ok()) fail(exit_code::kUsage, day.status().message());
  const std::string path = a.p2apst_file.empty()
                               ? (std::filesystem::path(opened.options.daily_dir) /
                                  fmt::format("p2apst-sales-{}.csv", day->name))
                                     .string()
                               : a.p2apst_file;
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(exit_code::kIoError, fmt::format("P2APST sales file {}: cannot be read", path));
  std::stringstream text;
  text << in.rdbuf();
  auto sales = report::parse_p2apst_sales(text.str());
  if (!sales.ok()) fail(exit_code::kDataError, fmt::format("{}: {}", path, sales.status().message()));
  auto r = report::reconcile(*opened.reads, *day, *sales);
  must_ok(r.status());
  nlohmann::json out{{"business_day", r->day},
                     {"from", report::utc_timestamp(day->begin_ms)},
                     {"until", report::utc_timestamp(day->end_ms)},
                     {"p2apst_file", path},
                     {"ours", {{"sales", r->our_sales}, {"rupiah", r->our_rupiah}}},
                     {"p2apst", {{"sales", r->p2apst_sales}, {"rupiah", r->p2apst_rupiah}}},
                     {"differences", nlohmann::json::array()}};
  for (const report::Difference& d : r->differences) out["differences"].push_back(difference_json(d));
  if (a.format == "json") {
    print_json(out);
  } else {
    fmt::print("business day {} ({} to {})\nours    {} sales, Rp {}\np2apst  {} sales, Rp {}\n", r->day,
               report::utc_timestamp(day->begin_ms), report::utc_timestamp(day->end_ms), r->our_sales, r->our_rupiah,
               r->p2apst_sales, r->p2apst_rupiah);
    if (r->differences.empty()) fmt::print("no differences\n");
    for (const report::Difference& d : r->differences) {
      fmt::print("{:<18} {}  meter {}  ours {}  p2apst {}{}\n", d.kind, d.reference, d.meter_no,
                 d.txn_id.empty() ? std::string("-") : fmt::format("{} Rp {}", d.txn_id, d.our_amount),
                 d.kind == "missing_at_p2apst" ? std::string("-") : fmt::format("Rp {}", d.p2apst_amount),
                 d.our_state.empty() ? "" : fmt::format("  ({})", d.our_state));
    }
  }
  std::fflush(stdout);
  if (!r->differences.empty()) std::exit(exit_code::kFailure);
}

}  // namespace

void add_report_commands(CLI::App& app, const Context& context) {
  CLI::App* report = app.add_subcommand("report", "Write the reports the regulation owes PLN and the operator");
  report->require_subcommand(1);
  auto a = std::make_shared<Args>();
  CLI::App* daily_cmd = report->add_subcommand(
      "daily", "Write one date's non-transaction data file for PLN (docs/pln-daily.md), once");
  daily_cmd->add_option("--date", a->date, "The local date, YYYY-MM-DD (it must have ended)")->required();
  daily_cmd->add_option("--out", a->out, "Folder to write into (default: report.daily_dir)");
  add_format_option(*daily_cmd, a->format);
  daily_cmd->callback([&context, a] { daily(context, *a); });
  CLI::App* sms_cmd = report->add_subcommand(
      "sms", "Write one month's SMS charging records for the operator (docs/sms-charging.md), once");
  sms_cmd->add_option("--month", a->month, "The local month, YYYY-MM")->required();
  sms_cmd->add_option("--out", a->out, "File to write (default: report.sms_dir/sms-charging-YYYY-MM.csv)");
  add_format_option(*sms_cmd, a->format);
  sms_cmd->callback([&context, a] { sms(context, *a); });
  CLI::App* reconcile_cmd = report->add_subcommand(
      "reconcile", "Our sales of one business day against P2APST's sales file (docs/reconciliation.md); exit 1 on "
                   "any difference");
  reconcile_cmd->add_option("--date", a->date, "The business day, YYYY-MM-DD (from the end of PLN's cut-off)")
      ->required();
  reconcile_cmd->add_option("--p2apst-file", a->p2apst_file,
                            "P2APST's sales file (default: report.daily_dir/p2apst-sales-YYYY-MM-DD.csv)");
  add_format_option(*reconcile_cmd, a->format);
  reconcile_cmd->callback([&context, a] { reconcile(context, *a); });
}

}  // namespace pintar::cli
