// `pintar feed ...`: wiring only. The pump and its sinks are in report/; this file opens the
// ledger file's feed tables, builds the sinks the configuration names, runs one pump thread
// per sink until SIGTERM/SIGINT, and prints the cursors.
#include "cli/feed_cli.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "cli/output.h"
#include "cli/stats_cli.h"
#include "common/daemon.h"
#include "common/exit_codes.h"
#include "common/secret.h"
#include "metrics/registry.h"
#include "metrics/server.h"
#include "report/feed.h"
#include "report/feed_config.h"
#include "report/feed_sinks.h"
#include "store/feed_store.h"
#include "store/ledger_config.h"

namespace pintar::cli {
namespace {

std::unique_ptr<store::FeedStore> open_store(const config::Config& config) {
  store::LedgerOptions options = store::ledger_options(config);
  options.chain_key = must(store::chain_key(config), exit_code::kConfig, "ledger.chain_key_secret");
  return must(store::FeedStore::open(options), exit_code::kIoError, "ledger");
}

// The sinks the configuration names (none: the feed has nothing to do, a configuration
// error, so that a unit started by mistake says so instead of idling).
struct Sinks {
  zmq::context_t zmq{1};
  std::vector<std::unique_ptr<report::FeedSink>> all;
};

void build_sinks(const report::FeedConfig& c, Sinks& sinks) {
  if (!c.url.empty()) {
    Secret secret = must(Secret::load(c.secret_source), exit_code::kConfig, "feed.secret");
    sinks.all.push_back(must(report::HttpFeedSink::create({.url = c.url, .ca_file = c.ca_file, .timeout = c.timeout},
                                                          std::move(secret)),
                             exit_code::kConfig, "feed.url"));
  }
  if (!c.pub_endpoint.empty()) {
    auto pub = report::ZmqFeedSink::bind(sinks.zmq, c.pub_endpoint);
    if (!pub.ok()) {
      fail(pub.status().code() == StatusCode::kInvalidArgument ? exit_code::kConfig : exit_code::kIoError,
           pub.status().message());
    }
    sinks.all.push_back(std::move(*pub));
  }
  if (sinks.all.empty()) fail(exit_code::kConfig, "feed: neither feed.url nor feed.pub_endpoint is set");
}

void serve(const Context& context, bool check) {
  const config::Config config = context.load_config();
  const report::FeedConfig c = must(report::feed_config(config), exit_code::kConfig, "feed configuration");
  const metrics::MetricsOptions metrics_options = metrics_options_or_fail(config);
  if (check) {
    if (!c.url.empty()) {
      (void)must(Secret::load(c.secret_source), exit_code::kConfig, "feed.secret");
      (void)must(report::parse_http_url(c.url), exit_code::kConfig, "feed.url");
    }
    if (c.url.empty() && c.pub_endpoint.empty()) {
      fail(exit_code::kConfig, "feed: neither feed.url nor feed.pub_endpoint is set");
    }
    fmt::print("feed configuration: OK\n");
    return;
  }
  auto shutdown = daemon::ShutdownSignal::install();
  if (!shutdown.ok()) fail(exit_code::for_status(shutdown.status()), shutdown.status().to_string());
  std::unique_ptr<store::FeedStore> feed = open_store(config);
  Sinks sinks;
  build_sinks(c, sinks);

  std::vector<std::unique_ptr<report::FeedPump>> pumps;
  std::vector<std::jthread> threads;
  const int64_t last = must(feed->last_seq(), exit_code::kIoError, "feed");
  for (auto& sink : sinks.all) {
    const store::FeedCursor cursor = must(feed->cursor(sink->consumer()), exit_code::kIoError, "feed cursor");
    spdlog::info("feed {}: from record {} (the last is {})", sink->consumer(), cursor.delivered_seq + 1, last);
    pumps.push_back(std::make_unique<report::FeedPump>(*feed, *sink, c.pump, Clock::real()));
    threads.emplace_back([pump = pumps.back().get()](std::stop_token stop) { pump->run(stop); });
  }
  metrics::Registry exported;
  for (size_t i = 0; i < pumps.size(); ++i) exported.add(pumps[i]->counters(), {{"consumer", sinks.all[i]->consumer()}});
  auto metrics_server = metrics::start_or_warn("feed", metrics_options.listen, metrics_options.feed_port, exported);
  fmt::print("feed running: {} sink(s)\n", sinks.all.size());
  std::fflush(stdout);
  daemon::notify_ready();
  while (!shutdown->wait_for(std::chrono::seconds(1))) daemon::notify_watchdog();
  daemon::notify_stopping();
  metrics_server.reset();
  for (auto& t : threads) t.request_stop();
  threads.clear();  // joins: a POST in flight finishes or times out; its batch is sent again next time
  for (auto& pump : pumps) {
    const auto& n = pump->counters();
    spdlog::info("feed: stopped; {} records in {} batches, {} failed deliveries", n.value(report::kFeedDelivered),
                 n.value(report::kFeedBatches), n.value(report::kFeedFailures));
  }
}

void status(const Context& context, const std::string& format) {
  const config::Config config = context.load_config();
  std::unique_ptr<store::FeedStore> feed = open_store(config);
  const int64_t last = must(feed->last_seq(), exit_code::kIoError, "feed");
  const auto cursors = must(feed->cursors(), exit_code::kIoError, "feed cursors");
  if (format == "json") {
    nlohmann::json out{{"last_seq", last}, {"cursors", nlohmann::json::array()}};
    for (const auto& k : cursors) {
      out["cursors"].push_back({{"consumer", k.consumer}, {"delivered_seq", k.delivered_seq},
                                {"behind", last - k.delivered_seq}, {"updated_ms", k.updated_ms}});
    }
    return fmt::print("{}\n", out.dump(2));
  }
  fmt::print("last record: {}\n", last);
  for (const auto& k : cursors) {
    fmt::print("{:<10} delivered {}  behind {}\n", k.consumer, k.delivered_seq, last - k.delivered_seq);
  }
}

}  // namespace

void add_feed_command(CLI::App& app, const Context& context) {
  CLI::App* feed = app.add_subcommand("feed", "The real-time feed of purchases to PLN (docs/pln-feed.md)");
  feed->require_subcommand(1);
  CLI::App* serve_cmd =
      feed->add_subcommand("serve", "Deliver every purchase that reaches an end to [feed] url / pub_endpoint");
  auto check = std::make_shared<bool>(false);
  serve_cmd->add_flag("--check", *check, "Load the [feed] configuration and its secret, then exit: 0 usable, 78 not");
  serve_cmd->callback([&context, check] { serve(context, *check); });
  CLI::App* status_cmd = feed->add_subcommand("status", "The last feed record and how far each sink has delivered");
  auto format = std::make_shared<std::string>("text");
  add_format_option(*status_cmd, *format);
  status_cmd->callback([&context, format] { status(context, *format); });
}

}  // namespace pintar::cli
