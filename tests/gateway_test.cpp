// `pintar gateway` end to end: the real daemon between the SMSC simulator
// (tests/peers/smsc-sim) and an engine stub on the ZeroMQ link (docs/gateway.md).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sqlite/connection.h"
#include "tests/support/engine_stub.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kHandset = "628120000001";  // not owned by an account: the simulator receipts it

// One `pintar gateway` process with its own state directory and engine endpoint.
class GatewayProcess {
 public:
  GatewayProcess(const SmscSim& sim, const std::string& smsc_extra = "", const std::string& name = "gateway",
                 int window = 10, const std::string& gateway_extra = "", uint16_t metrics_port = 0)
      : dir_(make_temp_dir(name)), endpoint_("ipc://" + dir_ + "/engine.sock") {
    std::ofstream(dir_ + "/pintar.toml") << gateway_config_toml(
        dir_, endpoint_, sim.smpp_port(), "engine_retry_ms = 300\nengine_liveness_ms = 2000\n" + gateway_extra,
        fmt::format("window = {}\n", window) + "reconnect_min_ms = 100\nreconnect_max_ms = 500\nresponse_timeout_ms = 2000\n"
        "connect_timeout_ms = 2000\nthrottle_pause_ms = 200\nretry_delay_ms = 100\n" + smsc_extra, metrics_port);
  }
  ~GatewayProcess() {
    if (process_) process_->stop(SIGKILL);
  }

  void start() {
    process_ = std::make_unique<Process>(std::vector<std::string>{pintar_binary(), "-c", dir_ + "/pintar.toml", "gateway"});
  }
  int stop(int signal_number = SIGTERM) {
    const int status = process_->stop(signal_number, 15s);
    process_.reset();
    return status;
  }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string endpoint_;
  std::unique_ptr<Process> process_;
};

bridge::Mt mt(const std::string& id, const std::string& text, const std::string& to = kHandset) {
  return {.id = id, .smsc = "", .from = "1234", .to = to, .text = text, .receipt = true};
}

size_t submitted_count(const EngineStub& engine) {
  size_t n = 0;
  for (const auto& [id, result] : engine.results()) n += result.submitted ? 1 : 0;
  return n;
}

std::multiset<std::string> sim_texts(const SmscSim& sim) {
  std::multiset<std::string> texts;
  for (const auto& m : sim.messages()) {
    if (m.at("text").is_string()) texts.insert(m.at("text").get<std::string>());
  }
  return texts;
}

