#include "cli/stats_cli.h"

#include <cmath>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "bridge/client.h"
#include "common/exit_codes.h"
#include "gateway/engine_link.h"
#include "gateway/gateway.h"
#include "gateway/receipt_latency.h"
#include "helpdesk/server.h"
#include "meters/modem_auth.h"
#include "metrics/exposition.h"
#include "metrics/scrape.h"
#include "report/feed.h"
#include "smpp/session.h"
#include "store/ledger.h"
#include "vending/engine/engine.h"
#include "vending/engine/modem_link.h"
#include "vending/p2apst/link.h"

namespace pintar::cli {
namespace {

using metrics::Daemon;

std::string labels_text(const metrics::Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += fmt::format("{}=\"{}\"", name, metrics::escape_label_value(value));
  }
  return out + "}";
}

nlohmann::json labels_json(const metrics::Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : labels) out[name] = value;
  return out;
}

// A bucket bound in seconds for people: "<= 0.02 s", "> 60 s", "-".
std::string bound_text(double seconds, uint64_t count) {
  if (count == 0) return "-";
  if (std::isinf(seconds)) return fmt::format("> {} s", static_cast<double>(Histogram::kBoundsMs.back()) / 1000.0);
  return fmt::format("<= {} s", seconds);
}

nlohmann::json bound_json(double seconds, uint64_t count) {
  if (count == 0 || std::isinf(seconds)) return nullptr;  // JSON has no infinity
  return seconds;
}

// The declared tables, checked as an exporter would check them: every name module.snake_case,
// none exported twice by one daemon. A failure is a bug (exit 70), caught by the cli test.
void check_declared(Daemon daemon, const DeclaredMetrics& declared) {
  std::set<std::string_view> seen;
  auto check = [&](std::string_view name) {
    if (!valid_counter_name(name) || !seen.insert(name).second) {
      fail(exit_code::kSoftware, fmt::format("{}: metric {} is not module.snake_case or declared twice",
                                             metrics::daemon_name(daemon), name));
    }
  };
  for (const auto& table : declared.tables) {
    for (const CounterSpec& spec : table.counters) check(spec.name);
  }
  for (const auto& histogram : declared.histograms) check(histogram.spec.name);
}

void list(const std::string& format) {
  nlohmann::json out = nlohmann::json::object();
  std::string text;
  for (Daemon daemon : metrics::kDaemons) {
    const DeclaredMetrics declared = declared_metrics(daemon);
    check_declared(daemon, declared);
    const std::string name(metrics::daemon_name(daemon));
    nlohmann::json& d = out[name];
    d["counters"] = nlohmann::json::array();
    d["histograms"] = nlohmann::json::array();
    text += fmt::format("### pintar {}\n\n| metric | type | labels | meaning |\n| --- | --- | --- | --- |\n", name);
    for (const auto& table : declared.tables) {
      for (const CounterSpec& spec : table.counters) {
        const std::string family = metrics::family_name(spec.name, "_total");
        d["counters"].push_back({{"name", spec.name}, {"metric", family}, {"labels", table.labels},
                                 {"description", spec.description}});
        text += fmt::format("| `{}` | counter | {} | {} |\n", family, table.labels, spec.description);
      }
    }
    for (const auto& histogram : declared.histograms) {
      const std::string family = metrics::family_name(histogram.spec.name, "_seconds");
      d["histograms"].push_back({{"name", histogram.spec.name}, {"metric", family}, {"labels", histogram.labels},
                                 {"description", histogram.spec.description}});
      text += fmt::format("| `{}` | histogram | {} | {} |\n", family, histogram.labels, histogram.spec.description);
    }
    text += "\n";
  }
  if (format == "json") {
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("{}", text);
  }
}

