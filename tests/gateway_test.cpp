// `pintar gateway` end to end: the real daemon between the SMSC simulator
// (tests/peers/smsc-sim) and an engine stub on the ZeroMQ link (docs/gateway.md): MO and MT
// traffic, routing, binds, throttling, an SMSC's restarts and message ids. The daemon's
// life under systemd and kill -9 is gateway_daemon_test.cpp; MO de-duplication and long MOs
// gateway_mo_test.cpp.
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
#include "tests/support/gateway_process.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

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

}  // namespace
}  // namespace pintar::testing
