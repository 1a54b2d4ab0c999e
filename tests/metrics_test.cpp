// /metrics on a real daemon: `pintar gateway` between the SMSC simulator and an engine stub,
// scraped over HTTP while it serves, and read by `pintar stats` (docs/metrics.md).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "metrics/scrape.h"
#include "tests/support/engine_stub.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A port nothing listens on now (bound to 0 and closed): the daemon binds it a moment later.
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The value of one counter sample (name without pintar_ and _total; labels must match all given).
std::optional<uint64_t> counter(const metrics::Summary& summary, const std::string& name,
                                const metrics::Labels& labels = {}) {
  for (const auto& c : summary.counters) {
    if (c.name != name) continue;
    bool all = true;
    for (const auto& label : labels) all = all && std::find(c.labels.begin(), c.labels.end(), label) != c.labels.end();
    if (all) return c.value;
  }
  return std::nullopt;
}

metrics::Summary scrape(uint16_t port) {
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/metrics");
  REQUIRE(response);
  REQUIRE(response->status == 200);
  CHECK(response->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  auto parsed = metrics::parse_exposition(response->body);
  REQUIRE(parsed.ok());
  return metrics::summarize(*parsed);
}

template <typename F>
bool eventually(F f, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return f();
}

TEST_CASE("pintar gateway serves /metrics while it runs; counters and the receipt histogram move; pintar stats reads them",
          "[metrics][integration]") {
  SmscSim sim(default_sim_config());
  const std::string dir = make_temp_dir("metrics-gateway");
  const std::string endpoint = "ipc://" + dir + "/engine.sock";
  const uint16_t port = free_port();
  const std::string config = dir + "/pintar.toml";
  std::ofstream(config) << gateway_config_toml(dir, endpoint, sim.smpp_port(),
                                               "engine_retry_ms = 300\nengine_liveness_ms = 2000\n",
                                               "reconnect_min_ms = 100\nreconnect_max_ms = 500\n", port);
  auto gateway = std::make_unique<Process>(std::vector<std::string>{pintar_binary(), "-c", config, "gateway"});
  EngineStub engine(endpoint);
  REQUIRE(engine.wait_for_gateway(10s));

  const metrics::Summary before = scrape(port);
  CHECK(counter(before, "gateway_mt_stored") == 0u);
  CHECK(counter(before, "engine_link_sent").has_value());
  CHECK(counter(before, "smpp_submit_sm", {{"smsc", "sim"}}) == 0u);
  REQUIRE(before.histograms.size() == 1);
  CHECK(before.histograms[0].name == "gateway_submit_to_receipt");
  CHECK(before.histograms[0].count == 0);

  engine.send_mt({.id = "m1", .smsc = "", .from = "1234", .to = "628120000001", .text = "TOKEN 1234", .receipt = true});
  engine.send_mt({.id = "m2", .smsc = "", .from = "1234", .to = "628120000001", .text = "TOKEN 5678", .receipt = true});
  REQUIRE(engine.wait_for_results(2, 20s));
  REQUIRE(engine.wait_for_receipts(2, 20s));
  // The receipts are counted as they are stored; the scrape sees them without a restart.
  REQUIRE(eventually([&] { return counter(scrape(port), "gateway_receipts_stored") == 2u; }));
  const metrics::Summary after = scrape(port);
  CHECK(counter(after, "gateway_mt_stored") == 2u);
  CHECK(counter(after, "gateway_mt_submitted") == 2u);
  CHECK(counter(after, "smpp_submit_sm", {{"smsc", "sim"}}) == 2u);
  REQUIRE(after.histograms.size() == 1);
  CHECK(after.histograms[0].count == 2);
  CHECK(after.histograms[0].labels == metrics::Labels{{"smsc", "sim"}});

  // pintar stats, with the same configuration, reads the same numbers.
  const RunResult stats = run({pintar_binary(), "-c", config, "stats", "--daemon", "gateway", "--format", "json"});
  INFO(stats.err);
  REQUIRE(stats.exit_status == 0);
  const json out = json::parse(stats.out);
  CHECK(out["daemon"] == "gateway");
  size_t found = 0;
  for (const auto& c : out["counters"]) {
    if (c["name"] == "gateway_mt_stored") {
      CHECK(c["value"] == 2);
      ++found;
    }
  }
  CHECK(found == 1);
  REQUIRE(out["histograms"].size() == 1);
  CHECK(out["histograms"][0]["count"] == 2);
  const RunResult text = run({pintar_binary(), "-c", config, "stats", "--daemon", "gateway"});
  CHECK(text.exit_status == 0);
  CHECK(text.out.find("gateway_submit_to_receipt{smsc=\"sim\"}") != std::string::npos);

  // A second gateway on the same metrics port carries on without metrics (a warning), and the
  // first keeps the port: SO_REUSEPORT would have let them share it.
  const std::string dir2 = make_temp_dir("metrics-gateway-2");
  const std::string config2 = dir2 + "/pintar.toml";
  std::ofstream(config2) << gateway_config_toml(dir2, "ipc://" + dir2 + "/engine.sock", sim.smpp_port(), "", "", port);
  Process second({pintar_binary(), "-c", config2, "gateway"}, {}, /*quiet_stderr=*/true);
  CHECK_FALSE(second.wait(3s).has_value());  // still running, without metrics
  // Every scrape reaches the first (the second has stored nothing).
  for (int i = 0; i < 10; ++i) CHECK(counter(scrape(port), "gateway_mt_stored") == 2u);
  CHECK(second.stop(SIGTERM, 15s) == 0);

  // Daemon down: 69 (EX_UNAVAILABLE).
  CHECK(gateway->stop(SIGTERM, 15s) == 0);
  gateway.reset();
  const RunResult down = run({pintar_binary(), "-c", config, "stats", "--daemon", "gateway"});
  CHECK(down.exit_status == 69);
  CHECK(down.err.find("running") != std::string::npos);
}

TEST_CASE("pintar stats --list names every daemon's counters and histograms", "[metrics]") {
  const RunResult list = run({pintar_binary(), "stats", "--list", "--format", "json"});
  INFO(list.err);
  REQUIRE(list.exit_status == 0);
  const json out = json::parse(list.out);
  CHECK(out["gateway"]["histograms"][0]["metric"] == "pintar_gateway_submit_to_receipt_seconds");
  size_t vending_histograms = out["vending"]["histograms"].size();
  CHECK(vending_histograms == 2);
  CHECK(out["helpdesk"]["counters"].size() == 5);
  // docs/metrics.md must list every metric the daemons export.
  std::ifstream doc_file(source_path("docs/metrics.md"));
  const std::string doc((std::istreambuf_iterator<char>(doc_file)), std::istreambuf_iterator<char>());
  size_t listed = 0;
  for (const auto& [daemon, kinds] : out.items()) {
    for (const auto& [kind, metrics] : kinds.items()) {
      for (const auto& metric : metrics) {
        const std::string name = metric["metric"];
        INFO("docs/metrics.md lacks " << name << "; regenerate it with docs/update-metrics.sh");
        CHECK(doc.find("`" + name + "`") != std::string::npos);
        ++listed;
      }
    }
  }
  CHECK(listed > 60);
  const RunResult usage = run({pintar_binary(), "stats"});
  CHECK(usage.exit_status == 64);
  const RunResult bad = run({pintar_binary(), "stats", "--daemon", "store"});
  CHECK(bad.exit_status == 64);
}

}  // namespace
}  // namespace pintar::testing