void show(const Context& context, const std::string& daemon_word, const std::string& format) {
  const Daemon daemon = must(metrics::daemon_from_name(daemon_word), exit_code::kUsage, "--daemon");
  const metrics::MetricsOptions options = metrics_options_or_fail(context.load_config());
  const int port = options.port(daemon);
  if (port == 0) {
    fail(exit_code::kConfig, fmt::format("metrics.{}_port is 0: pintar {} serves no metrics", daemon_word, daemon_word));
  }
  const std::string url = fmt::format("http://{}:{}/metrics", options.listen, port);
  httplib::Client client(options.listen, port);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto response = client.Get("/metrics");
  if (!response) {
    fail(exit_code::kUnavailable,
         fmt::format("{}: no answer ({}); is pintar {} running?", url, httplib::to_string(response.error()), daemon_word));
  }
  if (response->status != 200) {
    fail(exit_code::kUnavailable, fmt::format("{}: HTTP {}", url, response->status));
  }
  const metrics::Scrape scrape =
      must(metrics::parse_exposition(response->body), exit_code::kDataError, fmt::format("{}", url));
  const metrics::Summary summary = metrics::summarize(scrape);
  if (format == "json") {
    nlohmann::json out = {{"daemon", daemon_word}, {"url", url}, {"counters", nlohmann::json::array()},
                          {"histograms", nlohmann::json::array()}};
    for (const auto& c : summary.counters) {
      out["counters"].push_back({{"name", c.name}, {"labels", labels_json(c.labels)}, {"value", c.value}});
    }
    for (const auto& h : summary.histograms) {
      out["histograms"].push_back({{"name", h.name}, {"labels", labels_json(h.labels)}, {"count", h.count},
                                   {"sum_seconds", h.sum_seconds}, {"p50_seconds", bound_json(h.p50, h.count)},
                                   {"p90_seconds", bound_json(h.p90, h.count)},
                                   {"p99_seconds", bound_json(h.p99, h.count)}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("pintar {} ({})\n\ncounters\n", daemon_word, url);
  for (const auto& c : summary.counters) fmt::print("  {:<60} {}\n", c.name + labels_text(c.labels), c.value);
  fmt::print("\nhistograms (bucket bounds: the quantile is at most that)\n");
  for (const auto& h : summary.histograms) {
    const std::string mean = h.count == 0 ? "-" : fmt::format("{:.3f} s", h.sum_seconds / static_cast<double>(h.count));
    fmt::print("  {:<44} count {:<8} mean {:<10} p50 {:<10} p90 {:<10} p99 {}\n", h.name + labels_text(h.labels),
               h.count, mean, bound_text(h.p50, h.count), bound_text(h.p90, h.count), bound_text(h.p99, h.count));
  }
}

}  // namespace

DeclaredMetrics declared_metrics(Daemon daemon) {
  switch (daemon) {
    case Daemon::kGateway:
      return {.tables = {{gateway::kGatewayCounters, ""},
                         {gateway::kEngineLinkCounters, ""},
                         {smpp::kBindCounters, "smsc, bind"}},
              .histograms = {{gateway::kSubmitToReceiptHistogram, "smsc"}}};
    case Daemon::kVending:
      return {.tables = {{engine::kEngineCounters, ""},
                         {p2apst::kLinkCounters, ""},
                         {engine::kModemLinkCounters, ""},
                         {meters::kModemAuthCounters, ""},
                         {store::kLedgerCounters, ""},
                         {bridge::kBridgeClientCounters, ""}},
              .histograms = {{engine::kMoToTokenHistogram, ""}, {p2apst::kRoundTripHistogram, ""}}};
    case Daemon::kHelpdesk:
      return {.tables = {{helpdesk::kHelpdeskCounters, ""}}, .histograms = {}};
    case Daemon::kFeed:
      return {.tables = {{report::kFeedCounters, "consumer"}}, .histograms = {}};
  }
  return {};
}

metrics::MetricsOptions metrics_options_or_fail(const config::Config& config) {
  return must(metrics::metrics_options(config), exit_code::kConfig, "metrics configuration");
}

void add_stats_command(CLI::App& app, const Context& context) {
  CLI::App* command = app.add_subcommand(
      "stats", "A running daemon's counters and latency histograms, from its /metrics (docs/metrics.md)");
  struct Args {
    std::string daemon;
    std::string format = "text";
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  command->add_option("--daemon", args->daemon, "gateway, vending, helpdesk or feed")
      ->check(CLI::IsMember({"gateway", "vending", "helpdesk"}));
  command->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  command->add_flag("--list", args->list,
                    "Print every counter and histogram each daemon exports (Markdown tables; json with --format json) "
                    "instead of reading a daemon");
  command->callback([&context, args] {
    if (args->list) return list(args->format);
    if (args->daemon.empty()) fail(exit_code::kUsage, "stats: --daemon gateway|vending|helpdesk|feed (or --list)");
    show(context, args->daemon, args->format);
  });
}

}  // namespace pintar::cli
