#include "vending/engine/modem_link.h"

#include <chrono>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "vending/engine/tokens_test_support.h"
#include "vending/sts/meter.h"
#include "vending/sts/tid.h"

namespace pintar::engine {
namespace {

using testing::import;
using testing::open_ledger_at;
using testing::subscriber;
using testing::view_of;

// The key of meters/modem_auth_test.cpp and docs/modem-protocol.md's examples, and another.
constexpr std::string_view kKeyHex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
constexpr std::string_view kOtherKeyHex = "FF0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
constexpr std::string_view kToken = "51043465443420856213";

Secret key(std::string_view hex) { return Secret(hex_decode(hex).value()); }

// The modem of one meter: its key, its own replay state of what the engine sends (strict,
// window 0, as a modem may), and its send counter.
struct Modem {
  explicit Modem(const store::SubscriberRecord& record, std::string_view key_hex)
      : key_id(record.modem.key_id), msisdn(record.modem.msisdn) {
    REQUIRE(keys.add(key_id, record.meter.meter_no, key(key_hex)).ok());
  }
  std::string key_id;
  std::string msisdn;
  meters::MemoryKeyring keys;
  meters::MemoryReplayStore replay;
  meters::ReplayGuard guard{replay, 0};
  meters::ModemVerifier verifier{keys, guard, meters::Direction::kEngineToModem};
  uint32_t counter = 0;