TEST_CASE("MO and MT round trip: long, UCS-2, receipts matched in every form", "[gateway][integration]") {
  struct Form {
    std::string receipt_form, resp_msgid, receipt_msgid, id_format_resp, id_format_receipt;
  };
  const Form forms[] = {
      {"tlv", "hex", "hex", "hex", "hex"},
      {"text", "dec", "dec", "decimal", "decimal"},
      {"both", "hex", "dec", "hex", "decimal"},
  };
  for (const auto& form : forms) {
    DYNAMIC_SECTION("receipt form " << form.receipt_form << ", ids " << form.resp_msgid << "/" << form.receipt_msgid) {
      json config = default_sim_config();
      config["resp_msgid"] = form.resp_msgid;
      config["receipt"] = {{"form", form.receipt_form}, {"msgid", form.receipt_msgid}};
      SmscSim sim(config);
      GatewayProcess gateway(sim, fmt::format("id_format_resp = \"{}\"\nid_format_receipt = \"{}\"\n",
                                              form.id_format_resp, form.id_format_receipt));
      gateway.start();
      EngineStub engine(gateway.endpoint());
      REQUIRE(engine.wait_for_gateway(10s));

      const std::string long_text(200, 'x');
      const std::string ucs2_text = "Token Rp20.000 — ₹ 日本";  // not GSM 03.38: UCS-2
      engine.send_mt(mt("short", "TOKEN 5104 3465 4434 2085 6213"));
      engine.send_mt(mt("long", long_text));
      engine.send_mt(mt("ucs2", ucs2_text));
      REQUIRE(engine.wait_for_results(3, 20s));
      const auto results = engine.results();
      size_t parts = 0;
      for (const auto& [id, result] : results) {
        INFO(id << " " << result.reason);
        CHECK(result.submitted);
        parts += result.message_ids.size();
      }
      CHECK(results.at("long").message_ids.size() == 2);
      CHECK(engine.mt_acked() == std::set<std::string>{"short", "long", "ucs2"});

      // Every part's receipt reaches the engine, matched to its MT.
      REQUIRE(engine.wait_for_receipts(parts, 20s));
      for (const auto& receipt : engine.receipts()) {
        INFO(receipt.message_id);
        REQUIRE(receipt.mt_id.has_value());
        CHECK(receipt.state == "DELIVERED");
        const auto& ids = results.at(*receipt.mt_id).message_ids;
        REQUIRE(receipt.part >= 1);
        REQUIRE(receipt.part <= static_cast<int>(ids.size()));
        CHECK(ids[receipt.part - 1] == receipt.message_id);
      }

      // What the SMSC saw: two concatenated parts for the long MT, UCS-2 for the other.
      const auto messages = sim.messages();
      std::vector<json> long_parts, ucs2;
      for (const auto& m : messages) {
        if (!m.at("concat").is_null()) long_parts.push_back(m);
        if (m.at("data_coding") == 8) ucs2.push_back(m);
      }
      REQUIRE(long_parts.size() == 2);
      CHECK(long_parts[0].at("concat").at("total") == 2);
      CHECK(long_parts[0].at("concat").at("ref") == long_parts[1].at("concat").at("ref"));
      REQUIRE(ucs2.size() == 1);
      CHECK(ucs2[0].at("text") == ucs2_text);

      // MO in every shape the simulator sends.
      const std::string long_mo = "BELI 14012345678 20000 " + std::string(300, 'y');
      sim.post("/mo", {{"from", "6281111"}, {"to", "1234"}, {"text", "SALDO"}});
      sim.post("/mo", {{"from", "6281112"}, {"to", "1234"}, {"text", "Harga €5 {ok}"}, {"encoding", "gsm"}});
      sim.post("/mo", {{"from", "6281113"}, {"to", "1234"}, {"text", "Beli token ₹ 日本"}, {"encoding", "ucs2"}});
      sim.post("/mo", {{"from", "6281114"}, {"to", "1234"}, {"text", long_mo}, {"split", "udh"}, {"reorder", true}});
      sim.post("/mo", {{"from", "6281115"}, {"to", "1234"}, {"text", long_mo}, {"split", "sar"}, {"encoding", "ucs2"}});
      sim.post("/mo", {{"from", "6281116"}, {"to", "1234"}, {"text", long_mo}, {"split", "payload"}});
      REQUIRE(engine.wait_for_mos(6, 20s));
      std::map<std::string, std::string> by_sender;
      for (const auto& mo : engine.mos()) by_sender[mo.from] = mo.text;
      CHECK(by_sender["6281111"] == "SALDO");
      CHECK(by_sender["6281112"] == "Harga €5 {ok}");
      CHECK(by_sender["6281113"] == "Beli token ₹ 日本");
      CHECK(by_sender["6281114"] == long_mo);
      CHECK(by_sender["6281115"] == long_mo);
      CHECK(by_sender["6281116"] == long_mo);
      CHECK(engine.mos().front().smsc == "sim");

      CHECK(gateway.stop() == 0);
      CHECK(sim.stat("unbinds") >= 1);  // unbound cleanly on SIGTERM
    }
  }
}

