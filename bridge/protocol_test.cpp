#include "bridge/protocol.h"

#include <catch2/catch.hpp>

namespace pintar::bridge {
namespace {

template <typename T>
T round_trip(const T& message) {
  auto decoded = decode(encode(message));
  REQUIRE(decoded.ok());
  REQUIRE(std::holds_alternative<T>(*decoded));
  return std::get<T>(*decoded);
}

TEST_CASE("every message survives encode and decode", "[protocol]") {
  const Mo mo{.id = "9f2c01aa-7", .smsc = "telkomsel", .from = "6281234567890", .to = "1234",
              .text = "BELI 14012345678 20000 €", .data_coding = 8, .received_at_ms = 1764000000000};
  auto m = round_trip(mo);
  CHECK(m.id == mo.id);
  CHECK(m.smsc == mo.smsc);
  CHECK(m.from == mo.from);
  CHECK(m.to == mo.to);
  CHECK(m.text == mo.text);
  CHECK(m.data_coding == 8);
  CHECK(m.received_at_ms == mo.received_at_ms);

  auto mt = round_trip(Mt{.id = "e-42", .smsc = "", .from = "1234", .to = "628123", .text = "TOKEN", .receipt = false});
  CHECK(mt.id == "e-42");
  CHECK(mt.smsc.empty());
  CHECK_FALSE(mt.receipt);

  CHECK(round_trip(MtAck{.id = "e-42", .stored = false, .error = "unknown smsc x"}).error == "unknown smsc x");
  CHECK(round_trip(MtAck{.id = "e-42"}).stored);

  auto ok = round_trip(MtResult{.id = "9f2c01aa-3", .mt_id = "e-42", .submitted = true, .message_ids = {"26", "27"}});
  CHECK(ok.submitted);
  CHECK(ok.message_ids == std::vector<std::string>{"26", "27"});
  auto failed = round_trip(
      MtResult{.id = "9f2c01aa-4", .mt_id = "e-43", .submitted = false, .command_status = 0x0B, .reason = "ESME_RINVDSTADR"});
  CHECK_FALSE(failed.submitted);
  CHECK(failed.command_status == 0x0B);
  CHECK(failed.reason == "ESME_RINVDSTADR");

  auto receipt = round_trip(Receipt{.id = "9f2c01aa-9", .mt_id = "e-42", .part = 2, .smsc = "telkomsel",
                                    .message_id = "27", .state = "DELIVERED", .error = "000", .received_at_ms = 5});
  CHECK(receipt.mt_id == std::optional<std::string>("e-42"));
  CHECK(receipt.part == 2);
  CHECK(receipt.state == "DELIVERED");
  CHECK_FALSE(round_trip(Receipt{.id = "x", .smsc = "s", .message_id = "1", .state = "EXPIRED"}).mt_id.has_value());

  CHECK(round_trip(MoAck{.id = "a"}).id == "a");
  CHECK(round_trip(MtResultAck{.id = "b"}).id == "b");
  CHECK(round_trip(ReceiptAck{.id = "c"}).id == "c");
  round_trip(Heartbeat{});

  auto repeat = round_trip(MoRepeat{.smsc = "telkomsel", .from = "6281234567890", .to = "1234",
                                    .idempotency_key = std::string(64, 'b'), .received_at_ms = 7});
  CHECK(repeat.from == "6281234567890");
  CHECK(repeat.idempotency_key == std::string(64, 'b'));
  CHECK(repeat.received_at_ms == 7);
}

TEST_CASE("the wire form is the one docs/gateway.md shows", "[protocol]") {
  CHECK(encode(MoAck{.id = "9f2c01aa-7"}) == R"({"id":"9f2c01aa-7","type":"mo_ack","v":1})");
  CHECK(encode(Heartbeat{}) == R"({"type":"heartbeat","v":1})");
  auto mt = decode(R"({"v":1,"type":"mt","id":"e-42","to":"6281234567890","from":"1234","text":"Token 1234",)"
                   R"("some_future_member":[1,2]})");
  REQUIRE(mt.ok());
  CHECK(std::get<Mt>(*mt).receipt);  // default
}

TEST_CASE("an mo carries its idempotency key, raw user data, parts and incomplete; v1 frames without them still decode",
          "[protocol]") {
  const std::string key(64, 'a');
  auto binary = round_trip(Mo{.id = "g-1", .smsc = "modem", .from = "628", .to = "1234", .text = "", .data_coding = 4,
                              .received_at_ms = 1, .idempotency_key = key,
                              .user_data = std::string("\x00\x01\xfe", 3), .parts = 3, .incomplete = true});
  CHECK(binary.idempotency_key == key);
  CHECK(binary.user_data == std::string("\x00\x01\xfe", 3));
  CHECK(binary.parts == 3);
  CHECK(binary.incomplete);
  CHECK_THAT(encode(Mo{.id = "g", .user_data = "\x01\xab"}), Catch::Contains(R"("user_data":"01AB")"));
  auto old = decode(R"({"v":1,"type":"mo","id":"g-2","smsc":"s","from":"628","to":"1234","text":"SALDO"})");
  REQUIRE(old.ok());
  CHECK(std::get<Mo>(*old).idempotency_key.empty());
  CHECK(std::get<Mo>(*old).parts == 1);
  CHECK_FALSE(std::get<Mo>(*old).incomplete);
  CHECK_FALSE(decode(R"({"v":1,"type":"mo","id":"g","smsc":"s","from":"6","to":"1","text":"","user_data":"xyz"})").ok());
}

TEST_CASE("bad frames are refused with a reason, never a crash", "[protocol]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "not JSON"},
      {"{\"v\":1,", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"type":"mo_ack","id":"a"})", "missing \"v\""},
      {R"({"v":2,"type":"mo_ack","id":"a"})", "protocol version 2"},
      {R"({"v":1,"type":"launch","id":"a"})", "unknown type \"launch\""},
      {R"({"v":1,"type":"mt","id":"a","from":"1","to":"2"})", "mt: missing \"text\""},
      {R"({"v":1,"type":"mt","id":7,"from":"1","to":"2","text":""})", "\"id\" has the wrong type"},
      {R"({"v":1,"type":"mt_result","id":"a","mt_id":"b","result":"submitted","message_ids":[1]})", "wrong type"},
      {R"({"v":1,"type":"mt_result","id":"a","mt_id":"b","result":"failed","command_status":-1})", "wrong type"},
      {R"({"v":1.5,"type":"heartbeat"})", "\"v\" has the wrong type"},
      {R"({"v":1,"type":"mo_repeat","smsc":"s","from":"6","to":"1"})", "mo_repeat: missing \"idempotency_key\""},
  };
  for (const auto& [frame, reason] : cases) {
    INFO(frame);
    auto decoded = decode(frame);
    REQUIRE_FALSE(decoded.ok());
    CHECK_THAT(decoded.status().message(), Catch::Contains(reason));
  }
}

