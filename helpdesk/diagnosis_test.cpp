// Token diagnosis on a real ledger, with tokens made by the engine's own token maker.
#include "helpdesk/diagnosis.h"

#include "helpdesk/test_support.h"
#include "vending/engine/token_maker.h"
#include "vending/sts/data_block.h"
#include "vending/sts/token.h"

namespace pintar::helpdesk {
namespace {

using engine::testing::import;
using engine::testing::open_ledger_at;
using engine::testing::subscriber;
using engine::testing::vending_key;
using namespace testing;
using namespace std::chrono;

struct World {
  std::string dir = store::testing::make_temp_dir();
  std::unique_ptr<store::Ledger> ledger = open_ledger_at(dir + "/ledger.db");
  // Before the base-1993 rollover: tokens on the registry key.
  ManualClock clock{Clock::WallTime(sys_days(2020y / 1 / 1))};
  store::SubscriberRecord one = subscriber(1), two = subscriber(2);
  std::unique_ptr<engine::TokenMaker> maker =
      engine::make_token_maker(engine::TokenSource::kLocal, *ledger, vending_key(sts::KeyDerivation::kDkga02), clock);
  TokenDiagnoser diagnoser{*ledger, vending_key(sts::KeyDerivation::kDkga02)};
  World() { import(*ledger, {one, two}); }

