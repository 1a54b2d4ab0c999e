// `pintar purchases list|show`: the ledger's purchases for operations staff, read through the
// helpdesk's look-ups (helpdesk/lookups.h), as the helpdesk's API serves them. show prints one purchase's timeline: every version of the
// transaction, every SMS in and out (PINs were masked before they were stored), the P2APST
// purchase and the modem command, in time order.
#include "cli/purchases_cli.h"

#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/exit_codes.h"
#include "helpdesk/lookups.h"
#include "helpdesk/views.h"
#include "store/ledger_config.h"
#include "store/sqlite_ledger.h"

namespace pintar::cli {
namespace {

struct Query {
  std::string msisdn, meter, state, txn_id, format = "text";
  size_t limit = 20;
  bool last = false;
};

std::unique_ptr<store::Ledger> open(const Context& context) {
  const config::Config config = context.load_config();
  store::LedgerOptions options = store::ledger_options(config);
  auto ledger = store::open_ledger(options);
  if (!ledger.ok()) fail(exit_code::for_status(ledger.status()), ledger.status().message());
  return std::move(*ledger);
}

// The CLI's user holds the ledger file itself: everything is shown whole.
constexpr helpdesk::Role kWhole = helpdesk::Role::kAdmin;

helpdesk::SearchRequest request_of(const Query& q) {
  helpdesk::SearchRequest r;
  if (!q.msisdn.empty()) r.msisdn = q.msisdn;
  if (!q.meter.empty()) r.meter = q.meter;
  if (!q.state.empty()) r.states = {q.state};
  r.limit = q.last ? 1 : q.limit;
  return r;
}

helpdesk::SearchPage search(helpdesk::Lookups& lookups, const Query& q) {
  auto found = lookups.search(request_of(q));
  if (!found.ok()) fail(exit_code::for_status(found.status()), found.status().message());
  return std::move(found).value();
}

void list(const Context& context, const Query& q) {
  auto ledger = open(context);
  helpdesk::Lookups lookups(*ledger, nullptr);
  const helpdesk::SearchPage page = search(lookups, q);
  if (q.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : page.purchases) out.push_back(helpdesk::purchase_json(t, kWhole));
    fmt::print("{}\n", out.dump(2));
    return;
  }
  for (const auto& t : page.purchases) {
    fmt::print("{}  {}  {:<22} meter {} phone {} Rp {}{}\n", helpdesk::clock_text(t.created_ms), t.txn_id, t.state,
               t.meter_no, t.msisdn, t.amount_rupiah, t.token ? " token issued" : "");
  }
}

void show(const Context& context, const Query& q) {
  auto ledger = open(context);
  helpdesk::Lookups lookups(*ledger, nullptr);
  std::string txn_id = q.txn_id;
  if (txn_id.empty()) {
    const helpdesk::SearchPage page = search(lookups, q);
    if (page.purchases.empty()) fail(exit_code::for_status(StatusCode::kNotFound), "no purchase matches");
    txn_id = page.purchases.front().txn_id;
  }
  auto timeline = lookups.timeline(txn_id);
  if (!timeline.ok()) fail(exit_code::for_status(timeline.status()), timeline.status().message());
  if (q.format == "json") {
    fmt::print("{}\n", helpdesk::timeline_json(*timeline, kWhole).dump(2));
    return;
  }
  print_timeline(*timeline, kWhole);
}

void add_query_options(CLI::App& command, Query& q) {
  command.add_option("--msisdn", q.msisdn, "The customer's phone");
  command.add_option("--meter", q.meter, "The meter number");
  command.add_option("--state", q.state, "Only purchases now in this state");
  add_format_option(command, q.format);
}

}  // namespace

void print_timeline(const helpdesk::Timeline& timeline, helpdesk::Role role) {
  const store::TransactionRecord& now = timeline.versions.back();
  const bool whole = helpdesk::sees_whole(role);
  fmt::print("purchase: {}\nstate: {}\nmeter: {}\nphone: {}\namount: Rp {}\n", now.txn_id, now.state, now.meter_no,
             whole ? now.msisdn : helpdesk::mask_msisdn(now.msisdn), now.amount_rupiah);
  if (now.energy_deci_kwh > 0) fmt::print("energy: {}.{} kWh\n", now.energy_deci_kwh / 10, now.energy_deci_kwh % 10);
  if (now.token) fmt::print("token: {}\n", whole ? *now.token : helpdesk::mask_token(*now.token));
  if (now.reference) fmt::print("reference: {}\n", *now.reference);
  if (now.reason) fmt::print("reason: {}\n", *now.reason);
  if (timeline.detail) {
    const store::VendDetail& d = *timeline.detail;
    fmt::print("charges: admin Rp {}, stamp duty Rp {}, PPN Rp {}, PBJT Rp {}, instalment Rp {}, power Rp {}\n",
               d.admin_rupiah, d.stamp_duty_rupiah, d.ppn_rupiah, d.ppj_rupiah, d.instalment_rupiah,
               d.power_purchase_rupiah);
    if (!d.key_change_tokens.empty()) fmt::print("key change tokens: {}\n", d.key_change_tokens.size());
  }
  const auto lines = helpdesk::timeline_lines(timeline, role);
  fmt::print("timeline:\n");
  const int64_t start = lines.empty() ? 0 : lines.front().at_ms;
  for (const auto& line : lines) {
    fmt::print("  {} +{:>6} ms  {}\n", helpdesk::clock_text(line.at_ms), line.at_ms - start, line.text);
  }
}

void add_purchases_commands(CLI::App& app, const Context& context) {
  CLI::App* purchases = app.add_subcommand("purchases", "Look up the ledger's purchases and their timelines");
  purchases->require_subcommand(1);
  auto q = std::make_shared<Query>();
  CLI::App* list_cmd = purchases->add_subcommand("list", "Purchases, newest first");
  add_query_options(*list_cmd, *q);
  list_cmd->add_option("--limit", q->limit, "At most this many")->check(CLI::Range(size_t{1}, helpdesk::kMaxPageSize));
  list_cmd->callback([&context, q] { list(context, *q); });
  CLI::App* show_cmd = purchases->add_subcommand("show", "One purchase's timeline: states, SMS, P2APST, the modem");
  show_cmd->add_option("TXN", q->txn_id, "The purchase id (or use --msisdn/--meter with --last)");
  add_query_options(*show_cmd, *q);
  show_cmd->add_flag("--last", q->last, "The newest purchase matching --msisdn/--meter/--state");
  show_cmd->callback([&context, q] { show(context, *q); });
}

}  // namespace pintar::cli
