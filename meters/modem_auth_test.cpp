#include "meters/modem_auth.h"

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::meters {
namespace {

constexpr std::string_view kKeyHex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
constexpr std::string_view kOtherKeyHex = "FF0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
constexpr std::string_view kToken = "51043465443420856213";

Secret key(std::string_view hex) { return Secret(hex_decode(hex).value()); }

// Texts signed independently of this code (Python's hmac and base64.b32encode over the
// same key), so a MAC computed the wrong way round cannot agree with itself.
constexpr std::string_view kSignedAcc = "PM1 ACC K=M1400001 C=3 S=12 CR=1234 M=NXSEW3N4BI433J2F";
constexpr std::string_view kSignedTok = "PM1 TOK K=M1400001 C=7 S=12 T=51043465443420856213 M=VWTQVJNOVJ72XAUC";
constexpr std::string_view kSignedEvt =
    "PM1 EVT K=M1400001 C=13 N=45 D=1796224800 EV=TOKEN-REJECTED T=51043465443420856213 R=USED CR=1226 "
    "M=PRXTOYKE7IGSD2RP";

struct World {
  MemoryKeyring keys;
  MemoryReplayStore store;
  ReplayGuard guard{store, 64};
  ModemVerifier engine{keys, guard, Direction::kModemToEngine};
  World() {
    REQUIRE(keys.add("M1400001", "14012345678", key(kKeyHex)).ok());
    REQUIRE(keys.add("M1400002", "14012345679", key(kOtherKeyHex)).ok());
  }
  uint64_t count(Verdict verdict) const { return engine.counters().value(verdict); }
};

Message acc(uint32_t counter, std::string key_id = "M1400001") {
  return Message{std::move(key_id), counter, Accepted{12, 1234, std::nullopt, std::nullopt}};
}

TEST_CASE("sign() produces the independently computed MAC", "[meters][auth]") {
  CHECK(sign(acc(3), key(kKeyHex)).value() == kSignedAcc);
  CHECK(sign(Message{"M1400001", 7, TokenDelivery{12, {std::string(kToken)}}}, key(kKeyHex)).value() == kSignedTok);
  CHECK(modem_mac(key(kKeyHex), "PM1 ACC K=M1400001 C=3 S=12 CR=1234") == "NXSEW3N4BI433J2F");
}

TEST_CASE("an authentic fresh message is accepted once and counted", "[meters][auth]") {
  World world;
  const Verification first = world.engine.verify(kSignedEvt);
  REQUIRE(first.verdict == Verdict::kAccepted);
  REQUIRE(first.message.has_value());
  CHECK(first.modem_id == "14012345678");
  CHECK(first.key_id == "M1400001");
  const auto& event = std::get<MeterEvent>(first.message->body);
  CHECK(event.kind == EventKind::kTokenRejected);
  CHECK(event.reason == MeterReason::kUsed);
  CHECK(event.credit == 1226U);
  CHECK(world.count(Verdict::kAccepted) == 1);
  CHECK(world.store.get("M1400001") == ReplayState{13, 1});
}

TEST_CASE("a replayed message is refused as replayed and not acted on", "[meters][auth]") {
  World world;
  REQUIRE(world.engine.verify(kSignedAcc).verdict == Verdict::kAccepted);
  for (int i = 0; i < 3; ++i) {
    const Verification again = world.engine.verify(kSignedAcc);
    CHECK(again.verdict == Verdict::kReplayed);
    CHECK_FALSE(again.message.has_value());
    CHECK_THAT(again.detail, Catch::Contains("already accepted"));
  }
  CHECK(world.count(Verdict::kAccepted) == 1);
  CHECK(world.count(Verdict::kReplayed) == 3);

  // A later message is fresh; one overtaken by it within the window still counts once.
  REQUIRE(world.engine.verify(sign(acc(10), key(kKeyHex)).value()).verdict == Verdict::kAccepted);
  const std::string late = sign(acc(9), key(kKeyHex)).value();
  CHECK(world.engine.verify(late).verdict == Verdict::kAccepted);
  CHECK(world.engine.verify(late).verdict == Verdict::kReplayed);
  // Further back than the window: too old.
  REQUIRE(world.engine.verify(sign(acc(200), key(kKeyHex)).value()).verdict == Verdict::kAccepted);
  const Verification old = world.engine.verify(sign(acc(100), key(kKeyHex)).value());
  CHECK(old.verdict == Verdict::kReplayed);
  CHECK_THAT(old.detail, Catch::Contains("older than the replay window"));
}

TEST_CASE("the replay state survives a restart of the receiver", "[meters][auth]") {
  World world;
  REQUIRE(world.engine.verify(kSignedAcc).verdict == Verdict::kAccepted);
  // A new guard and verifier over the same (persisted) store: the engine after a restart.
  ReplayGuard guard(world.store, 64);
  ModemVerifier restarted(world.keys, guard, Direction::kModemToEngine);
  CHECK(restarted.verify(kSignedAcc).verdict == Verdict::kReplayed);
}

TEST_CASE("a forged message is refused as forged and does not move the counter", "[meters][auth]") {
  World world;
  std::string bad_mac(kSignedAcc);
  bad_mac.back() = bad_mac.back() == 'A' ? 'B' : 'A';
  std::string changed_credit(kSignedAcc);
  changed_credit.replace(changed_credit.find("CR=1234"), 7, "CR=9234");
  const std::string other_key = sign(acc(50), key(kOtherKeyHex)).value();  // claims M1400001, signed with M1400002's key

  for (const std::string& forged : {bad_mac, changed_credit, other_key}) {
    INFO(forged);
    const Verification result = world.engine.verify(forged);
    CHECK(result.verdict == Verdict::kForged);
    CHECK_FALSE(result.message.has_value());
    CHECK(result.modem_id == "14012345678");
    CHECK_THAT(result.detail, Catch::Contains("MAC does not match"));
  }
  CHECK(world.count(Verdict::kForged) == 3);
  CHECK_FALSE(world.store.get("M1400001").has_value());
  // The genuine C=3 is still accepted after a forged C=50.
  CHECK(world.engine.verify(kSignedAcc).verdict == Verdict::kAccepted);
}

TEST_CASE("an unknown key id is refused as unknown modem; another modem's key id as forged", "[meters][auth]") {
  World world;
  const Verification unknown = world.engine.verify(sign(acc(1, "M9999999"), key(kKeyHex)).value());
  CHECK(unknown.verdict == Verdict::kUnknownModem);
  CHECK(unknown.key_id == "M9999999");
  CHECK(unknown.modem_id.empty());
  CHECK_THAT(unknown.detail, Catch::Contains("no modem key with id M9999999"));
  // Signed with M1400001's key but naming M1400002: wrong key id for the key that signed.
  CHECK(world.engine.verify(sign(acc(1, "M1400002"), key(kKeyHex)).value()).verdict == Verdict::kForged);
  CHECK(world.count(Verdict::kUnknownModem) == 1);
  CHECK(world.count(Verdict::kForged) == 1);
}

TEST_CASE("truncated, garbage and wrong-direction texts are refused as malformed", "[meters][auth]") {
  World world;
  for (size_t length : {0UL, 10UL, kSignedAcc.size() - 1}) {
    CHECK(world.engine.verify(kSignedAcc.substr(0, length)).verdict == Verdict::kMalformed);
  }
  CHECK(world.engine.verify("TOKEN 14012345678 20000").verdict == Verdict::kMalformed);
  // An engine command reflected back at the engine, authentic as it is.
  const Verification reflected = world.engine.verify(kSignedTok);
  CHECK(reflected.verdict == Verdict::kMalformed);
  CHECK_THAT(reflected.detail, Catch::Contains("TOK is not a message this side receives"));
  CHECK(world.count(Verdict::kMalformed) == 5);

  // The modem side takes that command.
  MemoryReplayStore modem_store;
  ReplayGuard modem_guard(modem_store, 0);
  ModemVerifier modem(world.keys, modem_guard, Direction::kEngineToModem);
  const Verification command = modem.verify(kSignedTok);
  REQUIRE(command.verdict == Verdict::kAccepted);
  CHECK(std::get<TokenDelivery>(command.message->body).tokens == std::vector<std::string>{std::string(kToken)});
  CHECK(modem.verify(kSignedAcc).verdict == Verdict::kMalformed);
}

TEST_CASE("details and errors never carry key bytes or a whole token", "[meters][auth]") {
  World world;
  std::string forged(kSignedEvt);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const Verification& result : {world.engine.verify(forged), world.engine.verify(kSignedEvt),
                                     world.engine.verify(kSignedEvt), world.engine.verify(kSignedTok)}) {
    CHECK_THAT(result.detail, !Catch::Contains(std::string(kToken)));
    CHECK_THAT(result.detail, !Catch::Contains("000102030405"));
  }
  CHECK_THAT(world.engine.verify(forged).detail, Catch::Contains("5104-****-****-****-6213"));
}

// Faults of the keyring and the store cannot be caused with the in-memory ones.
class BrokenKeyring final : public ModemKeyring {
 public:
  Result<ModemKey> find(std::string_view) const override { return Status::io_error("credential store unreadable"); }
};
class BrokenStore final : public ReplayStore {
 public:
  Status update(std::string_view, const Decide&) override { return Status::io_error("ledger: disk I/O error"); }
};

TEST_CASE("a keyring or replay store failure is unavailable, never accepted", "[meters][auth]") {
  World world;
  BrokenKeyring broken_keys;
  ModemVerifier no_keys(broken_keys, world.guard, Direction::kModemToEngine);
  const Verification a = no_keys.verify(kSignedAcc);
  CHECK(a.verdict == Verdict::kUnavailable);
  CHECK_THAT(a.detail, Catch::Contains("credential store unreadable"));

  BrokenStore broken_store;
  ReplayGuard guard(broken_store, 64);
  ModemVerifier no_store(world.keys, guard, Direction::kModemToEngine);
  const Verification b = no_store.verify(kSignedAcc);
  CHECK(b.verdict == Verdict::kUnavailable);
  CHECK_FALSE(b.message.has_value());
  CHECK(no_store.counters().value(Verdict::kUnavailable) == 1);
  // Nothing was recorded, so once the store is back the same message is accepted.
  CHECK(world.engine.verify(kSignedAcc).verdict == Verdict::kAccepted);
}

TEST_CASE("keyring refuses bad key ids, short or long keys, and a key id given twice", "[meters][auth]") {
  MemoryKeyring keys;
  CHECK(keys.add("m1", "1", key(kKeyHex)).code() == StatusCode::kInvalidArgument);
  CHECK(keys.add("M1", "1", Secret(std::vector<uint8_t>(15, 1))).code() == StatusCode::kInvalidArgument);
  CHECK(keys.add("M1", "1", Secret(std::vector<uint8_t>(65, 1))).code() == StatusCode::kInvalidArgument);
  REQUIRE(keys.add("M1", "1", Secret(std::vector<uint8_t>(16, 1))).ok());
  CHECK(keys.add("M1", "2", key(kKeyHex)).code() == StatusCode::kAlreadyExists);
  CHECK(keys.find("M2").status().code() == StatusCode::kNotFound);
  CHECK(sign(acc(1), Secret(std::vector<uint8_t>(8, 1))).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("every verdict has a counter and a name", "[meters][auth]") {
  for (size_t i = 0; i < static_cast<size_t>(Verdict::kVerdictCount); ++i) {
    CHECK(kModemAuthCounters[i].name == fmt::format("modem.{}", verdict_name(static_cast<Verdict>(i))));
  }
}

}  // namespace
}  // namespace pintar::meters
