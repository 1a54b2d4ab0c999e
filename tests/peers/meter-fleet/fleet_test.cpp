#include "tests/peers/meter-fleet/fleet.h"

#include <catch2/catch.hpp>

#include "meters/modem_auth.h"
#include "vending/sts/sta.h"
#include "vending/sts/token.h"
#include "vending/sts/token_cipher.h"

namespace pintar::peers {
namespace {

constexpr std::string_view kDecoderKey = "0ABC12DEF3456789";
const std::string kModemKeyHex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";

nlohmann::json fleet_json() {
  return {{"meters",
           {{{"meter", "14012345678"},
             {"msisdn", "6281100001"},
             {"key_id", "M1400001"},
             {"key", kModemKeyHex},
             {"decoder_key", kDecoderKey},
             {"credit", 100}}}}};
}

std::unique_ptr<Fleet> make_fleet() {
  auto specs = parse_fleet(fleet_json());
  INFO(specs.status().to_string());
  REQUIRE(specs.ok());
  auto fleet = Fleet::create(std::move(*specs), 0);
  REQUIRE(fleet.ok());
  return std::move(*fleet);
}

Secret modem_key() { return Secret::load("hex:" + kModemKeyHex).value(); }

std::string credit_token(uint32_t tid, uint64_t tenths) {
  auto key = sts::DecoderKey::from_hex(sts::EncryptionAlgorithm::kEa07, kDecoderKey).value();
  auto cipher = sts::TokenCipher::create(key, sts::StaTables::sample()).value();
  return sts::to_string(
      sts::encode_token(cipher, sts::credit_token(sts::CreditRegister::kElectricity, 3, tid, tenths).value()));
}

std::string tok(uint32_t counter, uint32_t seq, std::vector<std::string> tokens) {
  meters::Message m{.key_id = "M1400001", .counter = counter, .body = meters::TokenDelivery{seq, std::move(tokens)}};
  return meters::sign(m, modem_key()).value();
}

// The one answer, verified as the engine would (modem->engine, its own replay state).
struct Engine {
  meters::MemoryKeyring keys;
  meters::MemoryReplayStore store;
  meters::ReplayGuard guard{store, 64};
  meters::ModemVerifier verifier{keys, guard, meters::Direction::kModemToEngine};
  Engine() { REQUIRE(keys.add("M1400001", "14012345678", modem_key()).ok()); }
  meters::Verification read(const std::vector<Outgoing>& out) {
    REQUIRE(out.size() == 1);
    CHECK(out[0].from == "6281100001");
    CHECK(out[0].to == "1234");
    return verifier.verify(out[0].text);
  }
};

TEST_CASE("a credit token is applied once: ACC with the credit, then REJ USED", "[fleet]") {
  auto fleet = make_fleet();
  Engine engine;
  const std::string token = credit_token(1000, 500);
  auto first = engine.read(fleet->on_sms("1234", "6281100001", tok(1, 7, {token})));
  REQUIRE(first.verdict == meters::Verdict::kAccepted);
  const auto& acc = std::get<meters::Accepted>(first.message->body);
  CHECK(acc.seq == 7);
  CHECK(acc.credit == 600u);

  auto second = engine.read(fleet->on_sms("1234", "6281100001", tok(2, 8, {token})));
  REQUIRE(second.verdict == meters::Verdict::kAccepted);
  const auto& rej = std::get<meters::Rejected>(second.message->body);
  CHECK(rej.seq == 8);
  CHECK(rej.reason == meters::MeterReason::kUsed);
  CHECK(rej.token_index == 1);
  CHECK(rej.credit == 600u);

  const auto state = fleet->state("14012345678").value();
  CHECK(state["credit"] == 600);
  CHECK(state["tokens_accepted_count"] == 1);
  CHECK(state["tokens_accepted"][0]["tid"] == 1000);
  CHECK(state["rejections"][0]["reason"] == "USED");
  CHECK(state["answers_sent"] == 2);
}

TEST_CASE("a resent command (same S) is answered from memory, tokens not entered again", "[fleet]") {
  auto fleet = make_fleet();
  Engine engine;
  const std::string token = credit_token(1000, 5);
  REQUIRE(engine.read(fleet->on_sms("1234", "6281100001", tok(1, 7, {token}))).verdict == meters::Verdict::kAccepted);
  auto again = engine.read(fleet->on_sms("1234", "6281100001", tok(2, 7, {token})));
  REQUIRE(again.verdict == meters::Verdict::kAccepted);
  CHECK(std::holds_alternative<meters::Accepted>(again.message->body));  // not REJ USED
  CHECK(fleet->counters()["fleet.answered_from_memory"] == 1);
  CHECK(fleet->counters()["fleet.tokens_entered"] == 1);
}

TEST_CASE("forged, replayed, malformed and misaddressed commands get no answer and are counted", "[fleet]") {
  auto fleet = make_fleet();
  std::string forged = tok(1, 7, {credit_token(1000, 5)});
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CHECK(fleet->on_sms("1234", "6281100001", forged).empty());
  CHECK(fleet->counters()["fleet.forged"] == 1);
  CHECK(fleet->counters()["modem.forged"] == 1);

  REQUIRE(fleet->on_sms("1234", "6281100001", tok(5, 7, {credit_token(1000, 5)})).size() == 1);
  CHECK(fleet->on_sms("1234", "6281100001", tok(5, 8, {credit_token(1001, 5)})).empty());  // counter reused
  CHECK(fleet->on_sms("1234", "6281100001", tok(4, 9, {credit_token(1002, 5)})).empty());  // older (window 0)
  CHECK(fleet->counters()["fleet.replayed"] == 2);
  CHECK(fleet->on_sms("1234", "6281100001", "TOKEN 14012345678 50000").empty());
  CHECK(fleet->counters()["fleet.malformed"] == 1);
  CHECK(fleet->on_sms("1234", "6281199999", tok(6, 9, {credit_token(1002, 5)})).empty());
  CHECK(fleet->counters()["fleet.no_such_modem"] == 1);
  CHECK(fleet->state("14012345678").value()["credit"] == 105);  // only the genuine one
}

TEST_CASE("behaviours: silent, reject, forge, replay, duplicate, delay", "[fleet]") {
  auto fleet = make_fleet();
  Engine engine;
  uint32_t c = 0, seq = 0, tid = 2000;
  const auto send = [&](uint64_t tenths = 1) {
    return fleet->on_sms("1234", "6281100001", tok(++c, ++seq, {credit_token(++tid, tenths)}));
  };

  REQUIRE(fleet->set_behaviour("14012345678", parse_behaviour({{"silent", true}}).value()).ok());
  CHECK(send().empty());
  CHECK(fleet->state("14012345678").value()["credit"] == 101);  // carried out, answer lost

  REQUIRE(fleet->set_behaviour("14012345678", parse_behaviour({{"reject", "OVER-LIMIT"}}).value()).ok());
  auto rejected = engine.read(send());
  REQUIRE(rejected.verdict == meters::Verdict::kAccepted);
  CHECK(std::get<meters::Rejected>(rejected.message->body).reason == meters::MeterReason::kOverLimit);
  CHECK(fleet->state("14012345678").value()["credit"] == 101);

  REQUIRE(fleet->set_behaviour("14012345678", parse_behaviour({{"forge", true}}).value()).ok());
  CHECK(engine.read(send()).verdict == meters::Verdict::kForged);

  REQUIRE(fleet->set_behaviour("14012345678", parse_behaviour(nlohmann::json::object()).value()).ok());
  const auto good = send();
  CHECK(engine.read(good).verdict == meters::Verdict::kAccepted);
  REQUIRE(fleet->set_behaviour("14012345678", parse_behaviour({{"replay", true}}).value()).ok());
  const auto replayed = send();
  REQUIRE(replayed.size() == 1);
  CHECK(replayed[0].text == good[0].text);
  CHECK(engine.read(replayed).verdict == meters::Verdict::kReplayed);

  REQUIRE(fleet->set_behaviour("14012345678", parse_behaviour({{"duplicate", true}, {"delay_ms", 250}}).value()).ok());
  const auto twice = send();
  REQUIRE(twice.size() == 2);
  CHECK(twice[0].text == twice[1].text);
  CHECK(twice[0].delay_ms == 250);

  CHECK_FALSE(parse_behaviour({{"reject", "NOPE"}}).ok());
  CHECK_FALSE(parse_behaviour({{"loud", true}}).ok());
  CHECK(fleet->set_behaviour("999", Behaviour{}).code() == StatusCode::kNotFound);
}

TEST_CASE("events are signed with the modem's counter", "[fleet]") {
  auto fleet = make_fleet();
  Engine engine;
  auto event = fleet->event("14012345678", {{"kind", "LOW-CREDIT"}});
  REQUIRE(event.ok());
  auto read = engine.read({*event});
  REQUIRE(read.verdict == meters::Verdict::kAccepted);
  const auto& evt = std::get<meters::MeterEvent>(read.message->body);
  CHECK(evt.kind == meters::EventKind::kLowCredit);
  CHECK(evt.credit == 100u);
  CHECK(evt.event_no == 1);
  CHECK_FALSE(fleet->event("14012345678", {{"kind", "EXPLODED"}}).ok());
  CHECK_FALSE(fleet->event("14012345678", {{"kind", "RELAY"}}).ok());  // RL and W required
}

TEST_CASE("the decoder key derived from the vending key", "[fleet]") {
  nlohmann::json json = fleet_json();
  json["meters"][0].erase("decoder_key");
  // The IEC 62055-41 DKGA02 example parameters (as decoder_key_test.cpp uses them).
  json["meters"][0].update({{"vending_key", "0123456789ABCDEF"}, {"dkga", "02"}, {"pan", "600727000000000009"},
                            {"sgc", 123456}, {"ti", 1}, {"krn", 1}, {"kt", 2}});
  auto specs = parse_fleet(json);
  REQUIRE(specs.ok());
  sts::VendingKey vk = sts::VendingKey::import(sts::KeyDerivation::kDkga02,
                                               std::vector<uint8_t>{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF})
                           .value();
  auto expected = sts::derive_decoder_key(vk, {.pan = "600727000000000009", .key_type = 2, .sgc = 123456,
                                               .tariff_index = 1, .krn = 1});
  REQUIRE(expected.ok());
  CHECK((*specs)[0].sts.key == *expected);

  json["meters"][0].erase("vending_key");
  CHECK_FALSE(parse_fleet(json).ok());
  CHECK_FALSE(parse_fleet({{"meters", {{{"meter", "1"}}}}}).ok());
}

}  // namespace
}  // namespace pintar::peers
