// The real-time feed to PLN (docs/pln-feed.md) as it runs: the real `pintar feed serve`
// against an independent receiver (tests/peers/pln-receiver, Node's http and crypto only),
// on a ledger the end-to-end world made and on a large one written here. The receiver goes
// down and comes back, answers slowly so that `pintar feed` is killed with a batch in
// flight, and counts what it got: every record, in order, none lost, repeats only from the
// batch the kill interrupted (the documented at-least-once).
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <zmq.hpp>

#include "cli/world.h"
#include "store/feed_store.h"
#include "store/sqlite_ledger.h"
#include "tests/support/e2e.h"
#include "tests/support/peers.h"
#include "tests/support/process.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecretHex = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

class Receiver : public PeerProcess {
 public:
  Receiver()
      : PeerProcess({"node", source_path("tests/peers/pln-receiver/receiver.js"), "--secret-hex", kSecretHex},
                    "pln-receiver") {}
  std::string url() const { return fmt::format("http://127.0.0.1:{}/feed", http_port()); }
  nlohmann::json stats() const { return get("/counters"); }
  int64_t unique() const { return stats()["unique"].get<int64_t>(); }
};

// A configuration file: `base` (another configuration's text, or the ledger's place) and the
// [feed] table.
std::string feed_config(const std::string& dir, const std::string& base, const std::string& url,
                        const std::string& pub = "", int batch = 100) {
  const std::string path = dir + "/feed.toml";
  std::ofstream(path) << base << "\n[feed]\nurl = \"" << url << "\"\nsecret = \"hex:" << kSecretHex
                      << "\"\nbatch = " << batch << "\npoll_ms = 20\nbackoff_min_ms = 20\nbackoff_max_ms = 200\n"
                      << (pub.empty() ? "" : "pub_endpoint = \"" + pub + "\"\n");
  return path;
}

std::unique_ptr<Process> start_feed(const std::string& config) {
  auto feed = std::make_unique<Process>(std::vector<std::string>{pintar_binary(), "--config", config, "feed", "serve"});
  REQUIRE(feed->wait_for_line("feed running", 30s));
  return feed;
}

TEST_CASE("feed: the end-to-end world's purchase reaches PLN's receiver, whole and signed", "[feed][e2e]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  buy(world, dewi, 50000);
  REQUIRE(reaches(world, dewi.phone, "completed"));

  Receiver receiver;
  std::stringstream base;
  base << std::ifstream(world.config_path()).rdbuf();
  const std::string config = feed_config(world.options().work_dir, base.str(), receiver.url());
  auto feed = start_feed(config);
  REQUIRE(eventually([&] { return receiver.unique() == 1; }, 60s));
  const nlohmann::json records = receiver.get("/records");
  REQUIRE(records.size() == 1);
  const nlohmann::json& r = records[0];
  CHECK(r["seq"] == 1);
  CHECK(r["state"] == "completed");
  CHECK(r["resolved"] == false);
  CHECK(r["meter_no"] == dewi.meter);
  CHECK(r["msisdn"] == dewi.phone);
  CHECK(r["amount_rupiah"] == 50000);
  CHECK(r["energy_deci_kwh"].get<int64_t>() > 0);
  CHECK(r["token"].get<std::string>().size() == 20);
  CHECK(r["reference"].is_string());
  CHECK(r["idpel"].get<std::string>().size() == 12);
  CHECK(receiver.stats()["refused_signature"] == 0);

  // The cursor is durable: a second purchase after a restart is the only one sent.
  CHECK(feed->stop() == 0);
  buy(world, dewi, 100000);
  REQUIRE(reaches(world, dewi.phone, "completed"));
  feed = start_feed(config);
  REQUIRE(eventually([&] { return receiver.unique() == 2; }));
  std::this_thread::sleep_for(300ms);  // a repeat would arrive within a few polls
  const nlohmann::json stats = receiver.stats();
  CHECK(stats["records_received"] == 2);
  CHECK(stats["repeats"] == 0);
  const auto status = nlohmann::json::parse(world.pintar({"feed", "status", "--format", "json"}).out);
  CHECK(status["last_seq"] == 2);
}

struct BigLedger {
  std::string dir = make_temp_dir("feed");
  std::string db = dir + "/ledger.db";
  std::string base = fmt::format("state_dir = \"{}\"\n[ledger]\npath = \"{}\"\n", dir, db);
  std::unique_ptr<store::Ledger> ledger;

  BigLedger() {
    store::LedgerOptions options;
    options.path = db;
    ledger = store::open_ledger(options).value();
  }
  // Purchases first..first+count-1, each received then completed.
  void completed(int first, int count) {
    store::WriteSet w;
    for (int n = first; n < first + count; ++n) {
      store::TransactionRecord t{.txn_id = fmt::format("T{:06}", n), .version = 1,
                                 .idempotency_key = fmt::format("mo-{}", n), .meter_no = "14012345678",
                                 .msisdn = "6281234567890", .amount_rupiah = 20000, .energy_deci_kwh = 0,
                                 .token = std::nullopt, .state = "received", .reference = std::nullopt,
                                 .reason = std::nullopt, .created_ms = 1'767'225'600'000 + n,
                                 .recorded_ms = 1'767'225'600'000 + n};
      w.append_transaction(t);
      t.version = 2;
      t.state = "completed";
      t.energy_deci_kwh = 154;
      t.token = fmt::format("{:020}", n);
      t.reference = fmt::format("REF{}", n);
      w.append_transaction(t);
    }
    REQUIRE(ledger->write(std::move(w)).ok());
  }
};

