// `pintar report ...`: wiring only. The reports are in report/, their reads in
// store/report_reads.h; this file opens the ledger read-only, writes the file and prints
// what it wrote (--format text|json). A file that exists already is refused with exit 65
// (AlreadyExists) and left as it is.
#include "cli/report_cli.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/exit_codes.h"
#include "report/daily.h"
#include "report/report_config.h"
#include "report/sms.h"
#include "store/ledger_config.h"
#include "store/report_reads.h"

namespace pintar::cli {
namespace {

struct Args {
  std::string date;
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
}

}  // namespace pintar::cli
