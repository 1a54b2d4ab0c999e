// smpp::Session against the independent SMSC simulator (tests/peers/smsc-sim) over real
// TCP/TLS sockets on 127.0.0.1: binds, window, throttling, status classes, faults, receipts,
// long MO/MT. Each case starts its own simulator.
// Past 500 lines on purpose: one case per behaviour of one class against one peer, sharing
// the simulator fixture at the top; split by topic when a new group of cases arrives.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "smpp/session.h"
#include "tests/support/process.h"

namespace pintar::smpp {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

class Sim {
 public:
  explicit Sim(const json& config, std::vector<std::string> extra_args = {}) {
    const std::string dir = testing::make_temp_dir("smsc-sim");
    const std::string config_path = dir + "/config.json";
    std::FILE* f = std::fopen(config_path.c_str(), "w");
    const std::string text = config.dump();
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    std::vector<std::string> argv = {"node", testing::source_path("tests/peers/smsc-sim/smsc-sim.js"), "--config",
                                     config_path};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<testing::Process>(argv);
    const auto ready = process_->wait_for_line("READY ", 20s);
    REQUIRE(ready.has_value());
    std::smatch m;
    REQUIRE(std::regex_search(*ready, m, std::regex("smpp=(\\d+) control=(\\d+)")));
    smpp_port = static_cast<uint16_t>(std::stoi(m[1]));
    control_ = std::make_unique<httplib::Client>("127.0.0.1", std::stoi(m[2]));
  }

  json get(const std::string& path) {
    auto res = control_->Get(path.c_str());
    REQUIRE(res);
    return json::parse(res->body);
  }
  json post(const std::string& path, const json& body) {
    auto res = control_->Post(path.c_str(), body.dump(), "application/json");
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
  }
  int64_t stat(const std::string& name) { return get("/stats").at(name).get<int64_t>(); }

  uint16_t smpp_port = 0;

 private:
  std::unique_ptr<testing::Process> process_;
  std::unique_ptr<httplib::Client> control_;
};

// Polls a condition on the simulator: its counters change without anything in the recorder
// being notified, so waiting on the recorder would sit out the whole timeout.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

json sim_config(json extra = json::object()) {
  json config = {{"esmes", json::array({{{"system_id", "pintar"}, {"password", "secret"}, {"routes", {"1234"}}}})}};
  config.update(extra);
  return config;
}

struct Recorder final : SessionListener {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<MoMessage> mos;
  std::vector<DeliveryReceipt> receipts;
  std::vector<std::pair<uint64_t, std::vector<std::string>>> submitted;
  std::vector<std::pair<uint64_t, uint32_t>> failed;
  std::vector<std::pair<std::string, BindState>> states;
  bool refuse_mo = false;
  bool hold_mo = false;               // keep the replies instead of answering
  std::vector<DeliverReply> held;

  void on_mo(const MoMessage& mo, DeliverReply reply) override {
    std::lock_guard lock(mutex);
    if (refuse_mo) return reply(Status::unavailable("queue full"));
    mos.push_back(mo);
    changed.notify_all();
    if (hold_mo) return held.push_back(std::move(reply));
    reply(Status());
  }
  void on_receipt(const DeliveryReceipt& receipt, DeliverReply reply) override {
    std::lock_guard lock(mutex);
    receipts.push_back(receipt);
    changed.notify_all();
    reply(Status());
  }
  void on_submitted(uint64_t id, const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex);
    submitted.emplace_back(id, ids);
    changed.notify_all();
  }
  void on_failed(uint64_t id, uint32_t command_status, const std::string&) override {
    std::lock_guard lock(mutex);
    failed.emplace_back(id, command_status);
    changed.notify_all();
  }
  void on_bind_state(const std::string& bind, BindState state, const std::string&) override {
    std::lock_guard lock(mutex);
    states.emplace_back(bind, state);
    changed.notify_all();
  }
  bool wait(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, done);
  }
  bool has_state(BindState state) {
    return std::any_of(states.begin(), states.end(), [&](const auto& s) { return s.second == state; });
  }
};