  std::string answer(meters::Body body) {
    return meters::sign(meters::Message{key_id, ++counter, std::move(body)}, keys.find(key_id).value().key).value();
  }
};

struct World {
  std::string dir = store::testing::make_temp_dir();
  std::string path = dir + "/ledger.db";
  std::unique_ptr<store::Ledger> ledger = open_ledger_at(path);
  store::SubscriberRecord one = subscriber(1);
  store::SubscriberRecord two = subscriber(2);
  meters::MemoryKeyring keys;  // the engine's
  Modem modem_one{one, kKeyHex};
  Modem modem_two{two, kOtherKeyHex};
  World() {
    import(*ledger, {one, two});
    REQUIRE(keys.add(one.modem.key_id, one.meter.meter_no, key(kKeyHex)).ok());
    REQUIRE(keys.add(two.modem.key_id, two.meter.meter_no, key(kOtherKeyHex)).ok());
  }
};

meters::Accepted acc(uint32_t seq, uint64_t credit) {
  return meters::Accepted{.seq = seq, .credit = credit, .power_limit_watts = std::nullopt, .relay = std::nullopt};
}

TEST_CASE("a token delivery is signed for the meter's modem, under a new counter each time", "[engine][modem]") {
  World world;
  ModemLink link(*world.ledger, world.keys, 64);
  const store::SubscriberView view = view_of(*world.ledger, world.one);
  const IssuedTokens tokens{.key_change_tokens = {"12345678901234567890", "09876543210987654321"},
                            .credit_token = std::string(kToken),
                            .tid = 42};
  const std::string text = link.token_delivery(view, 7, tokens).value();
  CHECK(text.starts_with("PM1 TOK K=M1400001 C=1 S=7 T=12345678901234567890,09876543210987654321,51043465443420856213 M="));
  const meters::Verification at_modem = world.modem_one.verifier.verify(text);
  REQUIRE(at_modem.verdict == meters::Verdict::kAccepted);
  const auto& delivery = std::get<meters::TokenDelivery>(at_modem.message->body);
  CHECK(delivery.seq == 7);
  CHECK(delivery.tokens == std::vector<std::string>{"12345678901234567890", "09876543210987654321", std::string(kToken)});

  // A resend: same S, next counter; the modem takes it, and refuses the first text again.
  const std::string resend = link.token_delivery(view, 7, tokens).value();
  CHECK_THAT(resend, Catch::Contains(" C=2 S=7 "));
  CHECK(world.modem_one.verifier.verify(resend).verdict == meters::Verdict::kAccepted);
  CHECK(world.modem_one.verifier.verify(text).verdict == meters::Verdict::kReplayed);

  // The other modem's key does not verify it (another meter's modem could not take it).
  CHECK(world.modem_two.verifier.verify(text).verdict == meters::Verdict::kUnknownModem);

  // The send counter is in the ledger: a restarted engine (a new Ledger, a new link) goes on.
  world.ledger.reset();
  auto reopened = open_ledger_at(world.path);
  ModemLink after(*reopened, world.keys, 64);
  const std::string third = after.token_delivery(view, 8, {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 43}).value();
  CHECK_THAT(third, Catch::Contains(" C=3 S=8 "));
  CHECK(world.modem_one.verifier.verify(third).verdict == meters::Verdict::kAccepted);
  CHECK(after.counters().value(kModemCommandsSigned) == 1);
}

TEST_CASE("what cannot be delivered is refused before a counter is spent", "[engine][modem]") {
  World world;
  ModemLink link(*world.ledger, world.keys, 64);
  const store::SubscriberView view = view_of(*world.ledger, world.one);
  IssuedTokens five{.key_change_tokens = {"11111111111111111111", "22222222222222222222", "33333333333333333333",
                                          "44444444444444444444"},
                    .credit_token = std::string(kToken),
                    .tid = 1};
  CHECK(link.token_delivery(view, 1, five).status().code() == StatusCode::kInvalidArgument);  // an EA11 key change
  CHECK(link.token_delivery(view, 0, {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 1})
            .status()
            .code() == StatusCode::kInvalidArgument);  // S starts at 1
  CHECK(link.token_delivery(view, 1, {.key_change_tokens = {}, .credit_token = "5104", .tid = 1}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(link.sign_command(view, acc(1, 0)).status().code() == StatusCode::kInvalidArgument);

  // A modem whose key the keyring lacks, or a key that belongs to another meter.
  store::SubscriberView stranger = view;
  stranger.modem.key_id = "M1499999";
  CHECK(link.token_delivery(stranger, 1, {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 1})
            .status()
            .code() == StatusCode::kNotFound);
  store::SubscriberView crossed = view;
  crossed.modem.key_id = world.two.modem.key_id;
  CHECK(link.token_delivery(crossed, 1, {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 1})
            .status()
            .code() == StatusCode::kFailedPrecondition);
  CHECK(link.counters().value(kModemSignFailures) == 6);

  // None of that spent a counter.
  const std::string text =
      link.token_delivery(view, 1, {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 1}).value();
  CHECK_THAT(text, Catch::Contains(" C=1 "));
  // Other commands too: a reading request.
  CHECK_THAT(link.sign_command(view, meters::ReadingRequest{.seq = 2}).value(),
             Catch::StartsWith("PM1 RDQ K=M1400001 C=2 S=2 M="));
}

TEST_CASE("a modem's answer is taken once; forged, replayed, unknown and malformed ones are not", "[engine][modem]") {
  World world;
  ModemLink link(*world.ledger, world.keys, 64);
  Modem& modem = world.modem_one;
  const std::string answer = modem.answer(acc(7, 1234));

  const ModemInbound first = link.receive(modem.msisdn, answer);
  REQUIRE(first.verdict == ModemInbound::Verdict::kOk);
  REQUIRE(first.subscriber.has_value());
  CHECK(first.subscriber->meter.meter_no == world.one.meter.meter_no);
  REQUIRE(first.message.has_value());
  CHECK(std::get<meters::Accepted>(first.message->body) == acc(7, 1234));
  CHECK_THAT(first.detail, Catch::Contains("ACC"));
  CHECK_THAT(first.detail, !Catch::Contains("M="));

  const ModemInbound again = link.receive(modem.msisdn, answer);
  CHECK(again.verdict == ModemInbound::Verdict::kReplayed);
  CHECK_FALSE(again.message.has_value());
  CHECK(again.subscriber->meter.meter_no == world.one.meter.meter_no);

  // A changed field (the credit) under the old MAC; a MAC made with the other modem's key.
  std::string changed = modem.answer(acc(7, 1234));
  changed.replace(changed.find("CR=1234"), 7, "CR=9234");
  CHECK(link.receive(modem.msisdn, changed).verdict == ModemInbound::Verdict::kForged);
  const std::string wrong_key = meters::sign(meters::Message{modem.key_id, 50, acc(7, 1234)}, key(kOtherKeyHex)).value();
  const ModemInbound forged = link.receive(modem.msisdn, wrong_key);
  CHECK(forged.verdict == ModemInbound::Verdict::kForged);
  CHECK_FALSE(forged.message.has_value());
  // ...which did not move the window: counter 50, genuinely signed, is still fresh.
  const std::string genuine_50 = meters::sign(meters::Message{modem.key_id, 50, acc(8, 1)}, key(kKeyHex)).value();
  CHECK(link.receive(modem.msisdn, genuine_50).verdict == ModemInbound::Verdict::kOk);

  // Overtaken within the window: counter 40 after 50 is taken once.
  const std::string late_40 = meters::sign(meters::Message{modem.key_id, 40, acc(9, 1)}, key(kKeyHex)).value();
  CHECK(link.receive(modem.msisdn, late_40).verdict == ModemInbound::Verdict::kOk);
  CHECK(link.receive(modem.msisdn, late_40).verdict == ModemInbound::Verdict::kReplayed);

  // Not a modem's number; a key id no key has; not protocol text; a command reflected back.
  const ModemInbound stranger = link.receive("6289999999999", modem.answer(acc(7, 1)));
  CHECK(stranger.verdict == ModemInbound::Verdict::kUnknownModem);
  CHECK_FALSE(stranger.subscriber.has_value());
  CHECK_THAT(stranger.detail, !Catch::Contains("6289999999999"));
  const std::string unknown_key = meters::sign(meters::Message{"M1499999", 1, acc(7, 1)}, key(kKeyHex)).value();
  CHECK(link.receive(modem.msisdn, unknown_key).verdict == ModemInbound::Verdict::kUnknownModem);
  const ModemInbound malformed = link.receive(modem.msisdn, "PM1 ACC K=M1400001 C=x S=7 M=AAAAAAAAAAAAAAAA");
  CHECK(malformed.verdict == ModemInbound::Verdict::kMalformed);
  CHECK(malformed.subscriber->meter.meter_no == world.one.meter.meter_no);  // by the sender number
  CHECK(link.receive(modem.msisdn, "TOKEN 14000000001 50000 123456").verdict == ModemInbound::Verdict::kMalformed);
  const std::string reflected = link.token_delivery(view_of(*world.ledger, world.one), 3,
                                                    {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 1})
                                    .value();
  CHECK(link.receive(modem.msisdn, reflected).verdict == ModemInbound::Verdict::kMalformed);

  using meters::Verdict;
  const auto& auth = link.auth_counters();
  CHECK(auth.value(Verdict::kAccepted) == 3);
  CHECK(auth.value(Verdict::kReplayed) == 2);
  CHECK(auth.value(Verdict::kForged) == 2);
  CHECK(auth.value(Verdict::kUnknownModem) == 1);
  CHECK(auth.value(Verdict::kMalformed) == 3);
  CHECK(link.counters().value(kModemUnknownSender) == 1);

  SECTION("the replay window survives reopening the ledger, and binds a second engine process") {
    world.ledger.reset();
    auto reopened = open_ledger_at(world.path);
    auto second = open_ledger_at(world.path);
    ModemLink after(*reopened, world.keys, 64);
    ModemLink other(*second, world.keys, 64);
    CHECK(after.receive(modem.msisdn, answer).verdict == ModemInbound::Verdict::kReplayed);
    CHECK(other.receive(modem.msisdn, genuine_50).verdict == ModemInbound::Verdict::kReplayed);
    const std::string next = modem.answer(acc(10, 5));  // counter 4: never seen, inside the window below 50
    const ModemInbound taken = after.receive(modem.msisdn, next);
    CHECK(taken.verdict == ModemInbound::Verdict::kOk);
    CHECK(other.receive(modem.msisdn, next).verdict == ModemInbound::Verdict::kReplayed);
  }
}

TEST_CASE("identity is the key's: another meter's key from this modem's number is that meter's", "[engine][modem]") {
  World world;
  ModemLink link(*world.ledger, world.keys, 64);
  const ModemInbound inbound = link.receive(world.modem_one.msisdn, world.modem_two.answer(acc(3, 10)));
  REQUIRE(inbound.verdict == ModemInbound::Verdict::kOk);
  CHECK(inbound.subscriber->meter.meter_no == world.two.meter.meter_no);
  CHECK_THAT(inbound.detail, Catch::Contains("not of the sender's meter"));
  CHECK(link.counters().value(kModemSenderMismatch) == 1);
  CHECK(link.is_modem(world.modem_one.msisdn));
  CHECK(link.is_modem(world.modem_two.msisdn));
  CHECK_FALSE(link.is_modem(world.one.subscription.msisdn));  // a customer's phone
  CHECK_FALSE(link.is_modem("6289999999999"));
}

TEST_CASE("concurrent signers on two ledgers never share a counter", "[engine][modem]") {
  World world;
  auto second = open_ledger_at(world.path);
  ModemLink a(*world.ledger, world.keys, 64);
  ModemLink b(*second, world.keys, 64);
  const store::SubscriberView view = view_of(*world.ledger, world.one);
  constexpr int kEach = 30;
  std::vector<std::string> texts[4];
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      ModemLink& link = t % 2 == 0 ? a : b;
      for (int i = 0; i < kEach; ++i) {
        auto text = link.token_delivery(view, static_cast<uint32_t>(t * 100 + i + 1),
                                        {.key_change_tokens = {}, .credit_token = std::string(kToken), .tid = 1});
        if (text.ok()) texts[t].push_back(*text);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<uint32_t> counters;
  for (const auto& list : texts) {
    REQUIRE(list.size() == kEach);
    for (const auto& text : list) counters.insert(meters::decode(text).value().message.counter);
  }
  CHECK(counters.size() == 4 * kEach);
  CHECK(*counters.rbegin() == 4 * kEach);  // no gaps either: nothing failed
}

TEST_CASE("the round trip: a local sale's tokens reach the meter through its modem and come back accepted",
          "[engine][modem]") {
  World world;
  // Before the 1993 rollover (the key change path waits for the ledger, see token_maker_test).
  ManualClock clock(Clock::WallTime(sts::parse_utc_minute("2024-01-01T00:00Z").value().time_since_epoch()));
  const sts::VendingKey vk = testing::vending_key(sts::KeyDerivation::kDkga02);
  auto maker = make_token_maker(TokenSource::kLocal, *world.ledger, vk, clock);
  ModemLink link(*world.ledger, world.keys, 64);
  const store::SubscriberView view = view_of(*world.ledger, world.one);
  const IssuedTokens tokens = maker->make(view, 154, "txn-1", std::nullopt).value();
  REQUIRE(tokens.key_change_tokens.empty());
  const std::string command = link.token_delivery(view, 1, tokens).value();
  CHECK(command.size() <= meters::kMaxMessageLength);

  // The modem side: authenticate, enter the tokens into the meter, answer with the credit.
  Modem& modem = world.modem_one;
  const meters::Verification got = modem.verifier.verify(command);
  REQUIRE(got.verdict == meters::Verdict::kAccepted);
  const auto& delivery = std::get<meters::TokenDelivery>(got.message->body);
  auto meter = sts::MeterDecoder::create({.key = sts::derive_decoder_key(vk, key_parameters_of(view.meter).value()).value(),
                                          .tables = sts::StaTables::sample()})
                   .value();
  for (const auto& token : delivery.tokens) {
    const auto result = meter.enter(token).result;
    CHECK((result == sts::MeterResult::kAccepted || result == sts::MeterResult::kKeyChangePending ||
           result == sts::MeterResult::kKeyChanged));
  }
  CHECK(meter.credit(sts::CreditRegister::kElectricity) == 154);
  const ModemInbound answer =
      link.receive(modem.msisdn, modem.answer(acc(delivery.seq, meter.credit(sts::CreditRegister::kElectricity))));
  REQUIRE(answer.verdict == ModemInbound::Verdict::kOk);
  CHECK(std::get<meters::Accepted>(answer.message->body).credit == 154U);
  CHECK(inbound_verdict_name(answer.verdict) == "ok");
  CHECK(inbound_verdict_name(ModemInbound::Verdict::kStoreError) == "store_error");
}

}  // namespace
}  // namespace pintar::engine
