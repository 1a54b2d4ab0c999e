#include "cli/store_cli.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/clock.h"
#include "common/exit_codes.h"
#include "store/ledger_config.h"
#include "store/schema.h"
#include "store/subscriber_csv.h"

namespace pintar::store {
namespace {

[[noreturn]] void fail_with(const Status& status) { cli::fail(exit_code::for_status(status), status.message()); }

LedgerOptions options_or_fail(const config::Config& config, bool create) {
  LedgerOptions options = ledger_options(config);
  options.create = create;
  auto key = chain_key(config);
  if (!key.ok()) cli::fail(exit_code::kConfig, key.status().message());
  options.chain_key = std::move(key).value();
  return options;
}

std::unique_ptr<Ledger> open_or_fail(const LedgerOptions& options) {
  auto ledger = open_ledger(options);
  if (!ledger.ok()) fail_with(ledger.status());
  return std::move(ledger).value();
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::real().wall_now().time_since_epoch()).count();
}

// Draws "[#####.....]  42%  420000 lines" on stderr while the file is read, when stderr is
// a terminal; a log file or a pipe gets nothing.
class ProgressSource final : public ImportSource {
 public:
  explicit ProgressSource(SubscriberCsvFile& file) : file_(file), enabled_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressSource() override {
    if (enabled_ && drawn_) fmt::print(stderr, "\n");
  }

  bool next(ImportLine& line) override {
    const bool more = file_.next(line);
    if (enabled_ && (++lines_ % kEvery == 0 || !more)) draw();
    return more;
  }

 private:
  static constexpr uint64_t kEvery = 8192;
  static constexpr int kWidth = 30;

  void draw() {
    const uint64_t total = std::max<uint64_t>(1, file_.file_size());
    const int percent = static_cast<int>(std::min<uint64_t>(100, file_.bytes_read() * 100 / total));
    const int filled = percent * kWidth / 100;
    fmt::print(stderr, "\r[{:#<{}}{:.<{}}] {:3}%  {} lines", "", filled, "", kWidth - filled, percent, lines_);
    drawn_ = true;
  }

  SubscriberCsvFile& file_;
  const bool enabled_;
  bool drawn_ = false;
  uint64_t lines_ = 0;
};

void import_customers(const cli::Context& context, const std::string& path) {
  const config::Config config = context.load_config();
  auto pins = pin_hasher(config);
  if (!pins.ok()) cli::fail(exit_code::kConfig, pins.status().message());
  auto file = SubscriberCsvFile::open(path, *pins);
  if (!file.ok()) fail_with(file.status());
  auto ledger = open_or_fail(options_or_fail(config, /*create=*/true));

  ProgressSource source(**file);
  auto report = ledger->import_subscribers(
      source, AuditEntry{.at_ms = now_ms(),
                         .actor = "cli",
                         .action = "customers.import",
                         .subject = std::filesystem::path(path).filename().string(),
                         .detail = {}});
  if (!report.ok()) fail_with(report.status());
  if (!report->errors.empty()) {
    for (const ImportError& error : report->errors) fmt::print(stderr, "{}:{}: {}\n", path, error.line, error.reason);
    cli::fail(exit_code::kDataError,
              fmt::format("{}: {} bad line{}; nothing imported", path, report->errors.size(),
                          report->errors.size() == 1 ? "" : "s"));
  }
  fmt::print("{}: imported {} records: {} new customers, {} new meters, {} new modems, {} new subscriptions\n", path,
             report->records, report->customers_added, report->meters_added, report->modems_added,
             report->subscriptions_added);
}

void print_view(const SubscriberView& v) {
  const Meter& m = v.meter;
  fmt::print("meter      {}\n", m.meter_no);
  fmt::print("customer   {}  {}\n", v.customer.idpel, v.customer.name);
  fmt::print("tariff     {}/{} VA  region {}\n", v.customer.tariff, v.customer.power_va, v.customer.region);
  fmt::print("sts        SGC {}  TI {:02}  KRN {}  KT {}  EA {:02}  DKGA {:02}  base date {}\n", m.sgc, m.ti, m.krn,
             m.kt, m.ea, m.dkga, m.base_date);
  fmt::print("kdpm       {}\n", m.kdpm);
  fmt::print("modem      {}  key {}\n", v.modem.msisdn, v.modem.key_id);
  for (const SubscriberView::Phone& phone : v.phones) fmt::print("subscriber {}  language {}\n", phone.msisdn, phone.language);
}

nlohmann::json view_json(const SubscriberView& v) {
  const Meter& m = v.meter;
  nlohmann::json phones = nlohmann::json::array();
  for (const SubscriberView::Phone& p : v.phones) phones.push_back({{"msisdn", p.msisdn}, {"language", p.language}});
  return {{"meter", m.meter_no},
          {"customer", {{"idpel", v.customer.idpel}, {"name", v.customer.name}}},
          {"tariff", {{"class", v.customer.tariff}, {"power_va", v.customer.power_va}, {"region", v.customer.region}}},
          {"sts", {{"sgc", m.sgc}, {"ti", m.ti}, {"krn", m.krn}, {"kt", m.kt}, {"ea", m.ea}, {"dkga", m.dkga},
                   {"base_date", m.base_date}}},
          {"kdpm", m.kdpm},
          {"modem", {{"msisdn", v.modem.msisdn}, {"key_id", v.modem.key_id}}},
          {"subscribers", phones}};
}

void show_customer(const cli::Context& context, const std::string& key, const std::string& format) {
  if (key.empty() || key.size() > 15 || key.find_first_not_of("0123456789") != std::string::npos) {
    cli::fail(exit_code::kUsage, fmt::format("'{}' is not a meter number, IDPEL or MSISDN (digits only)", key));
  }
  const config::Config config = context.load_config();
  auto ledger = open_or_fail(options_or_fail(config, /*create=*/false));
  auto views = ledger->find_subscribers(key);
  if (!views.ok()) fail_with(views.status());
  if (views->empty()) cli::fail(exit_code::kFailure, fmt::format("no meter, IDPEL or subscriber {} in the ledger", key));
  if (format == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const SubscriberView& view : *views) all.push_back(view_json(view));
    return cli::print_json(all);
  }
  for (size_t i = 0; i < views->size(); ++i) {
    if (i > 0) fmt::print("\n");
    print_view((*views)[i]);
  }
}

