// `pintar purchases list|show`: the ledger's purchases for operations staff (the helpdesk's
// API serves the same later). show prints one purchase's timeline: every version of the
// transaction, every SMS in and out (PINs were masked before they were stored), the P2APST
// purchase and the modem command, in time order.
#include "cli/purchases_cli.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
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

std::string time_text(int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:03}Z", tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string kwh_text(int64_t deci) { return fmt::format("{}.{} kWh", deci / 10, deci % 10); }

nlohmann::json to_json(const store::TransactionRecord& t) {
  nlohmann::json j = {{"txn_id", t.txn_id}, {"version", t.version}, {"state", t.state}, {"meter", t.meter_no},
                      {"msisdn", t.msisdn}, {"amount_rupiah", t.amount_rupiah},
                      {"energy_deci_kwh", t.energy_deci_kwh}, {"created_ms", t.created_ms},
                      {"recorded_ms", t.recorded_ms}};
  if (t.token) j["token"] = *t.token;
  if (t.reference) j["reference"] = *t.reference;
  if (t.reason) j["reason"] = *t.reason;
  return j;
}

store::TransactionQuery query_of(const Query& q) {
  store::TransactionQuery query;
  if (!q.msisdn.empty()) query.msisdn = q.msisdn;
  if (!q.meter.empty()) query.meter_no = q.meter;
  if (!q.state.empty()) query.states = {q.state};
  query.limit = q.last ? 1 : q.limit;
  return query;
}

void list(const Context& context, const Query& q) {
  auto ledger = open(context);
  auto found = ledger->find_transactions(query_of(q));
  if (!found.ok()) fail(exit_code::for_status(found.status()), found.status().message());
  if (q.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *found) out.push_back(to_json(t));
    fmt::print("{}\n", out.dump(2));
    return;
  }
  for (const auto& t : *found) {
    fmt::print("{}  {}  {:<22} meter {} phone {} Rp {}{}\n", time_text(t.created_ms), t.txn_id, t.state, t.meter_no,
               t.msisdn, t.amount_rupiah, t.token ? " token issued" : "");
  }
}

struct Line {
  int64_t at_ms;
  std::string what;
};

void show(const Context& context, const Query& q) {
  auto ledger = open(context);
  std::string txn_id = q.txn_id;
  if (txn_id.empty()) {
    auto found = ledger->find_transactions(query_of(q));
    if (!found.ok()) fail(exit_code::for_status(found.status()), found.status().message());
    if (found->empty()) fail(exit_code::for_status(StatusCode::kNotFound), "no purchase matches");
    txn_id = found->front().txn_id;
  }
  auto versions = ledger->transaction_versions(txn_id);
  if (!versions.ok()) fail(exit_code::for_status(versions.status()), versions.status().message());
  if (versions->empty()) fail(exit_code::for_status(StatusCode::kNotFound), fmt::format("no purchase {}", txn_id));
  auto messages = ledger->messages_of(txn_id);
  auto detail = ledger->find_vend_detail(txn_id);
  auto command = ledger->find_modem_command_for(txn_id);
  const store::TransactionRecord& now = versions->back();
  if (q.format == "json") {
    nlohmann::json out = to_json(now);
    out["versions"] = nlohmann::json::array();
    for (const auto& v : *versions) out["versions"].push_back(to_json(v));
    out["messages"] = nlohmann::json::array();
    if (messages.ok()) {
      for (const auto& m : *messages) {
        out["messages"].push_back({{"message_id", m.message_id}, {"direction", m.direction}, {"msisdn", m.msisdn},
                                   {"body", m.body}, {"delivery_state", m.delivery_state},
                                   {"created_ms", m.created_ms}, {"updated_ms", m.updated_ms}});
      }
    }
    if (command.ok() && *command) {
      const store::ModemCommand& c = **command;
      out["modem_command"] = {{"seq", c.seq}, {"kind", c.kind}, {"state", c.state}, {"attempts", c.attempts},
                              {"result", c.result}, {"updated_ms", c.updated_ms}};
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("purchase: {}\nstate: {}\nmeter: {}\nphone: {}\namount: Rp {}\n", txn_id, now.state, now.meter_no,
             now.msisdn, now.amount_rupiah);
  if (now.energy_deci_kwh > 0) fmt::print("energy: {}\n", kwh_text(now.energy_deci_kwh));
  if (now.reference) fmt::print("reference: {}\n", *now.reference);
  if (now.reason) fmt::print("reason: {}\n", *now.reason);
  if (detail.ok() && *detail) {
    const store::VendDetail& d = **detail;
    fmt::print("charges: admin Rp {}, stamp duty Rp {}, PPN Rp {}, PBJT Rp {}, instalment Rp {}, power Rp {}\n",
               d.admin_rupiah, d.stamp_duty_rupiah, d.ppn_rupiah, d.ppj_rupiah, d.instalment_rupiah,
               d.power_purchase_rupiah);
    if (!d.key_change_tokens.empty()) fmt::print("key change tokens: {}\n", d.key_change_tokens.size());
  }
  std::vector<Line> lines;
  for (const auto& v : *versions) lines.push_back({v.recorded_ms, fmt::format("state {}", v.state)});
  if (messages.ok()) {
    for (const auto& m : *messages) {
      const std::string who = m.direction == "in" ? fmt::format("SMS in  from {}", m.msisdn)
                                                  : fmt::format("SMS out to   {}", m.msisdn);
      std::string body = m.body.size() > 70 ? m.body.substr(0, 67) + "..." : m.body;
      lines.push_back({m.created_ms, fmt::format("{}: \"{}\" ({})", who, body, m.delivery_state)});
    }
  }
  if (command.ok() && *command) {
    const store::ModemCommand& c = **command;
    lines.push_back({c.updated_ms, fmt::format("modem command S={} {}: {} after {} send(s){}", c.seq, c.kind, c.state,
                                               c.attempts, c.result.empty() ? "" : " (" + c.result + ")")});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.at_ms < b.at_ms; });
  fmt::print("timeline:\n");
  const int64_t start = lines.empty() ? 0 : lines.front().at_ms;
  for (const Line& line : lines) fmt::print("  {} +{:>6} ms  {}\n", time_text(line.at_ms), line.at_ms - start, line.what);
}

void add_query_options(CLI::App& command, Query& q) {
  command.add_option("--msisdn", q.msisdn, "The customer's phone");
  command.add_option("--meter", q.meter, "The meter number");
  command.add_option("--state", q.state, "Only purchases now in this state");
  command.add_option("--format", q.format, "text or json")->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

void add_purchases_commands(CLI::App& app, const Context& context) {
  CLI::App* purchases = app.add_subcommand("purchases", "Look up the ledger's purchases and their timelines");
  purchases->require_subcommand(1);
  auto q = std::make_shared<Query>();
  CLI::App* list_cmd = purchases->add_subcommand("list", "Purchases, newest first");
  add_query_options(*list_cmd, *q);
  list_cmd->add_option("--limit", q->limit, "At most this many")->check(CLI::Range(1, 1000));
  list_cmd->callback([&context, q] { list(context, *q); });
  CLI::App* show_cmd = purchases->add_subcommand("show", "One purchase's timeline: states, SMS, P2APST, the modem");
  show_cmd->add_option("TXN", q->txn_id, "The purchase id (or use --msisdn/--meter with --last)");
  add_query_options(*show_cmd, *q);
  show_cmd->add_flag("--last", q->last, "The newest purchase matching --msisdn/--meter/--state");
  show_cmd->callback([&context, q] { show(context, *q); });
}

}  // namespace pintar::cli
