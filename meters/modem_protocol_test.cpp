#include "meters/modem_protocol.h"

#include <set>

#include <catch2/catch.hpp>

namespace pintar::meters {
namespace {

constexpr std::string_view kToken = "51043465443420856213";
constexpr std::string_view kMac = " M=AAAAAAAAAAAAAAAA";

std::string with_mac(std::string_view unsigned_text) { return std::string(unsigned_text) + std::string(kMac); }

Message msg(Body body, uint32_t counter = 7) { return Message{"M1400001", counter, std::move(body)}; }

// One of every message type, with its optional fields both present and absent, and the
// text docs/modem-protocol.md shows for it.
struct Example {
  Message message;
  std::string_view text;
};
std::vector<Example> examples() {
  const std::string token(kToken);
  return {
      {msg(TokenDelivery{12, {token}}), "PM1 TOK K=M1400001 C=7 S=12 T=51043465443420856213"},
      {msg(TokenDelivery{15, {"12345678901234567890", "23456789012345678901", token}}),
       "PM1 TOK K=M1400001 C=7 S=15 T=12345678901234567890,23456789012345678901,51043465443420856213"},
      {msg(ReadingRequest{13}), "PM1 RDQ K=M1400001 C=7 S=13"},
      {msg(RelayCommand{14, RelayAction::kArm, RelayReason::kArrears}), "PM1 RLY K=M1400001 C=7 S=14 A=ARM W=ARREARS"},
      {msg(RelayCommand{14, RelayAction::kDisconnect, RelayReason::kSafety}),
       "PM1 RLY K=M1400001 C=7 S=14 A=OFF W=SAFETY"},
      {msg(Accepted{12, 1234, std::nullopt, std::nullopt}), "PM1 ACC K=M1400001 C=7 S=12 CR=1234"},
      {msg(Accepted{12, 0, 2200, std::nullopt}), "PM1 ACC K=M1400001 C=7 S=12 CR=0 PL=2200"},
      {msg(Accepted{14, std::nullopt, std::nullopt, RelayState::kArmed}), "PM1 ACC K=M1400001 C=7 S=14 RL=ARMED"},
      {msg(Accepted{14, std::nullopt, std::nullopt, std::nullopt}), "PM1 ACC K=M1400001 C=7 S=14"},
      {msg(Rejected{12, MeterReason::kUsed, 1, 1234}), "PM1 REJ K=M1400001 C=7 S=12 R=USED I=1 CR=1234"},
      {msg(Rejected{12, MeterReason::kKeyExpired, std::nullopt, std::nullopt}),
       "PM1 REJ K=M1400001 C=7 S=12 R=KEY-EXPIRED"},
      {msg(Rejected{14, MeterReason::kUnsupported, std::nullopt, std::nullopt}),
       "PM1 REJ K=M1400001 C=7 S=14 R=UNSUPPORTED"},
      {msg(Reading{13, std::nullopt, 1796220000, 452310, 1234, RelayState::kOn, 860, 2291}),
       "PM1 RDG K=M1400001 C=7 S=13 D=1796220000 EN=452310 CR=1234 RL=ON P=860 V=2291"},
      {msg(Reading{std::nullopt, 41, 1796220900, 0, 0, RelayState::kOff, 0, 0}),
       "PM1 RDG K=M1400001 C=7 N=41 D=1796220900 EN=0 CR=0 RL=OFF P=0 V=0"},
      {msg(MeterEvent{42, 1796221000, EventKind::kLastGasp, {}, {}, {}, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=42 D=1796221000 EV=LAST-GASP"},
      {msg(MeterEvent{43, 1796224600, EventKind::kPowerOn, {}, {}, {}, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=43 D=1796224600 EV=POWER-ON"},
      {msg(MeterEvent{47, 1796224600, EventKind::kTamper, {}, {}, {}, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=47 D=1796224600 EV=TAMPER"},
      {msg(MeterEvent{46, 1796224900, EventKind::kLowCredit, {}, {}, 150, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=46 D=1796224900 EV=LOW-CREDIT CR=150"},
      {msg(MeterEvent{48, 1796224900, EventKind::kCredit, {}, {}, 150, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=48 D=1796224900 EV=CREDIT CR=150"},
      {msg(MeterEvent{44, 1796224700, EventKind::kRelay, {}, {}, {}, RelayState::kOn, RelayReason::kButton}),
       "PM1 EVT K=M1400001 C=7 N=44 D=1796224700 EV=RELAY RL=ON W=BUTTON"},
      {msg(MeterEvent{49, 1796224800, EventKind::kTokenAccepted, token, {}, 1490, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=49 D=1796224800 EV=TOKEN-ACCEPTED T=51043465443420856213 CR=1490"},
      {msg(MeterEvent{45, 1796224800, EventKind::kTokenRejected, token, MeterReason::kUsed, {}, {}, {}}),
       "PM1 EVT K=M1400001 C=7 N=45 D=1796224800 EV=TOKEN-REJECTED T=51043465443420856213 R=USED"},
  };
}

TEST_CASE("every message type encodes to its documented text and decodes back", "[meters][protocol]") {
  std::set<size_t> types_seen;
  for (const Example& example : examples()) {
    INFO(example.text);
    auto text = encode_unsigned(example.message);
    REQUIRE(text.ok());
    CHECK(*text == example.text);
    const std::string full = with_mac(*text);
    auto decoded = decode(full);
    REQUIRE(decoded.ok());
    CHECK(decoded->message == example.message);
    CHECK(decoded->signed_text == *text);
    CHECK(decoded->mac == "AAAAAAAAAAAAAAAA");
    types_seen.insert(example.message.body.index());
  }
  CHECK(types_seen.size() == std::variant_size_v<Body>);
}

TEST_CASE("commands go engine to modem, answers and events modem to engine", "[meters][protocol]") {
  CHECK(direction_of(TokenDelivery{1, {std::string(kToken)}}) == Direction::kEngineToModem);
  CHECK(direction_of(ReadingRequest{1}) == Direction::kEngineToModem);
  CHECK(direction_of(RelayCommand{}) == Direction::kEngineToModem);
  CHECK(direction_of(Accepted{}) == Direction::kModemToEngine);
  CHECK(direction_of(Rejected{}) == Direction::kModemToEngine);
  CHECK(direction_of(Reading{}) == Direction::kModemToEngine);
  CHECK(direction_of(MeterEvent{}) == Direction::kModemToEngine);
}

TEST_CASE("the largest message of each type still fits one SMS", "[meters][protocol]") {
  const std::string id(kMaxKeyIdLength, 'Z');
  const uint32_t max32 = 4294967295U;
  const uint64_t reg = 9999999999ULL;
  const std::string token(kToken);
  const std::vector<Body> largest = {
      TokenDelivery{max32, {token, token, token}},
      ReadingRequest{max32},
      RelayCommand{max32, RelayAction::kDisconnect, RelayReason::kArrears},
      Accepted{max32, reg, 9999999, RelayState::kArmed},
      Rejected{max32, MeterReason::kUnsupported, 3, reg},
      Reading{max32, std::nullopt, max32, reg, reg, RelayState::kArmed, 9999999, 99999},
      MeterEvent{max32, max32, EventKind::kTokenRejected, token, MeterReason::kUnsupported, reg, {}, {}},
      MeterEvent{max32, max32, EventKind::kTokenAccepted, token, {}, reg, {}, {}},
      MeterEvent{max32, max32, EventKind::kRelay, {}, {}, {}, RelayState::kArmed, RelayReason::kNoCredit},
  };
  for (const Body& body : largest) {
    auto text = encode_unsigned(Message{id, max32, body});
    REQUIRE(text.ok());
    INFO(*text);
    CHECK(text->size() + kMac.size() <= kMaxMessageLength);
    CHECK(decode(with_mac(*text)).ok());
  }
}

TEST_CASE("the encoder refuses what the decoder would refuse", "[meters][protocol]") {
  const std::string token(kToken);
  const std::vector<std::pair<Message, std::string_view>> bad = {
      {msg(ReadingRequest{0}), "field S is out of range"},
      {msg(ReadingRequest{1}, 0), "field C is out of range"},
      {Message{"m1", 1, ReadingRequest{1}}, "field K may hold only"},
      {Message{"", 1, ReadingRequest{1}}, "field K must have 1 to 16"},
      {Message{"ABCDEFGHIJKLMNOPQ", 1, ReadingRequest{1}}, "field K must have 1 to 16"},
      {msg(TokenDelivery{1, {}}), "a token has 20 digits"},
      {msg(TokenDelivery{1, {"5104346544342085621"}}), "a token has 20 digits"},
      {msg(TokenDelivery{1, {"5104-3465-4434-2085-6213"}}), "a token has 20 digits"},
      {msg(TokenDelivery{1, {token, token, token, token}}), "at most 3 tokens"},
      {msg(RelayCommand{1, RelayAction::kConnect, RelayReason::kButton}), "must be ARREARS, REQUEST or SAFETY"},
      {msg(Rejected{1, MeterReason::kCrc, 4, {}}), "field I is out of range"},
      {msg(Reading{1, 2, 1, 0, 0, RelayState::kOn, 0, 0}), "exactly one of fields S"},
      {msg(Reading{{}, {}, 1, 0, 0, RelayState::kOn, 0, 0}), "exactly one of fields S"},
      {msg(Reading{1, {}, 1, 10000000000ULL, 0, RelayState::kOn, 0, 0}), "field EN must have 1 to 10 digits"},
      {msg(MeterEvent{1, 1, EventKind::kRelay, {}, {}, {}, RelayState::kOn, {}}), "EVT RELAY needs field W"},
      {msg(MeterEvent{1, 1, EventKind::kLastGasp, {}, {}, 5, {}, {}}), "EVT LAST-GASP does not take field CR"},
      {msg(MeterEvent{1, 1, EventKind::kTokenRejected, token, {}, {}, {}, {}}), "EVT TOKEN-REJECTED needs field R"},
      {msg(MeterEvent{0, 1, EventKind::kTamper, {}, {}, {}, {}, {}}), "field N is out of range"},
      {msg(MeterEvent{1, 0, EventKind::kTamper, {}, {}, {}, {}, {}}), "field D is out of range"},
  };
  for (const auto& [message, error] : bad) {
    auto text = encode_unsigned(message);
    INFO(error);
    REQUIRE_FALSE(text.ok());
    CHECK(text.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(text.status().message(), Catch::Contains(std::string(error)));
  }
}

TEST_CASE("bad input is refused with an error naming what is wrong", "[meters][protocol]") {
  const std::vector<std::pair<std::string, std::string_view>> bad = {
      {"", "empty message"},
      {"TOKEN 14012345678 20000 1234", "no PM1 prefix"},
      {with_mac("PM2 RDQ K=M1 C=1 S=1"), "unsupported modem protocol version"},
      {with_mac("pm1 rdq k=m1 c=1 s=1"), "character 1 is not in the protocol's alphabet"},
      {with_mac("PM1 RDQ K=M1 C=1 S=1") + "\n", "not in the protocol's alphabet"},
      {with_mac("PM1 RDQ K=M1 C=1 S=1") + " ", "empty field"},
      {with_mac("PM1  RDQ K=M1 C=1 S=1"), "empty field"},
      {with_mac("PM1 RDQ K=M1 C=1 S=1 S=1"), "field S is not allowed here"},
      {with_mac("PM1 XYZ K=M1 C=1 S=1"), "unknown message type"},
      {with_mac("PM1 RDQ C=1 K=M1 S=1"), "field K must come after the type"},
      {with_mac("PM1 RDQ K=M1 S=1 C=1"), "field C must come after K"},
      {"PM1 RDQ K=M1 C=1 M=AAAAAAAAAAAAAAAA S=1", "field M (the MAC) must come last"},
      {"PM1 RDQ K=M1 C=1 S=1 M=AAAAAAAAAAAAAAA", "field M must have 16 characters"},
      {"PM1 RDQ K=M1 C=1 S=1 M=AAAAAAAAAAAAAAA1", "field M is not base32"},
      {with_mac("PM1 RDQ K=M1 C=1 S"), "word 5 is not NAME=value"},
      {with_mac("PM1 RDQ K=M1 C=1 =1"), "word 5 is not NAME=value"},
      {with_mac("PM1 RDQ K=M1 C=1 S="), "field S must have 1 to 10 digits"},
      {with_mac("PM1 RDQ K=M1 C=01 S=1"), "field C has a leading zero"},
      {with_mac("PM1 RDQ K=M1 C=4294967296 S=1"), "field C is out of range"},
      {with_mac("PM1 RDQ K=M1 C=1 S=12345678901"), "field S must have 1 to 10 digits"},
      {with_mac("PM1 RDQ K=M1 C=-1 S=1"), "field C is not a decimal number"},
      {with_mac("PM1 RDQ K=M1 C=1"), "RDQ: field S is missing"},
      {with_mac("PM1 RDQ K=M1 C=1 S=1 CR=5"), "RDQ: field CR is not allowed here"},
      {with_mac("PM1 ACC K=M1 C=1 S=1 RL=ON CR=5"), "ACC: field CR is not allowed here or out of order"},
      {with_mac("PM1 REJ K=M1 C=1 S=1 R=SORRY"), "field R has an unknown value"},
      {with_mac("PM1 TOK K=M1 C=1 S=1 T=51043465443420856213,"), "a token has 20 digits"},
      {with_mac("PM1 TOK K=M1 C=1 S=1 T=5104346544342085621X"), "a token has only digits"},
      {with_mac("PM1 RLY K=M1 C=1 S=1 A=ON W=BUTTON"), "must be ARREARS, REQUEST or SAFETY"},
      {with_mac("PM1 RLY K=M1 C=1 S=1 A=OPEN W=REQUEST"), "field A has an unknown value"},
      {with_mac("PM1 EVT K=M1 C=1 N=1 D=5 EV=RELAY W=BUTTON RL=ON"), "EVT: field RL is not allowed here or out of order"},
      {with_mac("PM1 EVT K=M1 C=1 N=1 D=5 EV=SMOKE"), "field EV has an unknown value"},
      {with_mac("PM1 EVT K=M1 C=1 N=1 D=5 EV=CREDIT"), "EVT CREDIT needs field CR"},
      {with_mac("PM1 RDG K=M1 C=1 S=1 D=5 EN=1 CR=1 RL=ON P=1 V=100000"), "field V must have 1 to 5 digits"},
      {with_mac("PM1 RDG K=M1 C=1 S=1 D=5 EN=1 CR=1 RL=ON P=1"), "RDG: field V is missing"},
      {with_mac("PM1 TOK K=M1 C=1 S=1 T=" + std::string(kToken) + "," + std::string(kToken) + "," +
                std::string(kToken) + "," + std::string(kToken)),
       "at most 3 tokens"},
      {with_mac("PM1 RDQ K=M1 C=1 S=1 " + std::string(130, 'X')), "more than one SMS"},
  };
  for (const auto& [text, error] : bad) {
    INFO(text);
    auto decoded = decode(text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(decoded.status().message(), Catch::Contains(std::string(error)));
    // A refused text's error never quotes a value (it may be a token).
    CHECK_THAT(decoded.status().message(), !Catch::Contains(std::string(kToken)));
  }
}

TEST_CASE("every truncation of a valid message is refused", "[meters][protocol]") {
  for (const Example& example : examples()) {
    const std::string full = with_mac(example.text);
    REQUIRE(decode(full).ok());
    for (size_t length = 0; length < full.size(); ++length) {
      INFO(full.substr(0, length));
      CHECK_FALSE(decode(std::string_view(full).substr(0, length)).ok());
    }
  }
}

TEST_CASE("describe() names the message and masks its tokens", "[meters][protocol]") {
  const std::string described = describe(msg(TokenDelivery{12, {std::string(kToken)}}));
  CHECK(described == "TOK K=M1400001 C=7 S=12 T=5104-****-****-****-6213");
  CHECK(describe(msg(Rejected{12, MeterReason::kOld, {}, {}})) == "REJ K=M1400001 C=7 S=12 R=OLD");
  CHECK(describe(msg(MeterEvent{45, 9, EventKind::kTokenRejected, std::string(kToken), MeterReason::kUsed, {}, {},
                                {}})) == "EVT K=M1400001 C=7 N=45 EV=TOKEN-REJECTED T=5104-****-****-****-6213");
  CHECK(describe(msg(Reading{{}, 41, 9, 0, 0, RelayState::kOn, 0, 0})) == "RDG K=M1400001 C=7 N=41");
}

}  // namespace
}  // namespace pintar::meters