TEST_CASE("text that is not UTF-8 is replaced, not thrown over", "[protocol]") {
  auto frame = encode(Mo{.id = "1", .smsc = "s", .from = "1", .to = "2", .text = std::string("a\xff" "b")});
  auto decoded = decode(frame);
  REQUIRE(decoded.ok());
  CHECK(std::get<Mo>(*decoded).text == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("an mt outside the field limits is refused with the member named", "[protocol]") {
  const Mt good{.id = "e-42", .smsc = "telkomsel", .from = "PLN Info", .to = "6281234567890",
                .text = "Token 1234\nTerima kasih €", .receipt = true};
  REQUIRE(validate(good).ok());
  CHECK(validate(Mt{.id = "e", .from = "", .to = "6", .text = "x"}).ok());  // empty from: the SMSC's default
  CHECK(validate(Mt{.id = "e", .from = std::string(20, '1'), .to = std::string(20, '2'), .text = "x"}).ok());

  const auto with = [&](auto change) {
    Mt mt = good;
    change(mt);
    return validate(mt);
  };
  const std::pair<Status, std::string> cases[] = {
      // A NUL inside a C-Octet String would end source_addr early (SMPP 3.4 §4.4.1).
      {with([](Mt& m) { m.from = std::string("12\0" "34", 5); }), "\"from\" holds octet 0x00 at offset 2"},
      {with([](Mt& m) { m.to = "62812\x01"; }), "\"to\" holds octet 0x01 at offset 5"},
      {with([](Mt& m) { m.to = "62812\xC3\xA9"; }), "\"to\" holds octet 0xC3"},
      {with([](Mt& m) { m.from = std::string(21, '1'); }), "\"from\" is 21 octets long, at most 20"},
      {with([](Mt& m) { m.to = std::string(21, '6'); }), "\"to\" is 21 octets long, 1..20"},
      {with([](Mt& m) { m.to = ""; }), "\"to\" is 0 octets long"},
      {with([](Mt& m) { m.id = ""; }), "\"id\" is 0 octets long"},
      {with([](Mt& m) { m.id = "e 42"; }), "\"id\" holds octet 0x20"},
      {with([](Mt& m) { m.id = std::string(129, 'e'); }), "\"id\" is 129 octets long"},
      {with([](Mt& m) { m.smsc = "tel\nkomsel"; }), "\"smsc\" holds octet 0x0A"},
      {with([](Mt& m) { m.text = std::string("Token\0", 6); }), "\"text\" holds octet 0x00 at offset 5"},
      {with([](Mt& m) { m.text = "\x1b[2J"; }), "\"text\" holds octet 0x1B"},
      {with([](Mt& m) { m.text = ""; }), "\"text\" is 0 octets long"},
      {with([](Mt& m) { m.text = std::string(kMaxMtTextOctets + 1, 'a'); }), "\"text\" is 16385 octets long"},
  };
  for (const auto& [status, reason] : cases) {
    INFO(reason);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(status.message(), Catch::StartsWith("mt: ") && Catch::Contains(reason));
  }
}

}  // namespace
}  // namespace pintar::bridge