// What a check showed, for the operator: the guarantee decides what "intact" is worth.
std::string guarantee_line(const ChainReport& report) {
  if (report.guarantee == ChainReport::Guarantee::kKeyed) {
    return "checked: keyed chains (HMAC-SHA-256 under the chain key): rows rewritten, inserted or cut off by anyone "
           "without the chain key are detected; an older copy of the whole file put back is not";
  }
  return fmt::format(
      "checked: plain SHA-256 chains only (no chain key given{}): detects accidental corruption, NOT rows rewritten "
      "by someone who can write the file; give ledger.chain_key_secret to check the keyed chains",
      report.ledger_keyed ? "; the ledger's chains are keyed" : "; the ledger's chains are not keyed");
}

void verify_ledger(const cli::Context& context, const std::string& format) {
  const config::Config config = context.load_config();
  auto ledger = open_or_fail(options_or_fail(config, /*create=*/false));
  auto report = ledger->verify_chains();
  if (!report.ok()) fail_with(report.status());
  if (format == "json") {
    cli::print_json({{"guarantee", report->guarantee == ChainReport::Guarantee::kKeyed ? "keyed" : "plain"},
                     {"checked", guarantee_line(*report)},
                     {"intact", !report->problem.has_value()},
                     {"problem", report->problem ? nlohmann::json(*report->problem) : nlohmann::json(nullptr)},
                     {"transactions_rows", report->transactions_rows},
                     {"audit_rows", report->audit_rows},
                     {"purchase_versions", report->purchase_versions},
                     {"purchases", report->purchases}});
    if (report->problem) cli::fail(exit_code::kFailure, *report->problem);
    return;
  }
  fmt::print("{}\n", guarantee_line(*report));
  if (report->problem) cli::fail(exit_code::kFailure, *report->problem);
  fmt::print("ledger intact: {} transaction rows, {} audit rows, {} purchase journal versions of {} purchases\n",
             report->transactions_rows, report->audit_rows, report->purchase_versions, report->purchases);
}

void migrate_ledger(const cli::Context& context) {
  const config::Config config = context.load_config();
  LedgerOptions options = options_or_fail(config, /*create=*/true);
  if (options.chain_key) {
    // Keying vouches for every row already there: check the plain chains first.
    LedgerOptions plain = options;
    plain.chain_key = nullptr;
    auto report = open_or_fail(plain)->verify_chains();
    if (!report.ok()) fail_with(report.status());
    if (report->problem) {
      cli::fail(exit_code::kFailure, fmt::format("{}; the chains are not keyed until this is resolved", *report->problem));
    }
    options.seal_unkeyed_chains = true;
  }
  open_or_fail(options);
  fmt::print("{}: schema revision {}{}\n", options.path, latest_revision(), options.chain_key ? ", chains keyed" : "");
}

}  // namespace

void add_store_commands(CLI::App& app, const cli::Context& context) {
  CLI::App* ledger = app.add_subcommand("ledger", "Check or upgrade the ledger database");
  ledger->require_subcommand(1);
  auto verify_format = std::make_shared<std::string>("text");
  CLI::App* verify = ledger->add_subcommand("verify", "Recompute the hash chains (with their MACs when the chain key is given); say which guarantee was checked and name the first row that does not match");
  cli::add_format_option(*verify, *verify_format);
  verify->callback([&context, verify_format] { verify_ledger(context, *verify_format); });
  ledger->add_subcommand("migrate", "Create the ledger or bring it to this version's schema; with the chain key, key chains not yet keyed")
      ->callback([&context] { migrate_ledger(context); });

  CLI::App* customers = app.add_subcommand("customers", "Import or look up customers, meters and subscriptions");
  customers->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* import = customers->add_subcommand(
      "import", "Import subscriptions from a CSV file (all or nothing; format in store/README.md)");
  import->add_option("FILE", *file, "CSV file with a header line")->required();
  import->callback([&context, file] { import_customers(context, *file); });

  auto key = std::make_shared<std::string>();
  CLI::App* show = customers->add_subcommand("show", "Print the record of a meter number, IDPEL or MSISDN");
  show->add_option("KEY", *key, "11-digit meter number, 12-digit IDPEL or subscriber MSISDN")->required();
  auto show_format = std::make_shared<std::string>("text");
  cli::add_format_option(*show, *show_format);
  show->callback([&context, key, show_format] { show_customer(context, *key, *show_format); });
}

}  // namespace pintar::store