TEST_CASE("feed: a receiver that is down, then slow, and a kill -9 mid-batch: nothing lost, repeats bounded",
          "[feed][faults]") {
  BigLedger world;
  world.completed(1, 400);
  const int batch = 20;

  // Down: the feed waits, the sales go on (they never wait for the feed).
  const std::string config = feed_config(world.dir, world.base, "http://127.0.0.1:1/feed", "", batch);
  auto feed = start_feed(config);
  const auto started = std::chrono::steady_clock::now();
  world.completed(401, 100);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  feed->stop(9);

  Receiver receiver;
  receiver.post("/control", {{"fail", 3}});  // down for three more batches, then up
  const std::string live = feed_config(world.dir, world.base, receiver.url(), "", batch);
  feed = start_feed(live);
  REQUIRE(eventually([&] { return receiver.unique() >= 100; }));
  CHECK(receiver.stats()["failed_on_cue"] == 3);

  // Slow answers: the kill lands while a batch is in flight or between two.
  receiver.post("/control", {{"delay_ms", 150}});
  const int64_t before = receiver.unique();
  REQUIRE(eventually([&] { return receiver.unique() >= before + 3 * batch; }));
  CHECK(feed->stop(9) == 128 + 9);
  receiver.post("/control", {{"delay_ms", 0}});
  feed = start_feed(live);
  REQUIRE(eventually([&] { return receiver.unique() == 500; }));
  std::this_thread::sleep_for(300ms);
  const nlohmann::json stats = receiver.stats();
  INFO(stats.dump());
  CHECK(stats["max_seq"] == 500);
  CHECK(stats["missing"].empty());
  CHECK(stats["refused_signature"] == 0);
  CHECK(stats["refused_schema"] == 0);
  // At least once: only the batch the kill cut short (taken by the receiver, its cursor not
  // yet written) may come twice.
  CHECK(stats["repeats"].get<int>() <= batch);
  CHECK(stats["records_received"].get<int>() == 500 + stats["repeats"].get<int>());
  const nlohmann::json records = receiver.get("/records");
  REQUIRE(records.size() == 500);
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i]["seq"] != static_cast<int64_t>(i + 1) || records[i]["txn_id"] != fmt::format("T{:06}", i + 1)) {
      FAIL("record " << i + 1 << " is " << records[i].dump());
    }
  }
  auto status = run({pintar_binary(), "--config", live, "feed", "status", "--format", "json"});
  REQUIRE(status.exit_status == 0);
  const nlohmann::json cursors = nlohmann::json::parse(status.out)["cursors"];
  REQUIRE(cursors.size() == 1);
  CHECK(cursors[0]["consumer"] == "pln_http");
  CHECK(cursors[0]["delivered_seq"] == 500);
  CHECK(cursors[0]["behind"] == 0);
}

TEST_CASE("feed: the local PUB socket carries the same records to a subscriber", "[feed][zmq]") {
  BigLedger world;
  world.completed(1, 10);
  Receiver receiver;
  const std::string pub = "ipc://" + world.dir + "/feed.ipc";
  auto feed = start_feed(feed_config(world.dir, world.base, receiver.url(), pub));
  REQUIRE(eventually([&] { return receiver.unique() == 10; }));

  zmq::context_t context(1);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "purchase");
  sub.set(zmq::sockopt::rcvtimeo, 10'000);
  sub.connect(pub);
  // A PUB subscriber sees what is published after it joined: give the subscription time to
  // reach the socket before the records it waits for exist.
  std::this_thread::sleep_for(300ms);
  world.completed(11, 5);
  for (int expected = 11; expected <= 15; ++expected) {
    zmq::message_t topic, body;
    REQUIRE(sub.recv(topic));
    CHECK(topic.to_string() == "purchase");
    REQUIRE(sub.get(zmq::sockopt::rcvmore));
    REQUIRE(sub.recv(body));
    const nlohmann::json r = nlohmann::json::parse(body.to_string());
    CHECK(r["seq"] == expected);
    CHECK(r["txn_id"] == fmt::format("T{:06}", expected));
  }
  REQUIRE(eventually([&] { return receiver.unique() == 15; }));
}

TEST_CASE("feed: bad configuration is refused with its reason before anything runs", "[feed][config]") {
  const std::string dir = make_temp_dir("feed-config");
  auto write = [&](const std::string& text) {
    std::ofstream(dir + "/c.toml") << "state_dir = \"" << dir << "\"\n[feed]\n" << text;
    return run({pintar_binary(), "--config", dir + "/c.toml", "feed", "serve", "--check"});
  };
  auto no_secret = write("url = \"http://127.0.0.1:9/feed\"\n");
  CHECK(no_secret.exit_status == 78);
  CHECK_THAT(no_secret.err, Catch::Contains("feed.secret"));
  auto bad_url = write(fmt::format("url = \"ftp://x/\"\nsecret = \"hex:{}\"\n", kSecretHex));
  CHECK(bad_url.exit_status == 78);
  CHECK_THAT(bad_url.err, Catch::Contains("http or https"));
  CHECK(write("").exit_status == 78);  // nothing to feed
  std::ofstream(dir + "/p.toml") << "state_dir = \"" << dir << "\"\n[feed]\npub_endpoint = \"tcp://0.0.0.0:5999\"\n";
  auto public_pub = run({pintar_binary(), "--config", dir + "/p.toml", "feed", "serve"});
  CHECK(public_pub.exit_status == 78);
  CHECK_THAT(public_pub.err, Catch::Contains("loopback"));
  auto good = write(fmt::format("url = \"https://pln.example/feed\"\nsecret = \"hex:{}\"\n", kSecretHex));
  CHECK(good.exit_status == 0);
  CHECK_THAT(good.out, Catch::Contains("feed configuration: OK"));
}

}  // namespace
}  // namespace pintar::testing