BindOptions options_for(const Sim& sim) {
  BindOptions o;
  o.name = "sim";
  o.port = sim.smpp_port;
  o.system_id = "pintar";
  o.password = Secret(std::vector<uint8_t>{'s', 'e', 'c', 'r', 'e', 't'});
  o.reconnect_min = 50ms;
  o.reconnect_max = 400ms;
  o.response_timeout = 2s;
  o.connect_timeout = 1s;
  o.throttle_pause = 100ms;
  o.retry_delay = 50ms;
  o.id_format = {IdBase::kHex, IdBase::kHex};
  return o;
}

void start_bound(Session& session, Recorder& rec) {
  REQUIRE(session.start().ok());
  REQUIRE(rec.wait([&] { return rec.has_state(BindState::kBound); }));
}

OutboundSms mt(uint64_t id, std::string text = "Token 1234-5678-9012-3456-7890", std::string to = "628120000001") {
  return OutboundSms{.id = id, .source_addr = "1234", .destination_addr = std::move(to), .text_utf8 = std::move(text),
                     .want_receipt = true};
}

TEST_CASE("bind, window of 10, submits and receipts with hex/decimal ids normalised") {
  Sim sim(sim_config({{"receipt", {{"msgid", "dec"}}}}));
  Recorder rec;
  BindOptions o = options_for(sim);
  o.id_format = {IdBase::kHex, IdBase::kDecimal};
  Session session(o, rec);
  REQUIRE(session.start().ok());
  constexpr int kCount = 40;
  for (int i = 1; i <= kCount; ++i) REQUIRE(session.submit(mt(static_cast<uint64_t>(i))));
  REQUIRE(rec.wait([&] { return rec.submitted.size() == kCount && rec.receipts.size() == kCount; }));
  std::set<std::string> submitted_ids, receipt_ids;
  {
    std::lock_guard lock(rec.mutex);
    for (size_t i = 0; i < rec.submitted.size(); ++i) {
      CHECK(rec.submitted[i].first == i + 1);  // answers in order on one bind
      submitted_ids.insert(rec.submitted[i].second.at(0));
    }
    for (const DeliveryReceipt& r : rec.receipts) {
      receipt_ids.insert(r.message_id);
      CHECK(r.state == MessageState::kDelivered);
      CHECK(r.is_final);
    }
  }
  CHECK(submitted_ids == receipt_ids);
  CHECK(session.in_flight() == 0);
  CHECK(session.counters(0).value(kCounterSubmitSm) == kCount);
  CHECK(session.counters(0).value(kCounterReceipts) == kCount);
  CHECK(eventually([&] { return sim.stat("deliver_sm_acked") == kCount; }));
  session.stop();
  CHECK(sim.stat("unbinds") == 1);
  CHECK(rec.has_state(BindState::kStopped));
}

TEST_CASE("a refused bind alerts and does not hot-loop") {
  Sim sim(sim_config());
  Recorder rec;
  BindOptions o = options_for(sim);
  o.password = Secret(std::vector<uint8_t>{'w', 'r', 'o', 'n', 'g'});
  Session session(o, rec);
  REQUIRE(session.start().ok());
  REQUIRE(rec.wait([&] { return rec.has_state(BindState::kBindFailed); }));
  std::this_thread::sleep_for(600ms);  // longer than reconnect_max
  CHECK(sim.stat("binds_failed") == 1);
  CHECK(session.counters(0).value(kCounterBindFailures) == 1);
  CHECK(session.submit(mt(1)));  // still accepted: queued until a bind succeeds
}