TEST_CASE("an MT for an unknown SMSC is refused; a repeated MT is stored once", "[gateway][integration]") {
  SmscSim sim(default_sim_config());
  GatewayProcess gateway(sim);
  gateway.start();
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  auto lost = mt("nowhere", "x");
  lost.smsc = "indosat";
  engine.send_mt(lost);
  engine.send_mt(mt("twice", "once only"));
  engine.send_mt(mt("twice", "once only"));
  REQUIRE(engine.wait_for_results(1, 10s));
  REQUIRE(engine.wait_until([&] { return !engine.mt_refused().empty(); }, 5s));
  CHECK_THAT(engine.mt_refused().at("nowhere"), Catch::Contains("unknown smsc"));
  CHECK(sim_texts(sim).count("once only") == 1);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("a refused bind is an alert; MTs wait in the queue until the bind works", "[gateway][integration]") {
  json config = default_sim_config();
  config["esmes"][0]["password"] = "other";
  SmscSim sim(config);
  GatewayProcess gateway(sim, "bind_failure_retry_ms = 1000\n");
  gateway.start();
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  engine.send_mt(mt("waiting", "held back"));
  REQUIRE(engine.wait_until([&] { return !engine.mt_acked().empty(); }, 10s));  // stored
  std::this_thread::sleep_for(1500ms);
  CHECK(sim.stat("binds_failed") >= 1);
  CHECK(sim.messages().empty());
  CHECK(engine.results().empty());

  // The operator fixes the password: the next bind attempt works and the MT goes out.
  sim.post("/config", {{"esmes", {{{"system_id", "pintar"}, {"password", "secret"}, {"routes", {"1234"}}}}}});
  REQUIRE(engine.wait_for_results(1, 20s));
  CHECK(engine.results().at("waiting").submitted);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("throttling (0x58) pauses the bind and every MT still goes out, in order", "[gateway][integration]") {
  for (const int window : {10, 1}) {
    DYNAMIC_SECTION("window " << window) {
      json config = default_sim_config();
      config["tps"] = 25;
      SmscSim sim(config);
      GatewayProcess gateway(sim, "", "gateway", window);
      gateway.start();
      EngineStub engine(gateway.endpoint());
      REQUIRE(engine.wait_for_gateway(10s));
      constexpr int kCount = 100;
      for (int i = 0; i < kCount; ++i) engine.send_mt(mt(fmt::format("t{}", i), fmt::format("throttled {:03}", i)));
      REQUIRE(engine.wait_for_results(kCount, 40s));
      CHECK(submitted_count(engine) == kCount);
      CHECK(sim.stat("throttled") > 0);
      std::vector<std::string> order;
      for (const auto& m : sim.messages()) order.push_back(m.at("text").get<std::string>());
      REQUIRE(order.size() == kCount);
      CHECK(std::set<std::string>(order.begin(), order.end()).size() == kCount);
      // A throttled MT goes back to its place, ahead of every MT not yet sent. With a window
      // of 1 nothing else is in flight to overtake it, so the SMSC sees the engine's order;
      // with a wider window, MTs already in flight behind it may be accepted first.
      if (window == 1) CHECK(std::is_sorted(order.begin(), order.end()));
      CHECK(gateway.stop() == 0);
    }
  }
}

// The end of sd_notify(3) that systemd listens on: a datagram socket named by $NOTIFY_SOCKET,
// read all the time on a thread of its own, as systemd does (an unread socket fills after
// about ten datagrams and then blocks the daemon's sendmsg).
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path), fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof address.sun_path);
    std::copy(path.begin(), path.end(), address.sun_path);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    reader_ = std::thread([this] { read_all(); });
  }
  ~NotifySocket() {
    done_ = true;
    reader_.join();
    ::close(fd_);
  }
  const std::string& path() const { return path_; }
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  size_t count(const std::string& message) {
    const auto all = messages();
    return static_cast<size_t>(std::count(all.begin(), all.end(), message));
  }
  // When each message arrived, in order; (arrival, message).
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  void read_all() {
    while (!done_) {
      pollfd fds{fd_, POLLIN, 0};
      if (::poll(&fds, 1, 50) <= 0) continue;
      char buffer[512];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      messages_.emplace_back(buffer, static_cast<size_t>(n));
      arrivals_.emplace_back(std::chrono::steady_clock::now(), messages_.back());
    }
  }

  std::string path_;
  int fd_;
  std::atomic<bool> done_{false};
  std::mutex mutex_;
  std::vector<std::string> messages_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> arrivals_;
  std::thread reader_;
};

TEST_CASE("under systemd: READY once serving, WATCHDOG while running, STOPPING on SIGTERM", "[gateway][integration]") {
  SmscSim sim(default_sim_config());
  GatewayProcess gateway(sim);
  NotifySocket notify(make_temp_dir("notify") + "/notify.sock");
  // The child inherits them, as from systemd: WatchdogSec=400ms asks for a ping every 200 ms.
  ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);
  gateway.start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  for (int i = 0; i < 200 && notify.count("WATCHDOG=1") < 4; ++i) std::this_thread::sleep_for(50ms);
  const auto running = notify.messages();
  REQUIRE(!running.empty());
  CHECK(running.front() == "READY=1");
  CHECK(notify.count("READY=1") == 1);
  CHECK(notify.count("WATCHDOG=1") >= 4);
  CHECK(notify.count("STOPPING=1") == 0);
  CHECK(gateway.stop() == 0);
  for (int i = 0; i < 40 && notify.count("STOPPING=1") == 0; ++i) std::this_thread::sleep_for(25ms);
  CHECK(notify.count("STOPPING=1") == 1);
}

