// The simulated world end to end: the SMSC simulator (Node), meter_fleet and phones (C++ on
// pintar's smpp/), and this test playing the vending engine through a PeerEsme bound as the
// short code's account. Real STS tokens are made here with vending/sts for the fleet's meters.
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "meters/modem_auth.h"
#include "tests/peers/esme/peer_esme.h"
#include "tests/support/peers.h"
#include "tests/support/smsc_sim.h"
#include "vending/sts/amount.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/sta.h"
#include "vending/sts/token.h"
#include "vending/sts/token_cipher.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;

const std::string kModemKeyHex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
// DKGA02 parameters: meter_fleet derives the decoder key from them as the engine does.
const std::string kVendingKeyHex = "0123456789ABCDEF";
const sts::KeyParameters kKeyParams{.pan = "600727000000000009", .key_type = 2, .sgc = 123456, .tariff_index = 1, .krn = 1};

nlohmann::json world_config() {
  return {{"esmes",
           {{{"system_id", "engine"}, {"password", "secret"}, {"routes", {"1234"}}},
            {{"system_id", "meters"}, {"password", "secret"}, {"routes", {"628110*"}}},
            {{"system_id", "phones"}, {"password", "secret"}, {"routes", {"62812*"}}}}},
          {"deliver_timeout_ms", 2000},
          {"deliver_retry_ms", 200}};
}

nlohmann::json fleet_file() {
  return {{"meters",
           {{{"meter", "14000000001"}, {"msisdn", "6281100001"}, {"key_id", "M1"}, {"key", kModemKeyHex},
             {"vending_key", kVendingKeyHex}, {"dkga", "02"}, {"pan", kKeyParams.pan}, {"sgc", 123456}, {"ti", 1},
             {"krn", 1}, {"kt", 2}, {"credit", 1000}},
            {{"meter", "14000000002"}, {"msisdn", "6281100002"}, {"key_id", "M2"}, {"key", kModemKeyHex},
             {"decoder_key", "0ABC12DEF3456789"}}}}};
}

Secret modem_key() { return Secret::load("hex:" + kModemKeyHex).value(); }

std::string credit_token(uint32_t tid, uint64_t tenths) {
  const auto vk = sts::VendingKey::import(sts::KeyDerivation::kDkga02,
                                          std::vector<uint8_t>{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF})
                      .value();
  const auto dk = sts::derive_decoder_key(vk, kKeyParams).value();
  const auto cipher = sts::TokenCipher::create(dk, sts::StaTables::sample()).value();
  return sts::to_string(
      sts::encode_token(cipher, sts::credit_token(sts::CreditRegister::kElectricity, 5, tid, tenths).value()));
}

// This test's vending engine: sends signed commands, verifies what comes back.
class Engine {
 public:
  explicit Engine(uint16_t smsc_port)
      : esme_({.port = smsc_port, .system_id = "engine", .password = "secret", .name = "engine"},
              [this](const smpp::MoMessage& mo) {
                std::lock_guard lock(mutex_);
                received_.push_back(mo);
              }) {
    REQUIRE(keys_.add("M1", "14000000001", modem_key()).ok());
    REQUIRE(keys_.add("M2", "14000000002", modem_key()).ok());
    REQUIRE(esme_.start().ok());
    REQUIRE(esme_.wait_bound(20s));
  }

  // A TOK under key_id with the engine's next counter (or the one given).
  void send_tok(const std::string& msisdn, const std::string& key_id, uint32_t seq,
                std::vector<std::string> tokens, std::optional<uint32_t> counter = std::nullopt, bool forge = false) {
    const uint32_t c = counter ? *counter : ++counter_;
    std::string text =
        meters::sign({.key_id = key_id, .counter = c, .body = meters::TokenDelivery{seq, std::move(tokens)}},
                     modem_key())
            .value();
    if (forge) text.back() = text.back() == 'A' ? 'B' : 'A';
    REQUIRE(esme_.submit("1234", msisdn, text) != 0);
  }
  void send_text(const std::string& to, const std::string& text) { REQUIRE(esme_.submit("1234", to, text) != 0); }

  // Messages received so far (index from 0).
  size_t count() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }
  std::optional<smpp::MoMessage> wait_message(size_t index, std::chrono::milliseconds timeout = 10s) {
    if (!eventually([&] { return count() > index; }, timeout)) return std::nullopt;
    std::lock_guard lock(mutex_);
    return received_[index];
  }
  meters::Verification verify(const smpp::MoMessage& mo) { return verifier_.verify(mo.text_utf8); }
  // The next message, verified and accepted; its body.
  meters::Body next_answer(size_t index) {
    auto mo = wait_message(index);
    REQUIRE(mo.has_value());
    auto v = verify(*mo);
    INFO(v.detail);
    REQUIRE(v.verdict == meters::Verdict::kAccepted);
    return v.message->body;
  }

 private:
  meters::MemoryKeyring keys_;
  meters::MemoryReplayStore store_;
  meters::ReplayGuard guard_{store_, 64};
  meters::ModemVerifier verifier_{keys_, guard_, meters::Direction::kModemToEngine};
  std::mutex mutex_;
  std::vector<smpp::MoMessage> received_;
  uint32_t counter_ = 0;
  peers::PeerEsme esme_;  // last: stopped first, so no callback sees a destroyed member
};