TEST_CASE("transmitter + receiver pair, several binds, enquire_link both ways") {
  Sim sim(sim_config({{"enquire_link_interval_ms", 100}}));
  Recorder rec;
  BindOptions o = options_for(sim);
  o.mode = BindMode::kTransmitterReceiver;
  o.binds = 2;
  o.enquire_link_interval = 150ms;
  Session session(o, rec);
  REQUIRE(session.bind_count() == 4);
  CHECK(session.bind_name(1) == "sim#0-rx");
  REQUIRE(session.start().ok());
  REQUIRE(rec.wait([&] { return std::count_if(rec.states.begin(), rec.states.end(), [](auto& s) {
                         return s.second == BindState::kBound; }) == 4; }));
  for (int i = 1; i <= 10; ++i) session.submit(mt(static_cast<uint64_t>(i)));
  REQUIRE(rec.wait([&] { return rec.submitted.size() == 10 && rec.receipts.size() == 10; }));
  CHECK(sim.get("/binds").size() == 4);
  CHECK(eventually([&] { return session.counters(1).value(kCounterEnquireLinkReceived) > 0; }, 5s));
  CHECK(eventually([&] { return sim.stat("enquire_link_resp_received") > 0; }, 5s));
  CHECK(session.counters(0).value(kCounterSubmitSm) + session.counters(2).value(kCounterSubmitSm) == 10);
  CHECK(session.counters(1).value(kCounterSubmitSm) == 0);  // receivers never submit
}

TEST_CASE("our enquire_link keeps an idle bind probed") {
  Sim sim(sim_config());
  Recorder rec;
  BindOptions o = options_for(sim);
  o.enquire_link_interval = 100ms;
  Session session(o, rec);
  REQUIRE(session.start().ok());
  // Waits for the event (two enquire_links each way at 100 ms), not a fixed sleep.
  CHECK(eventually([&] { return session.counters(0).value(kCounterEnquireLinkSent) >= 2; }, 5s));
  CHECK(eventually([&] { return sim.stat("enquire_link_received") >= 2; }, 5s));
}

TEST_CASE("0x58 pauses the bind and resubmits in order; our TPS limit avoids it") {
  Sim sim(sim_config({{"tps", 10}}));
  Recorder rec;
  BindOptions o = options_for(sim);
  SECTION("no local limit: the SMSC throttles") {
    Session session(o, rec);
    REQUIRE(session.start().ok());
    for (int i = 1; i <= 25; ++i) session.submit(mt(static_cast<uint64_t>(i), "msg " + std::to_string(i)));
    REQUIRE(rec.wait([&] { return rec.submitted.size() == 25; }, 15s));
    CHECK(sim.stat("throttled") > 0);
    CHECK(session.counters(0).value(kCounterThrottled) > 0);
    CHECK(rec.has_state(BindState::kThrottled));
  }
  SECTION("local token bucket at the operator's TPS") {
    o.tps = 10;
    Session session(o, rec);
    REQUIRE(session.start().ok());
    for (int i = 1; i <= 25; ++i) session.submit(mt(static_cast<uint64_t>(i), "msg " + std::to_string(i)));
    REQUIRE(rec.wait([&] { return rec.submitted.size() == 25; }, 15s));
    CHECK(sim.stat("throttled") == 0);
  }
  const json messages = sim.get("/messages");
  REQUIRE(messages.size() == 25);
  for (size_t i = 0; i < messages.size(); ++i) CHECK(messages[i].at("text") == "msg " + std::to_string(i + 1));
}