TEST_CASE("housekeeping on a locked queue file does not stall the loop: the watchdog keeps being fed",
          "[gateway][integration]") {
  SmscSim sim(default_sim_config());
  GatewayProcess gateway(sim);
  NotifySocket notify(make_temp_dir("notify") + "/notify.sock");
  ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);  // a ping every 200 ms
  gateway.start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  const auto arrivals = notify.arrivals();
  REQUIRE(!arrivals.empty());
  REQUIRE(arrivals.front().second == "READY=1");
  const auto ready = arrivals.front().first;

  // Another process (a backup, the sqlite3 shell) holds the queue's write lock across the
  // first housekeeping, 10 s after READY, and longer than the queue's busy timeout (5 s):
  // its two commits wait for the lock. On the loop they held it for as long, no heartbeat and
  // no watchdog ping went out, and systemd (WatchdogSec=) would have killed the gateway.
  auto other = sqlite::Connection::open(gateway.dir() + "/gateway-queue.db", {.busy_timeout_ms = 5000, .create = false});
  REQUIRE(other.ok());
  REQUIRE(other->exec("BEGIN IMMEDIATE").ok());
  const auto locked = std::chrono::steady_clock::now();
  std::this_thread::sleep_until(ready + 17s);  // the lock's duration, not an assertion
  REQUIRE(other->exec("COMMIT").ok());
  other = sqlite::Connection();
  const auto unlocked = std::chrono::steady_clock::now();
  // The watchdog pings after the unlock: the last gap closes with the first of them.
  REQUIRE(engine.wait_until([&] {
    const auto all = notify.arrivals();
    return all.back().first > unlocked && all.back().second == "WATCHDOG=1";
  }, 10s));

  std::chrono::steady_clock::duration longest{};
  std::optional<std::chrono::steady_clock::time_point> previous;
  size_t pings = 0;
  for (const auto& [at, message] : notify.arrivals()) {
    if (message != "WATCHDOG=1" || at < locked) continue;
    if (previous) longest = std::max(longest, at - *previous);
    previous = at;
    ++pings;
  }
  INFO("longest gap between watchdog pings while the file was locked: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(longest).count() << " ms over " << pings << " pings");
  CHECK(longest < 3s);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("a simulator restart mid-traffic loses no message", "[gateway][integration]") {
  json config = default_sim_config();
  config["resp_delay_ms"] = 5;
  auto sim = std::make_unique<SmscSim>(config);
  const uint16_t smpp_port = sim->smpp_port(), control_port = sim->control_port();
  GatewayProcess gateway(*sim);
  gateway.start();
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  constexpr int kCount = 400;
  for (int i = 0; i < kCount; ++i) engine.send_mt(mt(fmt::format("r{}", i), fmt::format("restart {:03}", i)));
  REQUIRE(engine.wait_until([&] { return engine.results().size() >= 100; }, 20s));
  sim->stop(SIGKILL);  // dies with submit_sm unanswered on the link
  sim.reset();
  std::this_thread::sleep_for(300ms);
  sim = std::make_unique<SmscSim>(config, smpp_port, control_port);
  REQUIRE(engine.wait_for_results(kCount, 40s));
  CHECK(submitted_count(engine) == kCount);
  CHECK(!sim->messages().empty());  // the rest went to the restarted SMSC
  CHECK(gateway.stop() == 0);
}

TEST_CASE("an SMSC restarting its message ids per bind: each MT keeps its id and gets its own receipt",
          "[gateway][integration]") {
  json config = default_sim_config();
  config["resp_msgid_restart"] = "bind";
  SmscSim sim(config);
  GatewayProcess gateway(sim);
  gateway.start();
  // Results are never acknowledged, so the gateway keeps sending them, across its restart.
  auto first = std::make_unique<EngineStub>(gateway.endpoint(), EngineStub::Options{.ack_results = false});
  EngineStub& engine = *first;
  REQUIRE(engine.wait_for_gateway(10s));
  engine.send_mt(mt("one", "reused id one"));
  REQUIRE(engine.wait_for_results(1, 20s));
  REQUIRE(engine.wait_for_receipts(1, 20s));
  const std::vector<std::string> first_ids = engine.results().at("one").message_ids;
  REQUIRE(first_ids.size() == 1);

  CHECK(gateway.stop(SIGKILL) == 128 + SIGKILL);
  gateway.start();  // binds again: the simulator hands out the same ids again
  REQUIRE(engine.wait_for_gateway(10s));
  engine.send_mt(mt("two", "reused id two"));
  REQUIRE(engine.wait_until([&] {
    if (engine.results().count("two") == 0) return false;
    for (const auto& receipt : engine.receipts()) {
      if (receipt.mt_id == std::optional<std::string>("two")) return true;
    }
    return false;
  }, 20s));
  CHECK(engine.results().at("two").message_ids == first_ids);
  // Restarted once more, the gateway reads both results from its queue again: each still
  // carries its ids (a reused id used to move to the newer MT, leaving "one" with none).
  CHECK(gateway.stop() == 0);
  gateway.start();
  REQUIRE(engine.wait_for_gateway(10s));
  const size_t arrivals = engine.result_arrivals();
  REQUIRE(engine.wait_until([&] { return engine.result_arrivals() >= arrivals + 4; }, 20s));
  // The engine's client hands each unacked id over once, so what the restarted gateway sends
  // is read by a second engine in the first one's place, to which both ids are new.
  const auto receipts = engine.receipts();
  first.reset();
  EngineStub second(gateway.endpoint(), {.ack_results = false});
  REQUIRE(second.wait_for_results(2, 20s));
  const auto results = second.results();
  CHECK(results.at("one").message_ids == first_ids);
  CHECK(results.at("two").message_ids == first_ids);
  std::multiset<std::string> credited;
  for (const auto& receipt : receipts) {
    INFO(receipt.message_id);
    CHECK(receipt.message_id == first_ids[0]);
    REQUIRE(receipt.mt_id.has_value());
    credited.insert(*receipt.mt_id);
  }
  CHECK(credited.count("one") >= 1);
  CHECK(credited.count("two") == 1);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("kill -9 of the gateway with MO and MT in flight: everything arrives after restart", "[gateway][integration]") {
  json config = default_sim_config();
  config["resp_delay_ms"] = 10;
  SmscSim sim(config);
  GatewayProcess gateway(sim);
  gateway.start();
  EngineStub engine(gateway.endpoint(), {.ack_mo = false});
  REQUIRE(engine.wait_for_gateway(10s));

  constexpr int kMo = 40, kMt = 300;
  for (int i = 0; i < kMo / 2; ++i) {
    sim.post("/mo", {{"from", "6281200"}, {"to", "1234"}, {"text", fmt::format("mo {:03}", i)}});
  }
  REQUIRE(engine.wait_for_mos(kMo / 2, 20s));  // stored by the gateway, never acknowledged
  for (int i = 0; i < kMt; ++i) engine.send_mt(mt(fmt::format("k{}", i), fmt::format("kill {:03}", i)));
  for (int i = kMo / 2; i < kMo; ++i) {
    sim.post("/mo", {{"from", "6281200"}, {"to", "1234"}, {"text", fmt::format("mo {:03}", i)}});
  }
  REQUIRE(engine.wait_until([&] { return engine.results().size() >= 50; }, 20s));
  CHECK(gateway.stop(SIGKILL) == 128 + SIGKILL);

  gateway.start();
  engine.set_ack_mo(true);
  REQUIRE(engine.wait_for_results(kMt, 60s));
  CHECK(submitted_count(engine) == kMt);
  // Each MO the SMSC sent arrives, whether it was stored before the kill (sent again by the
  // restarted gateway) or left unanswered by it (sent again by the SMSC), and under one id
  // only: engine.mos() holds one entry per id, so a text counted twice was stored twice.
  const auto mo_texts = [&] {
    std::map<std::string, int> texts;
    for (const auto& mo : engine.mos()) ++texts[mo.text];
    return texts;
  };
  CHECK(engine.wait_until([&] { return mo_texts().size() >= kMo; }, 30s));
  const auto counted = mo_texts();
  CHECK(counted.size() == kMo);
  for (const auto& [text, count] : counted) {
    INFO(text);
    // Nothing lost, nothing doubled: when the kill falls between the commit and the
    // deliver_sm_resp, the SMSC delivers again and the queue knows the deliver_sm's key.
    CHECK(count == 1);
  }

  // Every MT reached the SMSC; repeats are bounded by 2 × window × binds.
  const auto texts = sim_texts(sim);
  size_t duplicates = 0;
  for (int i = 0; i < kMt; ++i) {
    const size_t n = texts.count(fmt::format("kill {:03}", i));
    CHECK(n >= 1);
    duplicates += n > 1 ? n - 1 : 0;
  }
  CHECK(duplicates <= 20);
  CHECK(gateway.stop() == 0);
}

// --- An MO is never lost and never doubled (docs/gateway.md, "MO de-duplication and long MOs") ---

size_t mos_from(const EngineStub& engine, const std::string& from) {
  const auto mos = engine.mos();
  return static_cast<size_t>(std::count_if(mos.begin(), mos.end(), [&](const auto& mo) { return mo.from == from; }));
}

TEST_CASE("an MO whose deliver_sm_resp was lost is redelivered by the SMSC and stored once", "[gateway][integration]") {
  json config = default_sim_config();
  config["deliver_timeout_ms"] = 500;
  config["deliver_retry_ms"] = 100;
  SmscSim sim(config);
  GatewayProcess gateway(sim, "mo_reassembly_timeout_ms = 1500\n");
  gateway.start();
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));

  sim.post("/fault", {{"type", "lose_deliver_resp"}, {"count", 1}});
  sim.post("/mo", {{"from", "6281301"}, {"to", "1234"}, {"text", "BELI 14012345678 20000"}});
  REQUIRE(engine.wait_for_mos(1, 20s));
  // The second delivery of the same PDU is answered too (the SMSC stops retrying).
  REQUIRE(engine.wait_until([&] { return sim.stat("deliver_sm_acked") >= 1; }, 10s));
  CHECK(sim.stat("deliver_resp_lost") == 1);
  CHECK(sim.stat("deliver_sm_retried") == 1);
  CHECK(sim.stat("deliver_sm_failed") == 0);
  // A later, different MO arrives after the redelivery was handled: everything before it is in.
  sim.post("/mo", {{"from", "6281301"}, {"to", "1234"}, {"text", "SALDO"}});
  REQUIRE(engine.wait_for_mos(2, 20s));
  CHECK(mos_from(engine, "6281301") == 2);
  const auto mos = engine.mos();
  CHECK(mos.front().text == "BELI 14012345678 20000");
  CHECK(mos.front().idempotency_key.size() == 64);
  CHECK(mos.front().idempotency_key != mos.back().idempotency_key);
  // The repeat is passed on as an mo_repeat with the stored MO's key (the engine decides
  // whether to answer it), without the text.
  const auto repeats = engine.mo_repeats();
  REQUIRE(repeats.size() == 1);
  CHECK(repeats[0].from == "6281301");
  CHECK(repeats[0].to == "1234");
  CHECK(repeats[0].idempotency_key == mos.front().idempotency_key);

  // A long MO whose first part's answer is lost: the part comes again after the set was
  // joined, and must not open a new set (it would surface as a second, incomplete MO).
  sim.post("/fault", {{"type", "lose_deliver_resp"}, {"count", 1}});
  const std::string long_mo = "BELI 14012345678 50000 " + std::string(200, 'z');
  sim.post("/mo", {{"from", "6281302"}, {"to", "1234"}, {"text", long_mo}, {"split", "udh"}});
  REQUIRE(engine.wait_until([&] { return mos_from(engine, "6281302") >= 1; }, 20s));
  // Acked: the first MO once (its first answer was lost), SALDO, both parts (one of them on its retry).
  REQUIRE(engine.wait_until([&] { return sim.stat("deliver_sm_acked") >= 4; }, 10s));
  CHECK(sim.stat("deliver_resp_lost") == 2);
  // Nothing can be awaited for a second MO that should never come: wait out the 1.5 s
  // reassembly timeout a wrongly opened set would have, with margin.
  std::this_thread::sleep_for(2500ms);
  CHECK(mos_from(engine, "6281302") == 1);
  for (const auto& mo : engine.mos()) {
    if (mo.from != "6281302") continue;
    CHECK(mo.text == long_mo);
    CHECK(mo.parts == 2);
    CHECK_FALSE(mo.incomplete);
  }
  CHECK(engine.mo_repeats().size() == 1);  // a repeated part is never passed on
  CHECK(gateway.stop() == 0);
}