  std::string token_for(const store::SubscriberRecord& s, int64_t deci_kwh, const std::string& txn) {
    auto views = ledger->find_subscribers(s.meter.meter_no);
    REQUIRE(views.ok());
    auto tokens = maker->make(views->front(), deci_kwh, txn, std::nullopt);
    REQUIRE(tokens.ok());
    clock.set_wall(clock.wall_now() + minutes(3));
    return tokens->credit_token;
  }
  // A purchase carrying `token`, in `state`, its modem command in `command_state`.
  void sold(int n, const std::string& token, const std::string& state, const std::string& command_state) {
    store::TransactionRecord t = add_purchase(*ledger, n, one);
    t = next_version(*ledger, t, state, token);
    store::WriteSet w;
    w.record_modem_command({.meter_no = t.meter_no, .seq = n, .kind = "token", .txn_id = t.txn_id,
                            .state = command_state, .attempts = 1, .result = command_state == "rejected" ? "meter_rejected_used" : "",
                            .created_ms = t.recorded_ms, .updated_ms = t.recorded_ms});
    write(*ledger, std::move(w));
  }
};

// A credit token for meter one with a chosen TID (what a second vendor or a replay might hold).
std::string token_with_tid(const store::SubscriberRecord& s, uint32_t tid) {
  auto params = engine::key_parameters_of(s.meter).value();
  auto key = sts::derive_decoder_key(vending_key(sts::KeyDerivation::kDkga02), params).value();
  auto cipher = sts::TokenCipher::create(key, sts::StaTables::sample()).value();
  auto data = sts::credit_token(sts::CreditRegister::kElectricity, 3, tid, 77).value();
  return sts::to_string(sts::encode_token(cipher, data));
}

uint32_t tid_of(const Diagnosis& d) {
  REQUIRE(d.tid);
  return *d.tid;
}

TEST_CASE("diagnosis says what a token is and what the meter made of it", "[helpdesk][diagnosis]") {
  World w;
  const std::string accepted = w.token_for(w.one, 154, "t0001");
  w.sold(1, accepted, "completed", "accepted");
  const std::string sent = w.token_for(w.one, 300, "t0002");
  w.sold(2, sent, "sent", "sent");

  auto a = w.diagnoser.diagnose(w.one.meter.meter_no, accepted);
  REQUIRE(a.ok());
  CHECK(a->verdict == "accepted");
  CHECK(a->txn_id == "t0001");
  CHECK(a->meaning["kind"] == "credit");
  CHECK_THAT(a->summary, Catch::Contains("credit token of 15.4 kWh") && Catch::Contains("made 2020-01-01"));

  auto s = w.diagnoser.diagnose(w.one.meter.meter_no, sent);
  REQUIRE(s.ok());
  CHECK(s->verdict == "not_seen");
  CHECK(s->txn_id == "t0002");
  CHECK_THAT(s->summary, Catch::Contains("30.0 kWh"));

  // Same TID as the accepted one: USED. Below it: maybe OLD (we know of only one TID).
  const uint32_t tid = tid_of(*a);
  auto used = w.diagnoser.diagnose(w.one.meter.meter_no, token_with_tid(w.one, tid));
  REQUIRE(used.ok());
  CHECK(used->verdict == "used");
  auto old = w.diagnoser.diagnose(w.one.meter.meter_no, token_with_tid(w.one, tid - 10));
  REQUIRE(old.ok());
  CHECK(old->verdict == "maybe_old");
  CHECK(!old->txn_id);
  auto fresh = w.diagnoser.diagnose(w.one.meter.meter_no, token_with_tid(w.one, tid + 100));
  REQUIRE(fresh.ok());
  CHECK(fresh->verdict == "not_seen");

  // Meter two's token, read out for meter one.
  const std::string other = w.token_for(w.two, 154, "x1");
  auto wrong = w.diagnoser.diagnose(w.one.meter.meter_no, other);
  REQUIRE(wrong.ok());
  CHECK(wrong->verdict == "not_for_this_meter");
  CHECK(wrong->meaning.is_null());
  CHECK_THAT(wrong->summary, Catch::Contains("Not a token for meter " + w.one.meter.meter_no));
}

TEST_CASE("a token the meter rejected says so with its reason", "[helpdesk][diagnosis]") {
  World w;
  const std::string token = w.token_for(w.one, 154, "t0001");
  w.sold(1, token, "needs_manual", "rejected");
  auto d = w.diagnoser.diagnose(w.one.meter.meter_no, token);
  REQUIRE(d.ok());
  CHECK(d->verdict == "rejected");
  CHECK_THAT(d->summary, Catch::Contains("meter_rejected_used"));
}

TEST_CASE("with 20 TIDs known, a token below all of them is OLD", "[helpdesk][diagnosis]") {
  World w;
  std::string first;
  for (int n = 1; n <= static_cast<int>(kTidMemory) + 1; ++n) {
    const std::string token = w.token_for(w.one, 10, fmt::format("t{:04}", n));
    if (n == 1) first = token;
    w.sold(n, token, "completed", "accepted");
  }
  auto d = w.diagnoser.diagnose(w.one.meter.meter_no, first);
  REQUIRE(d.ok());
  CHECK(d->verdict == "accepted");  // the ledger knows this one was taken
  auto older = w.diagnoser.diagnose(w.one.meter.meter_no, token_with_tid(w.one, tid_of(*d) + 1));
  REQUIRE(older.ok());
  CHECK(older->verdict == "old");  // below the 20 newest the meter remembers
}

TEST_CASE("the answer never carries key material", "[helpdesk][diagnosis]") {
  World w;
  const std::string token = w.token_for(w.one, 154, "t0001");
  auto d = w.diagnoser.diagnose(w.one.meter.meter_no, token);
  REQUIRE(d.ok());
  const std::string out = diagnosis_json(*d).dump();
  auto params = engine::key_parameters_of(w.one.meter).value();
  const std::string dk = sts::derive_decoder_key(vending_key(sts::KeyDerivation::kDkga02), params).value().to_hex();
  for (const std::string& secret : {dk, std::string(engine::testing::kDkga02VendingKey)}) {
    CHECK(out.find(secret) == std::string::npos);
    std::string lower = secret;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(out.find(lower) == std::string::npos);
  }
}

TEST_CASE("diagnosis refuses bad input and says what it needs", "[helpdesk][diagnosis]") {
  World w;
  CHECK(w.diagnoser.diagnose("123", "12345678901234567890").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.diagnoser.diagnose(w.one.meter.meter_no, "1234").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.diagnoser.diagnose(w.one.meter.meter_no, "99999999999999999999").status().code() ==
        StatusCode::kInvalidArgument);  // above 2^66
  CHECK(w.diagnoser.diagnose("99999999999", "12345678901234567890").status().code() == StatusCode::kNotFound);
  TokenDiagnoser keyless(*w.ledger, std::nullopt);
  auto none = keyless.diagnose(w.one.meter.meter_no, "12345678901234567890");
  CHECK(none.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(none.status().message(), Catch::Contains("vending key"));
}

}  // namespace
}  // namespace pintar::helpdesk