TEST_CASE("status classes: permanent, temporary with bounded retries, vendor table, generic_nack") {
  Sim sim(sim_config());
  Recorder rec;
  BindOptions o = options_for(sim);
  o.max_retries = 2;
  o.vendor_status = {{0x400, StatusClass::kPermanent}, {0x401, StatusClass::kTemporary},
                     {0x402, StatusClass::kThrottle}};
  Session session(o, rec);
  start_bound(session, rec);
  auto one = [&](const json& fault, uint64_t id) {
    sim.post("/fault", fault);
    session.submit(mt(id));
    REQUIRE(rec.wait([&] {
      return std::any_of(rec.submitted.begin(), rec.submitted.end(), [&](auto& s) { return s.first == id; }) ||
             std::any_of(rec.failed.begin(), rec.failed.end(), [&](auto& f) { return f.first == id; });
    }));
  };
  auto failed_with = [&](uint64_t id) -> uint32_t {
    std::lock_guard lock(rec.mutex);
    for (auto& [fid, status] : rec.failed) if (fid == id) return status;
    return 0;
  };
  one({{"type", "status"}, {"code", "0x0B"}, {"body", "nul"}}, 1);
  CHECK(failed_with(1) == 0x0B);
  one({{"type", "status"}, {"code", 1024}, {"body", "empty"}}, 2);  // vendor 0x400 -> permanent
  CHECK(failed_with(2) == 0x400);
  one({{"type", "status"}, {"code", "0x401"}, {"count", 2}, {"body", "id"}}, 3);  // temporary twice, then ok
  CHECK(failed_with(3) == 0);
  one({{"type", "status"}, {"code", "0x08"}, {"count", 3}}, 4);  // 3 temporary errors > max_retries 2
  CHECK(failed_with(4) == 0x08);
  one({{"type", "status"}, {"code", "0x402"}, {"count", 1}}, 5);  // vendor throttle -> resubmitted
  CHECK(failed_with(5) == 0);
  one({{"type", "generic_nack"}, {"code", 3}}, 6);
  CHECK(failed_with(6) == 3);
  CHECK(session.counters(0).value(kCounterGenericNackReceived) == 1);
  CHECK(session.counters(0).value(kCounterRetried) == 4);
  CHECK(session.in_flight() == 0);
}

TEST_CASE("dropped connection: reconnect with backoff, nothing lost") {
  Sim sim(sim_config({{"resp_delay_ms", 100}}));
  Recorder rec;
  Session session(options_for(sim), rec);
  REQUIRE(session.start().ok());
  for (int i = 1; i <= 20; ++i) session.submit(mt(static_cast<uint64_t>(i)));
  std::this_thread::sleep_for(150ms);
  sim.post("/fault", {{"type", "drop_connections"}});
  REQUIRE(rec.wait([&] { return rec.submitted.size() == 20; }, 15s));
  CHECK(rec.has_state(BindState::kDisconnected));
  CHECK(session.counters(0).value(kCounterReconnects) >= 1);
  CHECK(sim.stat("binds_ok") >= 1);
}

TEST_CASE("SMSC stops answering: response timeout drops the link and the MT is sent again") {
  Sim sim(sim_config());
  Recorder rec;
  BindOptions o = options_for(sim);
  o.response_timeout = 300ms;
  Session session(o, rec);
  start_bound(session, rec);
  sim.post("/fault", {{"type", "stop_answering"}, {"ms", 800}});
  session.submit(mt(1));
  REQUIRE(rec.wait([&] { return rec.submitted.size() == 1; }, 15s));
  CHECK(session.counters(0).value(kCounterResponseTimeouts) >= 1);
}

TEST_CASE("SMSC-initiated unbind is answered and the bind comes back") {
  Sim sim(sim_config());
  Recorder rec;
  Session session(options_for(sim), rec);
  start_bound(session, rec);
  sim.post("/fault", {{"type", "unbind"}});
  REQUIRE(rec.wait([&] { return rec.has_state(BindState::kDisconnected); }));
  session.submit(mt(1));
  REQUIRE(rec.wait([&] { return rec.submitted.size() == 1; }));
}

// A name server that does not answer: lookups after the first `fast` block until release()
// (30 s at most, so a failing case still ends), as getaddrinfo does through its retries.
// Held by shared_ptr: the lookup threads may outlive the test case.
struct SlowDns {
  std::mutex mutex;
  std::condition_variable changed;
  int calls = 0;
  int fast = 1;
  bool released = false;

