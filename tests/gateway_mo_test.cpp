// `pintar gateway`: an MO is never lost and never doubled (docs/gateway.md, "MO
// de-duplication and long MOs"): SMSC redeliveries, binary MOs, incomplete long MOs across
// kill -9 and past their caps.
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
