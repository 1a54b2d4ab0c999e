#include "vending/p2apst/iso8583.h"

#include <catch2/catch.hpp>

#include "vending/p2apst/test_vectors.h"

namespace pintar::p2apst {
namespace {

Message sign_on() {
  return {"2800", {{11, "000000000001"}, {12, "20260101080000"}, {33, "4512017"}, {40, "001"}, {41, "PINTAR0000000001"}, {48, "SIM0001"}}};
}

TEST_CASE("decodes PLN's published 2210 purchase response field by field") {
  auto m = decode(testing::kPedamiPurchaseResponse);
  REQUIRE(m.ok());
  CHECK(m->mti == "2210");
  CHECK(m->get(bit::kProductCode) == "99502");
  CHECK(m->get(bit::kAmount) == "3600000000100000");
  CHECK(m->get(bit::kStan) == "000000123885");
  CHECK(m->get(bit::kLocalDateTime) == "20170411120745");
  CHECK(m->get(bit::kSettlementDate) == "20170412");
  CHECK(m->get(bit::kMerchantType) == "6021");
  CHECK(m->get(bit::kBankCode) == "4510017");
  CHECK(m->get(bit::kPartnerCentralId) == "4512017");
  CHECK(m->get(bit::kResponseCode) == "0000");
  CHECK(m->get(bit::kTerminalId) == "0000000000000048");
  CHECK(m->get(bit::kPrivateData).size() == 241);
  CHECK(m->get(bit::kPrivateData3).size() == 39);
  CHECK(m->get(bit::kInfoText) == "Rincian tagihan dapat diakses di www.pln.co.id atau PLN terdekat");
  CHECK(m->fields.size() == 13);
}

TEST_CASE("encoding a decoded message reproduces it byte for byte") {
  auto m = decode(testing::kPedamiPurchaseResponse);
  REQUIRE(m.ok());
  auto bytes = encode(*m);
  REQUIRE(bytes.ok());
  CHECK(*bytes == testing::kPedamiPurchaseResponse);
}

TEST_CASE("encode writes the bitmap of the fields present") {
  auto bytes = encode(sign_on());
  REQUIRE(bytes.ok());
  // bits 11, 12, 33, 40, 41, 48
  CHECK(bytes->substr(0, 20) == "28000030000081810000");
  auto back = decode(*bytes);
  REQUIRE(back.ok());
  CHECK(back->fields == sign_on().fields);
}

TEST_CASE("encode refuses what decode would refuse") {
  Message m = sign_on();
  m.fields[11] = "1";  // n12 fixed
  CHECK(encode(m).status().code() == StatusCode::kInvalidArgument);
  m = sign_on();
  m.fields[33] = "45120170";  // LLVAR n..7
  CHECK(encode(m).status().message().find("at most 7") != std::string::npos);
  m = sign_on();
  m.fields[40] = "0a1";
  CHECK(!encode(m).ok());
  m = sign_on();
  m.fields[3] = "380000";  // not in this dialect
  CHECK(encode(m).status().message().find("bit 3") != std::string::npos);
  m = sign_on();
  m.mti = "28x0";
  CHECK(!encode(m).ok());
}

TEST_CASE("decode reports the first problem and never reads past the input") {
  const std::string good = *encode(sign_on());
  CHECK(decode("").status().message().find("shorter") != std::string::npos);
  CHECK(decode(good.substr(0, good.size() - 1)).status().message().find("bit 48") != std::string::npos);
  CHECK(decode(good + "X").status().message().find("after the last") != std::string::npos);
  std::string bad_bitmap = good;
  bad_bitmap[5] = 'G';
  CHECK(decode(bad_bitmap).status().message().find("hex") != std::string::npos);
  std::string undefined_bit = good;
  undefined_bit[4] = '2';  // sets bit 3
  CHECK(decode(undefined_bit).status().message().find("bit 3") != std::string::npos);
  std::string bad_prefix = good;
  bad_prefix.replace(good.find("074512017"), 2, "09");  // LLVAR n..7 says 9
  CHECK(decode(bad_prefix).status().message().find("exceeds") != std::string::npos);
  std::string letters_in_n = good;
  letters_in_n[20] = 'A';  // first digit of bit 11
  CHECK(decode(letters_in_n).status().message().find("bit 11") != std::string::npos);
}

TEST_CASE("a secondary bitmap is read; bits it sets must be defined") {
  std::string with_secondary = "2800" "8030000081810000" "0000000000000000" + encode(sign_on())->substr(20);
  auto m = decode(with_secondary);
  REQUIRE(m.ok());
  CHECK(m->fields == sign_on().fields);
  with_secondary.replace(20, 16, "0400000000000000");  // bit 70
  CHECK(decode(with_secondary).status().message().find("bit 70") != std::string::npos);
  CHECK(decode("28008030000080810000").status().message().find("secondary") != std::string::npos);
}

TEST_CASE("response MTIs follow ISO 8583:2003 message functions") {
  CHECK(Message::response_mti("2800") == "2810");
  CHECK(Message::response_mti("2100") == "2110");
  CHECK(Message::response_mti("2200") == "2210");
  CHECK(Message::response_mti("2220") == "2230");
  CHECK(Message::response_mti("2221") == "2231");
  CHECK(!Message::response_mti("2210").has_value());
  CHECK(!Message::response_mti("22").has_value());
}

}  // namespace
}  // namespace pintar::p2apst