  static LookupFn lookup(const std::shared_ptr<SlowDns>& dns) {
    return [dns](const std::string&, uint16_t port) -> Result<SocketAddress> {
      std::unique_lock lock(dns->mutex);
      const int call = ++dns->calls;
      dns->changed.notify_all();
      if (call > dns->fast) dns->changed.wait_for(lock, 30s, [&] { return dns->released; });
      return system_lookup("127.0.0.1", port);
    };
  }
  bool wait_calls(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return calls >= n; });
  }
  int call_count() {
    std::lock_guard lock(mutex);
    return calls;
  }
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    changed.notify_all();
  }
};

TEST_CASE("a name lookup hanging for one bind does not stall the bound one") {
  // The account allows one bind: the second is refused and retried, and its lookup hangs.
  Sim sim(sim_config(
      {{"esmes", json::array({{{"system_id", "pintar"}, {"password", "secret"}, {"routes", {"1234"}}, {"max_binds", 1}}})}}));
  Recorder rec;
  BindOptions o = options_for(sim);
  o.host = "smsc.invalid";  // resolved by the SlowDns only
  o.binds = 2;
  o.bind_failure_retry = 100ms;
  auto dns = std::make_shared<SlowDns>();
  Session session(o, rec, Clock::real(), SlowDns::lookup(dns));
  REQUIRE(session.start().ok());
  REQUIRE(rec.wait([&] { return rec.has_state(BindState::kBound); }));
  REQUIRE(dns->wait_calls(2));  // the other bind's lookup is hanging now
  for (uint64_t id = 1; id <= 5; ++id) session.submit(mt(id));
  CHECK(rec.wait([&] { return rec.submitted.size() == 5; }, 5s));
  CHECK(dns->call_count() == 2);
  dns->release();
  session.stop();
}

TEST_CASE("a lookup slower than connect_timeout fails the connect; the retries wait on the same lookup") {
  Sim sim(sim_config());
  Recorder rec;
  BindOptions o = options_for(sim);
  o.host = "smsc.invalid";
  o.connect_timeout = 200ms;
  o.reconnect_max = 100ms;
  auto dns = std::make_shared<SlowDns>();
  dns->fast = 0;
  Session session(o, rec, Clock::real(), SlowDns::lookup(dns));
  REQUIRE(session.start().ok());
  REQUIRE(rec.wait([&] {
    return std::count_if(rec.states.begin(), rec.states.end(),
                         [](const auto& s) { return s.second == BindState::kDisconnected; }) >= 3;
  }));
  CHECK(dns->call_count() == 1);  // three attempts gave up; one lookup thread, not three
  CHECK(session.counters(0).value(kCounterConnects) == 0);
  dns->release();  // DNS answers again: the bind comes up
  REQUIRE(rec.wait([&] { return rec.has_state(BindState::kBound); }));
  session.submit(mt(1));
  CHECK(rec.wait([&] { return rec.submitted.size() == 1; }));
}

