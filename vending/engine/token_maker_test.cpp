#include "vending/engine/token_maker.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "vending/engine/tokens_test_support.h"
#include "vending/sts/amount.h"
#include "vending/sts/meter.h"
#include "vending/sts/tid.h"

namespace pintar::engine {
namespace {

using namespace std::chrono;
using testing::import;
using testing::open_ledger_at;
using testing::subscriber;
using testing::view_of;

Clock::WallTime at(std::string_view minute) {
  return Clock::WallTime(sts::parse_utc_minute(minute).value().time_since_epoch());
}

store::SubscriberRecord meter_on(int n, int64_t base_date, int64_t ea, int64_t dkga) {
  store::SubscriberRecord record = subscriber(n);
  record.meter.base_date = base_date;
  record.meter.ea = ea;
  record.meter.dkga = dkga;
  return record;
}

// What the real meter does with the tokens: sts::MeterDecoder loaded with the decoder key the
// meter's registry record derives to, and the IEC sample STA tables (EA07).
sts::MeterDecoder meter_for(const store::Meter& meter, const sts::VendingKey& vk) {
  const auto params = key_parameters_of(meter).value();
  const auto key = sts::derive_decoder_key(vk, params).value();
  return sts::MeterDecoder::create(
             {.key = key, .tables = params.ea == sts::EncryptionAlgorithm::kEa07 ? sts::StaTables::sample() : nullptr})
      .value();
}

uint32_t credited(int64_t deci_kwh) { return sts::decode_amount(sts::encode_amount(deci_kwh).value()); }

struct World {
  explicit World(Clock::WallTime now) : clock(now) {}
  std::string dir = store::testing::make_temp_dir();
  std::string path = dir + "/ledger.db";
  ManualClock clock;
  std::unique_ptr<store::Ledger> ledger = open_ledger_at(path);
};

TEST_CASE("the meter PAN: IIN 600727, the meter number, the Luhn digit", "[engine][tokens]") {
  // The PAN of the STS 531-1-0-02 conformance test is meter number 00000000000's.
  CHECK(meter_pan("00000000000") == "600727000000000009");
  CHECK(meter_pan("14000000001").size() == 18);
  CHECK(meter_pan("14000000001").substr(0, 17) == "60072714000000001");
}

TEST_CASE("local tokens decode at the meter to the credit paid for", "[engine][tokens]") {
  World world(at("2026-12-02T20:00Z"));
  struct Case {
    int64_t ea, dkga;
    sts::KeyDerivation derivation;
  };
  // EA07 from a DKGA02 key (531-1-0-02's) and EA11 from a DKGA04 key (531-1-0-04's).
  const Case cases[] = {{7, 2, sts::KeyDerivation::kDkga02}, {11, 4, sts::KeyDerivation::kDkga04},
                        {7, 4, sts::KeyDerivation::kDkga04}};
  int n = 1;
  for (const Case& c : cases) {
    const store::SubscriberRecord record = meter_on(n++, 2014, c.ea, c.dkga);
    import(*world.ledger, {record});
    const store::SubscriberView view = view_of(*world.ledger, record);
    const sts::VendingKey vk = testing::vending_key(c.derivation);
    auto maker = make_token_maker(TokenSource::kLocal, *world.ledger, vk, world.clock);
    sts::MeterDecoder meter = meter_for(view.meter, vk);

    // 15.4 kWh is exact; 1,640.1 kWh needs the next exponent and is rounded up.
    for (int64_t energy : {154, 16401, 1}) {
      const uint64_t before = meter.credit(sts::CreditRegister::kElectricity);
      auto tokens = maker->make(view, energy, fmt::format("txn-{}-{}", n, energy), std::nullopt);
      INFO(tokens.status().to_string());
      REQUIRE(tokens.ok());
      CHECK(tokens->key_change_tokens.empty());
      REQUIRE(tokens->credit_token.size() == 20);
      const auto entered = meter.enter(tokens->credit_token);
      CHECK(entered.result == sts::MeterResult::kAccepted);
      CHECK(meter.credit(sts::CreditRegister::kElectricity) - before == credited(energy));
      CHECK(credited(energy) >= static_cast<uint64_t>(energy));
      REQUIRE(tokens->tid.has_value());
      REQUIRE(entered.data.has_value());
      CHECK(sts::fields_of(entered.data->data_block).tid == *tokens->tid);
    }
    // The TID is the minute since 2014, then one more per token in the same minute.
    const auto now_tid = sts::tid_from_time(world.clock.wall_now(), sts::BaseDate::k2014).value();
    CHECK(world.ledger->last_tid(view.meter.meter_no).value() == std::optional<int64_t>(now_tid + 2));
    CHECK(meter.tid_memory() == std::set<uint32_t>{0, now_tid, now_tid + 1, now_tid + 2});  // 0: the factory's
  }
}

TEST_CASE("TIDs follow the clock, never go back, and are recorded before the token is returned", "[engine][tokens]") {
  World world(at("2026-12-02T20:00Z"));
  const store::SubscriberRecord record = meter_on(1, 2014, 7, 2);
  import(*world.ledger, {record});
  const store::SubscriberView view = view_of(*world.ledger, record);
  auto maker = make_token_maker(TokenSource::kLocal, *world.ledger, testing::vending_key(sts::KeyDerivation::kDkga02),
                                world.clock);
  const auto first = maker->make(view, 100, "txn-1", std::nullopt).value();
  world.clock.advance(minutes(10));
  const auto later = maker->make(view, 100, "txn-2", std::nullopt).value();
  CHECK(*later.tid == *first.tid + 10);
  // The clock is set back an hour (NTP step, a restored VM): TIDs still grow.
  world.clock.set_wall(world.clock.wall_now() - hours(1));
  const auto after_step = maker->make(view, 100, "txn-3", std::nullopt).value();
  CHECK(*after_step.tid == *later.tid + 1);

  // Another process on the same file sees the TIDs (durable before make() returned).
  auto other = open_ledger_at(world.path);
  CHECK(other->last_tid(view.meter.meter_no).value() == std::optional<int64_t>(*after_step.tid));
  auto other_maker =
      make_token_maker(TokenSource::kLocal, *other, testing::vending_key(sts::KeyDerivation::kDkga02), world.clock);
  CHECK(*other_maker->make(view, 100, "txn-4", std::nullopt).value().tid == *after_step.tid + 1);
}

TEST_CASE("TIDs are unique and increasing under concurrent makes from two ledgers on one file", "[engine][tokens]") {
  World world(at("2026-12-02T20:00Z"));
  const store::SubscriberRecord record = meter_on(1, 2014, 7, 2);
  import(*world.ledger, {record});
  const store::SubscriberView view = view_of(*world.ledger, record);
  auto second = open_ledger_at(world.path);
  const sts::VendingKey vk = testing::vending_key(sts::KeyDerivation::kDkga02);
  // Two makers per ledger: each pair shares a process-local lock, the two pairs only the file.
  std::unique_ptr<TokenMaker> makers[] = {make_token_maker(TokenSource::kLocal, *world.ledger, vk, world.clock),
                                          make_token_maker(TokenSource::kLocal, *world.ledger, vk, world.clock),
                                          make_token_maker(TokenSource::kLocal, *second, vk, world.clock),
                                          make_token_maker(TokenSource::kLocal, *second, vk, world.clock)};
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::vector<IssuedTokens>> issued(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto tokens = makers[t]->make(view, 50 + i, fmt::format("txn-{}-{}", t, i), std::nullopt);
        if (tokens.ok()) issued[t].push_back(std::move(tokens).value());
        if (t % 2 == 0 && i % 5 == 0) world.clock.advance(seconds(30));  // the minute moves under them
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<int64_t> tids;
  std::set<std::string> digits;
  for (const auto& list : issued) {
    REQUIRE(list.size() == kEach);  // none lost a race for good
    for (size_t i = 1; i < list.size(); ++i) CHECK(*list[i].tid > *list[i - 1].tid);  // per caller: increasing
    for (const auto& tokens : list) {
      tids.insert(*tokens.tid);
      digits.insert(tokens.credit_token);
    }
  }
  CHECK(tids.size() == kThreads * kEach);  // none twice
  CHECK(digits.size() == kThreads * kEach);
  CHECK(world.ledger->last_tid(view.meter.meter_no).value() == std::optional<int64_t>(*tids.rbegin()));
  // A meter with a TID memory that large takes every one, in TID order.
  sts::MeterDecoder meter = sts::MeterDecoder::create({.key = sts::derive_decoder_key(vk, key_parameters_of(view.meter).value()).value(),
                                                       .tables = sts::StaTables::sample(),
                                                       .tid_memory_size = 200})
                                .value();
  std::vector<std::pair<int64_t, std::string>> in_order;
  for (const auto& list : issued) {
    for (const auto& tokens : list) in_order.emplace_back(*tokens.tid, tokens.credit_token);
  }
  std::sort(in_order.begin(), in_order.end());
  for (const auto& [tid, token] : in_order) CHECK(meter.enter(token).result == sts::MeterResult::kAccepted);
}

// Hidden ([.]) until the ledger's tid_issues CHECK allows the 1993 scale past 0xFFFFFF (ledger6
// caps tid at 16777215); run with: vending_tokens_test "[kct-ledger]".
TEST_CASE("a meter still on base date 1993 gets the key change set before its first token after the rollover",
          "[engine][tokens][.][kct-ledger]") {
  const auto [ea, dkga, derivation, sections] = GENERATE(table<int64_t, int64_t, sts::KeyDerivation, size_t>(
      {{7, 2, sts::KeyDerivation::kDkga02, 2}, {11, 4, sts::KeyDerivation::kDkga04, 4}}));
  World world(at("2024-11-24T20:10Z"));  // five minutes before base 1993 runs out
  const store::SubscriberRecord record = meter_on(1, 1993, ea, dkga);
  import(*world.ledger, {record});
  const store::SubscriberView view = view_of(*world.ledger, record);
  const sts::VendingKey vk = testing::vending_key(derivation);
  auto maker = make_token_maker(TokenSource::kLocal, *world.ledger, vk, world.clock);
  sts::MeterDecoder meter = meter_for(view.meter, vk);

  // Before the rollover: a plain 1993 token.
  const auto before = maker->make(view, 100, "txn-1", std::nullopt).value();
  CHECK(before.key_change_tokens.empty());
  CHECK(*before.tid == 0xFFFFFA);  // 20:15 is 0xFFFFFF
  CHECK(meter.enter(before.credit_token).result == sts::MeterResult::kAccepted);

  // Two years on: the key change set first (encrypted with the meter's key), then the credit
  // token under the new key, its TID counted from 2014.
  world.clock.set_wall(at("2026-12-02T20:00Z"));
  const auto first = maker->make(view, 200, "txn-2", std::nullopt).value();
  REQUIRE(first.key_change_tokens.size() == sections);
  for (size_t i = 0; i < sections; ++i) {
    CHECK(meter.enter(first.key_change_tokens[i]).result ==
          (i + 1 < sections ? sts::MeterResult::kKeyChangePending : sts::MeterResult::kKeyChanged));
  }
  CHECK(meter.krn() == 2);
  CHECK(meter.tid_memory().empty());  // RO: the 1993 TIDs are forgotten
  const uint32_t tid_2014 = sts::tid_from_time(world.clock.wall_now(), sts::BaseDate::k2014).value();
  CHECK(*first.tid == tid_2014);
  CHECK(meter.enter(first.credit_token).result == sts::MeterResult::kAccepted);
  CHECK(meter.credit(sts::CreditRegister::kElectricity) == credited(100) + credited(200));
  // The ledger keeps the 1993 count going: above 0xFFFFFF means "key change issued".
  const auto stored = world.ledger->last_tid(view.meter.meter_no).value();
  REQUIRE(stored.has_value());
  CHECK(*stored == int64_t{tid_2014} + minutes_1993_to_2014());
  CHECK(*stored >= kFirstTidAfter1993);

  // The next sale (another process, even) needs no key change and uses the new key.
  auto other = open_ledger_at(world.path);
  auto other_maker = make_token_maker(TokenSource::kLocal, *other, vk, world.clock);
  const auto next = other_maker->make(view, 300, "txn-3", std::nullopt).value();
  CHECK(next.key_change_tokens.empty());
  CHECK(*next.tid == tid_2014 + 1);
  CHECK(meter.enter(next.credit_token).result == sts::MeterResult::kAccepted);
  CHECK(meter.enter(first.credit_token).result == sts::MeterResult::kUsedError);
}

TEST_CASE("a 1993 meter first seen after the rollover gets the key change too", "[engine][tokens][.][kct-ledger]") {
  World world(at("2026-12-02T20:00Z"));
  const store::SubscriberRecord record = meter_on(1, 1993, 7, 2);
  import(*world.ledger, {record});
  const store::SubscriberView view = view_of(*world.ledger, record);
  const sts::VendingKey vk = testing::vending_key(sts::KeyDerivation::kDkga02);
  auto maker = make_token_maker(TokenSource::kLocal, *world.ledger, vk, world.clock);
  sts::MeterDecoder meter = meter_for(view.meter, vk);
  const auto tokens = maker->make(view, 154, "txn-1", std::nullopt).value();
  REQUIRE(tokens.key_change_tokens.size() == 2);
  // Without the key change the meter cannot read the credit token.
  CHECK(meter.enter(tokens.credit_token).result == sts::MeterResult::kAuthenticationError);
  for (const auto& kct : tokens.key_change_tokens) CHECK(meter.enter(kct).result != sts::MeterResult::kAuthenticationError);
  CHECK(meter.enter(tokens.credit_token).result == sts::MeterResult::kAccepted);
  CHECK(meter.credit(sts::CreditRegister::kElectricity) == 154);

  // Meter management later records the move in the registry (base 2014, KRN 2): the next
  // token uses that record's key and goes on from the TIDs already issued.
  store::SubscriberView moved = view;
  moved.meter.base_date = 2014;
  moved.meter.krn = 2;
  const auto after_move = maker->make(moved, 10, "txn-2", std::nullopt).value();
  CHECK(after_move.key_change_tokens.empty());
  CHECK(*after_move.tid == *tokens.tid + 1);
  CHECK(meter.enter(after_move.credit_token).result == sts::MeterResult::kAccepted);
}

TEST_CASE("the p2apst source passes PLN's 20 digits on unchanged", "[engine][tokens]") {
  World world(at("2026-12-02T20:00Z"));
  const store::SubscriberRecord record = subscriber(1);
  import(*world.ledger, {record});
  const store::SubscriberView view = view_of(*world.ledger, record);
  auto maker = make_token_maker(TokenSource::kP2apst, *world.ledger, std::nullopt, world.clock);
  auto tokens = maker->make(view, 154, "txn-1", std::string_view("51043465443420856213"));
  REQUIRE(tokens.ok());
  CHECK(tokens->credit_token == "51043465443420856213");
  CHECK(tokens->key_change_tokens.empty());
  CHECK_FALSE(tokens->tid.has_value());
  for (std::string_view bad : {"5104346544342085621", "5104-3465-4434-2085-6213", "5104346544342085621X", ""}) {
    CHECK(maker->make(view, 154, "txn-2", bad).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(maker->make(view, 154, "txn-3", std::nullopt).status().code() == StatusCode::kInvalidArgument);
  CHECK(world.ledger->last_tid(view.meter.meter_no).value() == std::nullopt);
}

TEST_CASE("a refused make issues no TID", "[engine][tokens]") {
  World world(at("2026-12-02T20:00Z"));
  store::SubscriberRecord record = meter_on(1, 2014, 7, 2);
  import(*world.ledger, {record});
  store::SubscriberView view = view_of(*world.ledger, record);
  const sts::VendingKey vk02 = testing::vending_key(sts::KeyDerivation::kDkga02);
  auto maker = make_token_maker(TokenSource::kLocal, *world.ledger, vk02, world.clock);
  CHECK(maker->make(view, 0, "txn-1", std::nullopt).status().code() == StatusCode::kInvalidArgument);
  CHECK(maker->make(view, -5, "txn-1", std::nullopt).status().code() == StatusCode::kInvalidArgument);
  CHECK(maker->make(view, int64_t{sts::kMaxTransferAmount} + 1, "txn-1", std::nullopt).status().code() ==
        StatusCode::kInvalidArgument);
  auto keyless = make_token_maker(TokenSource::kLocal, *world.ledger, std::nullopt, world.clock);
  CHECK(keyless->make(view, 100, "txn-1", std::nullopt).status().code() == StatusCode::kFailedPrecondition);
  auto wrong_dkga = make_token_maker(TokenSource::kLocal, *world.ledger, testing::vending_key(sts::KeyDerivation::kDkga04),
                                     world.clock);
  const auto refused = wrong_dkga->make(view, 100, "txn-1", std::nullopt);
  CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(refused.status().message(), Catch::Contains("DKGA"));
  CHECK_THAT(refused.status().message(), !Catch::Contains(std::string(testing::kDkga02VendingKey)));
  view.meter.ea = 11;  // DKGA02 cannot give an EA11 key
  CHECK(maker->make(view, 100, "txn-1", std::nullopt).status().code() == StatusCode::kFailedPrecondition);
  CHECK(world.ledger->last_tid(view.meter.meter_no).value() == std::nullopt);

  // A 2014 meter past its last minute (2045-11-24) needs a key change pintar does not make.
  World late(at("2046-01-01T00:00Z"));
  import(*late.ledger, {record});
  const store::SubscriberView late_view = view_of(*late.ledger, record);
  auto late_maker = make_token_maker(TokenSource::kLocal, *late.ledger, vk02, late.clock);
  CHECK(late_maker->make(late_view, 100, "txn-1", std::nullopt).status().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("token_source parses local and p2apst only", "[engine][tokens]") {
  CHECK(parse_token_source("local").value() == TokenSource::kLocal);
  CHECK(parse_token_source("p2apst").value() == TokenSource::kP2apst);
  CHECK(parse_token_source("LOCAL").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::engine