TEST_CASE("meter_fleet answers signed token deliveries as a meter, through the SMSC", "[peers]") {
  SmscSim smsc(world_config());
  MeterFleet fleet(fleet_file(), smsc.smpp_port());
  Engine engine(smsc.smpp_port());
  const std::string token = credit_token(4000, 500);  // 50.0 kWh
  size_t next = 0;

  // A real credit token -> ACC with the new credit, from the modem's number to the short code.
  engine.send_tok("6281100001", "M1", 1, {token});
  auto mo = engine.wait_message(next);
  REQUIRE(mo.has_value());
  CHECK(mo->source_addr == "6281100001");
  CHECK(mo->destination_addr == "1234");
  auto body = engine.next_answer(next++);
  REQUIRE(std::holds_alternative<meters::Accepted>(body));
  CHECK(std::get<meters::Accepted>(body).seq == 1);
  CHECK(std::get<meters::Accepted>(body).credit == 1500u);
  CHECK(fleet.credit("14000000001") == 1500);
  CHECK(fleet.state("14000000001")["tokens_accepted"][0]["tid"] == 4000);

  // The same token again (a new command) -> REJ USED, credit unchanged.
  engine.send_tok("6281100001", "M1", 2, {token});
  body = engine.next_answer(next++);
  REQUIRE(std::holds_alternative<meters::Rejected>(body));
  CHECK(std::get<meters::Rejected>(body).reason == meters::MeterReason::kUsed);
  CHECK(std::get<meters::Rejected>(body).token_index == 1);
  CHECK(std::get<meters::Rejected>(body).credit == 1500u);

  // The other meter's decoder key does not take this meter's token -> REJ CRC.
  engine.send_tok("6281100002", "M2", 1, {credit_token(4001, 10)});
  body = engine.next_answer(next++);
  REQUIRE(std::holds_alternative<meters::Rejected>(body));
  CHECK(std::get<meters::Rejected>(body).reason == meters::MeterReason::kCrc);

  // A forged TOK and a replayed counter get no answer, only counters; the genuine one after
  // them is the next message the engine sees.
  engine.send_tok("6281100001", "M1", 3, {credit_token(4002, 10)}, std::nullopt, /*forge=*/true);
  REQUIRE(eventually([&] { return fleet.counter("fleet.forged") == 1; }));
  engine.send_tok("6281100001", "M1", 4, {credit_token(4003, 10)}, /*counter=*/1);
  REQUIRE(eventually([&] { return fleet.counter("fleet.replayed") == 1; }));
  engine.send_tok("6281100001", "M1", 5, {credit_token(4004, 10)});
  body = engine.next_answer(next++);
  REQUIRE(std::holds_alternative<meters::Accepted>(body));
  CHECK(std::get<meters::Accepted>(body).seq == 5);
  CHECK(std::get<meters::Accepted>(body).credit == 1510u);
  CHECK(fleet.credit("14000000001") == 1510);

  // silent: carried out, nothing sent back.
  fleet.set_behaviour("14000000001", {{"silent", true}});
  engine.send_tok("6281100001", "M1", 6, {credit_token(4005, 10)});
  REQUIRE(eventually([&] { return fleet.counter("fleet.silenced") == 1; }));
  CHECK(fleet.credit("14000000001") == 1520);

  // reject: REJ with the reason set, whatever the token.
  fleet.set_behaviour("14000000001", {{"reject", "KEY-EXPIRED"}});
  engine.send_tok("6281100001", "M1", 7, {credit_token(4006, 10)});
  body = engine.next_answer(next++);
  REQUIRE(std::holds_alternative<meters::Rejected>(body));
  CHECK(std::get<meters::Rejected>(body).seq == 7);
  CHECK(std::get<meters::Rejected>(body).reason == meters::MeterReason::kKeyExpired);
  CHECK(fleet.credit("14000000001") == 1520);

  // forge: the answer arrives but does not verify.
  fleet.set_behaviour("14000000001", {{"forge", true}});
  engine.send_tok("6281100001", "M1", 8, {credit_token(4007, 10)});
  mo = engine.wait_message(next++);
  REQUIRE(mo.has_value());
  CHECK(engine.verify(*mo).verdict == meters::Verdict::kForged);

  // duplicate (with a delay): two identical answers, the second one a replay to the engine.
  fleet.set_behaviour("14000000001", {{"duplicate", true}, {"delay_ms", 300}});
  const auto sent_at = std::chrono::steady_clock::now();
  engine.send_tok("6281100001", "M1", 9, {credit_token(4008, 10)});
  body = engine.next_answer(next++);
  CHECK(std::chrono::steady_clock::now() - sent_at >= 300ms);
  CHECK(std::get<meters::Accepted>(body).seq == 9);
  mo = engine.wait_message(next++);
  REQUIRE(mo.has_value());
  CHECK(engine.verify(*mo).verdict == meters::Verdict::kReplayed);

  // replay: the previous answer again, same counter.
  fleet.set_behaviour("14000000001", {{"replay", true}});
  engine.send_tok("6281100001", "M1", 10, {credit_token(4009, 10)});
  mo = engine.wait_message(next++);
  REQUIRE(mo.has_value());
  CHECK(engine.verify(*mo).verdict == meters::Verdict::kReplayed);

  // An event on request, signed with the modem's counter.
  fleet.set_behaviour("14000000001", nlohmann::json::object());
  fleet.event("14000000001", {{"kind", "TAMPER"}});
  body = engine.next_answer(next++);
  REQUIRE(std::holds_alternative<meters::MeterEvent>(body));
  CHECK(std::get<meters::MeterEvent>(body).kind == meters::EventKind::kTamper);

  const auto state = fleet.state("14000000001");
  CHECK(state["tokens_accepted_count"] == 6);  // 4000, 4004, 4005 (silent), 4007 (forged answer), 4008, 4009
  CHECK(fleet.counter("fleet.commands") == 9);
  CHECK(engine.count() == next);  // nothing unexpected arrived
}