TEST_CASE("MO: plain, 30 small TLVs, 1500-octet TLV, long UDH/sar/payload, UCS-2, DCS 1") {
  Sim sim(sim_config());
  Recorder rec;
  Session session(options_for(sim), rec);
  start_bound(session, rec);
  const std::string long_text(400, 'x');
  const std::string cyrillic = "Привет, это длинное сообщение на русском языке, которое не помещается в одну часть";
  sim.post("/fault", {{"type", "extra_tlvs"}, {"count", 1},
                      {"tlvs", {{{"tag", "0x1400"}, {"hex", "01"}, {"repeat", 30}}, {{"tag", "0x1401"}, {"length", 1500}}}}});
  sim.post("/mo", {{"from", "6281111"}, {"to", "1234"}, {"text", "TOKEN 5000 {ok}"}});
  sim.post("/mo", {{"from", "6281112"}, {"to", "1234"}, {"text", long_text}, {"split", "udh"}, {"reorder", true}});
  sim.post("/mo", {{"from", "6281113"}, {"to", "1234"}, {"text", cyrillic}, {"encoding", "ucs2"}, {"split", "sar"}});
  sim.post("/mo", {{"from", "6281114"}, {"to", "1234"}, {"text", long_text}, {"split", "payload"}});
  sim.post("/mo", {{"from", "6281115"}, {"to", "1234"}, {"text", "Café"}, {"encoding", "latin1"}});
  REQUIRE(rec.wait([&] { return rec.mos.size() == 5; }));
  std::map<std::string, MoMessage> by_source;
  {
    std::lock_guard lock(rec.mutex);
    for (const MoMessage& mo : rec.mos) by_source[mo.source_addr] = mo;
  }
  CHECK(by_source["6281111"].text_utf8 == "TOKEN 5000 {ok}");
  CHECK(by_source["6281112"].text_utf8 == long_text);
  CHECK(by_source["6281112"].parts == 3);
  CHECK(by_source["6281113"].text_utf8 == cyrillic);
  CHECK(by_source["6281114"].text_utf8 == long_text);
  CHECK(by_source["6281115"].text_utf8 == "Café");
  REQUIRE(eventually([&] { return sim.stat("deliver_sm_acked") == 8; }));
  CHECK(sim.stat("deliver_sm_failed") == 0);
}

TEST_CASE("MO with a missing part is delivered incomplete after the timeout; refused MO is retried") {
  Sim sim(sim_config({{"deliver_retry_ms", 100}}));
  Recorder rec;
  BindOptions o = options_for(sim);
  o.mo_reassembly_timeout = 300ms;
  Session session(o, rec);
  start_bound(session, rec);
  sim.post("/mo", {{"from", "6281116"}, {"to", "1234"}, {"text", std::string(400, 'y')}, {"split", "udh"},
                   {"drop_parts", {2}}});
  REQUIRE(rec.wait([&] { return rec.mos.size() == 1; }));
  CHECK(rec.mos[0].incomplete);
  CHECK(rec.mos[0].parts == 2);
  CHECK(session.counters(0).value(kCounterMoIncomplete) == 1);
  {
    std::lock_guard lock(rec.mutex);
    rec.refuse_mo = true;
  }
  sim.post("/mo", {{"from", "6281117"}, {"to", "1234"}, {"text", "again"}});
  REQUIRE(eventually([&] { return sim.stat("deliver_sm_retried") >= 1; }));
  {
    std::lock_guard lock(rec.mutex);
    rec.refuse_mo = false;
  }
  REQUIRE(rec.wait([&] { return rec.mos.size() == 2; }));
  CHECK(rec.mos[1].text_utf8 == "again");
  CHECK(session.counters(0).value(kCounterDeliverRefused) >= 1);
}

TEST_CASE("a delivery is answered when the listener replies, from any thread; a dropped reply is 0x64") {
  Sim sim(sim_config({{"deliver_retry_ms", 100}}));
  Recorder rec;
  Session session(options_for(sim), rec);
  start_bound(session, rec);
  {
    std::lock_guard lock(rec.mutex);
    rec.hold_mo = true;
  }
  sim.post("/mo", {{"from", "6281118"}, {"to", "1234"}, {"text", "durable later"}});
  REQUIRE(rec.wait([&] { return rec.held.size() == 1; }));
  std::this_thread::sleep_for(300ms);
  CHECK(sim.stat("deliver_sm_acked") == 0);  // the SMSC still holds it
  DeliverReply reply = [&] {
    std::lock_guard lock(rec.mutex);
    DeliverReply taken = rec.held.front();
    rec.held.clear();
    return taken;
  }();
  std::thread([reply] { reply(Status()); reply(Status::unavailable("a second answer is ignored")); }).join();
  REQUIRE(eventually([&] { return sim.stat("deliver_sm_acked") == 1; }));
  CHECK(session.counters(0).value(kCounterDeliverRefused) == 0);

  // Every copy of a reply destroyed unanswered: the SMSC is told 0x64 and delivers it again.
  sim.post("/mo", {{"from", "6281119"}, {"to", "1234"}, {"text", "dropped once"}});
  REQUIRE(rec.wait([&] { return rec.held.size() == 1; }));
  {
    std::lock_guard lock(rec.mutex);
    rec.hold_mo = false;
    rec.held.clear();
  }
  REQUIRE(eventually([&] { return sim.stat("deliver_sm_acked") == 2; }));
  CHECK(sim.stat("deliver_sm_retried") >= 1);
  CHECK(session.counters(0).value(kCounterDeliverRefused) == 1);
  std::lock_guard lock(rec.mutex);
  REQUIRE(rec.mos.size() == 3);
  CHECK(rec.mos[1].text_utf8 == "dropped once");
  CHECK(rec.mos[2].text_utf8 == "dropped once");
}