TEST_CASE("a binary MO reaches the engine as its octets; an incomplete long MO survives kill -9",
          "[gateway][integration]") {
  SmscSim sim(default_sim_config());
  GatewayProcess gateway(sim, "mo_reassembly_timeout_ms = 2000\n");
  gateway.start();
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));

  sim.post("/mo", {{"from", "6281303"}, {"to", "1234"}, {"text", "00ff1b0a7e00"}, {"encoding", "binary"}});
  REQUIRE(engine.wait_for_mos(1, 20s));
  const auto binary = engine.mos().front();
  CHECK(binary.data_coding == 4);
  CHECK(binary.user_data == std::string("\x00\xff\x1b\x0a\x7e\x00", 6));
  CHECK(binary.text.empty());

  // Parts 1 and 3 of 3 arrive and are answered; part 2 never comes. The gateway is killed
  // before the reassembly timeout: the parts are in the queue, not in its memory.
  const std::string text = std::string(153, 'a') + std::string(153, 'b') + std::string(20, 'c');
  sim.post("/mo", {{"from", "6281304"}, {"to", "1234"}, {"text", text}, {"split", "udh"}, {"drop_parts", {2}}});
  REQUIRE(engine.wait_until([&] { return sim.stat("deliver_sm_acked") >= 3; }, 10s));
  CHECK(mos_from(engine, "6281304") == 0);
  CHECK(gateway.stop(SIGKILL) == 128 + SIGKILL);
  gateway.start();
  REQUIRE(engine.wait_until([&] { return mos_from(engine, "6281304") == 1; }, 20s));
  for (const auto& mo : engine.mos()) {
    if (mo.from != "6281304") continue;
    CHECK(mo.incomplete);
    CHECK(mo.parts == 2);
    CHECK(mo.text == std::string(153, 'a') + std::string(20, 'c'));
  }
  CHECK(gateway.stop() == 0);
}