// The tokens a P2APST simulator's tokens_file holds are made with `pintar sts token`; the
// simulated meter takes them. (That the simulator hands a file's tokens out in order is its
// own self-test, tests/peers/p2apst-sim/test/options.test.js.)
TEST_CASE("tokens made by pintar sts for a tokens_file are accepted by the simulated meter", "[peers]") {
  const std::string field = fmt::format("{:04X}", sts::encode_amount(100).value());  // 10.0 kWh
  nlohmann::json tokens_file = {{"14000000002", nlohmann::json::array()}};
  for (const char* tid : {"6000", "6001"}) {
    const auto made = run({pintar_binary(), "sts", "token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "0",
                           "--sub", "0", "--rnd", "1", "--tid", tid, "--field", field});
    INFO(made.err);
    REQUIRE(made.exit_status == 0);
    tokens_file["14000000002"].push_back(made.out.substr(0, made.out.find('\n')));
  }
  const std::string path = make_temp_dir("tokens-file") + "/tokens.json";
  std::ofstream(path) << tokens_file.dump();

  SmscSim smsc(world_config());
  MeterFleet fleet(fleet_file(), smsc.smpp_port());
  Engine engine(smsc.smpp_port());
  std::vector<std::string> tokens = tokens_file["14000000002"];
  engine.send_tok("6281100002", "M2", 1, tokens);
  const auto body = engine.next_answer(0);
  REQUIRE(std::holds_alternative<meters::Accepted>(body));
  CHECK(std::get<meters::Accepted>(body).credit == 200u);
  CHECK(fleet.state("14000000002")["tid_memory"] == nlohmann::json::array({0, 6000, 6001}));
}

TEST_CASE("phones send to the short code and keep what they receive", "[peers]") {
  SmscSim smsc(world_config());
  Phones phones(smsc.smpp_port());
  Engine engine(smsc.smpp_port());

  phones.send_sms("6281234567", "1234", "TOKEN 14000000001 50000 123456");
  auto mo = engine.wait_message(0);
  REQUIRE(mo.has_value());
  CHECK(mo->source_addr == "6281234567");
  CHECK(mo->text_utf8 == "TOKEN 14000000001 50000 123456");

  engine.send_text("6281234567", "Token 1234-5678: first");
  engine.send_text("6281234567", "second");
  engine.send_text("6281299999", "for someone else");
  auto second = phones.wait_for("6281234567", [](const nlohmann::json& m) { return m["text"] == "second"; });
  REQUIRE(second.has_value());
  CHECK((*second)["from"] == "1234");
  CHECK((*second)["n"] == 2);
  const auto inbox = phones.inbox("6281234567");
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[0]["text"] == "Token 1234-5678: first");
  CHECK(phones.inbox("6281234567", 1).size() == 1);
  REQUIRE(phones.wait_for("6281299999", [](const nlohmann::json&) { return true; }).has_value());
  CHECK(phones.counter("smpp.received") == 3);
  CHECK(phones.counter("smpp.submit_ok") == 1);
  CHECK_THROWS(phones.post("/sms", {{"from", "6281234567"}}));
}

}  // namespace
}  // namespace pintar::testing