TEST_CASE("long MT is split with UDH; UCS-2 chosen when GSM cannot carry the text") {
  Sim sim(sim_config());
  Recorder rec;
  Session session(options_for(sim), rec);
  REQUIRE(session.start().ok());
  const std::string long_text(300, 'z');
  session.submit(mt(1, long_text, "628120000002"));
  session.submit(mt(2, "Saldo Anda: 50.000 ₹ — terima kasih", "628120000003"));
  REQUIRE(rec.wait([&] { return rec.submitted.size() == 2; }));
  CHECK(rec.submitted[0].second.size() == 2);
  const json parts = sim.get("/messages?to=628120000002");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].at("concat").at("total") == 2);
  CHECK(parts[0].at("esm_class") == 0x40);
  const json ucs2 = sim.get("/messages?to=628120000003");
  REQUIRE(ucs2.size() == 1);
  CHECK(ucs2[0].at("data_coding") == 8);
  CHECK(ucs2[0].at("text") == "Saldo Anda: 50.000 ₹ — terima kasih");
}

TEST_CASE("raw garbage from the SMSC: unknown command answered, bad length drops the link") {
  Sim sim(sim_config());
  Recorder rec;
  Session session(options_for(sim), rec);
  start_bound(session, rec);
  sim.post("/fault", {{"type", "raw"}, {"hex", "00000010000002000000000000000063"}});
  REQUIRE(eventually([&] { return sim.stat("generic_nack_received") == 1; }));
  sim.post("/fault", {{"type", "raw"}, {"hex", "7FFFFFFF000000050000000000000064"}});
  REQUIRE(rec.wait([&] { return rec.has_state(BindState::kDisconnected); }));
  CHECK(session.counters(0).value(kCounterMalformed) == 2);
}

TEST_CASE("SMPP over TLS with the server certificate verified") {
  const std::string dir = testing::make_temp_dir("smpp-tls");
  const auto made = testing::run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                  "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                  "-days", "1", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"});
  REQUIRE(made.exit_status == 0);
  Sim sim(sim_config(), {"--tls-key", dir + "/key.pem", "--tls-cert", dir + "/cert.pem"});
  Recorder rec;
  BindOptions o = options_for(sim);
  o.tls = true;
  o.tls_ca_file = dir + "/cert.pem";
  Session session(o, rec);
  REQUIRE(session.start().ok());
  for (int i = 1; i <= 5; ++i) session.submit(mt(static_cast<uint64_t>(i)));
  REQUIRE(rec.wait([&] { return rec.submitted.size() == 5 && rec.receipts.size() == 5; }));
  session.stop();
  CHECK(sim.stat("unbinds") == 1);

  Recorder untrusted;
  o.tls_ca_file.clear();  // the system store does not know the throwaway certificate
  Session refused(o, untrusted);
  REQUIRE(refused.start().ok());
  REQUIRE(untrusted.wait([&] { return untrusted.has_state(BindState::kDisconnected); }));
  CHECK(sim.stat("binds_ok") == 1);
}

}  // namespace
}  // namespace pintar::smpp