TEST_CASE("incomplete long MOs past the per-source cap are answered 0x14 and taken later", "[gateway][integration]") {
  json config = default_sim_config();
  config["deliver_retry_ms"] = 300;
  SmscSim sim(config);
  GatewayProcess gateway(sim, "mo_reassembly_timeout_ms = 1500\n", "gateway", 10, "mo_incomplete_per_source = 1\n");
  gateway.start();
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  const std::string text(300, 'q');
  sim.post("/mo", {{"from", "6281305"}, {"to", "1234"}, {"text", text}, {"split", "udh"}, {"drop_parts", {2}}});
  REQUIRE(engine.wait_until([&] { return sim.stat("deliver_sm_acked") >= 1; }, 10s));
  // A second long MO from the same sender: its part would be a second incomplete set.
  sim.post("/mo", {{"from", "6281305"}, {"to", "1234"}, {"text", text + "r"}, {"split", "udh"}, {"drop_parts", {2}}});
  REQUIRE(engine.wait_until([&] {
    for (const auto& d : sim.get("/deliveries?from=6281305")) {
      if (d.at("last_status") == 0x14) return true;
    }
    return false;
  }, 10s));
  // The first set expires (incomplete); then the SMSC's retry of the second gets in.
  REQUIRE(engine.wait_until([&] { return mos_from(engine, "6281305") == 2; }, 20s));
  for (const auto& mo : engine.mos()) {
    if (mo.from == "6281305") CHECK(mo.incomplete);
  }
  CHECK(sim.stat("deliver_sm_failed") == 0);
  CHECK(gateway.stop() == 0);
}

}  // namespace
}  // namespace pintar::testing
