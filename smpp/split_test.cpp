#include "smpp/split.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

TEST_CASE("short GSM text is one part with data_coding 0") {
  auto parts = encode_mt("TOKEN 1234-5678 {ok}", 1);
  REQUIRE(parts.ok());
  CHECK(parts->data_coding == 0);
  CHECK(!parts->udhi);
  REQUIRE(parts->short_messages.size() == 1);
  CHECK(parts->short_messages[0].size() == 22);  // { and } take an escape each
}

TEST_CASE("160 septets fit one part; 161 need two of at most 153") {
  CHECK(encode_mt(std::string(160, 'a'), 1)->short_messages.size() == 1);
  auto parts = encode_mt(std::string(161, 'a'), 9);
  REQUIRE(parts.ok());
  REQUIRE(parts->short_messages.size() == 2);
  CHECK(parts->udhi);
  CHECK(parts->short_messages[0].substr(0, 6) == std::string("\x05\x00\x03\x09\x02\x01", 6));
  CHECK(parts->short_messages[0].size() == 6 + 153);
  CHECK(parts->short_messages[1].substr(0, 6) == std::string("\x05\x00\x03\x09\x02\x02", 6));
  CHECK(parts->short_messages[1].size() == 6 + 8);
}

TEST_CASE("an escape pair is never cut between parts") {
  const std::string text = std::string(152, 'a') + "€" + std::string(10, 'b');
  auto parts = encode_mt(text, 1);
  REQUIRE(parts.ok());
  REQUIRE(parts->short_messages.size() == 2);
  CHECK(parts->short_messages[0].size() == 6 + 152);
  CHECK(parts->short_messages[1].substr(6, 2) == "\x1B\x65");
}

TEST_CASE("non-GSM text is UCS-2: 70 units single, 67 per part, surrogates kept whole") {
  auto single = encode_mt("Привет", 1);
  REQUIRE(single.ok());
  CHECK(single->data_coding == 8);
  std::string long_text;
  for (int i = 0; i < 66; ++i) long_text += "ж";
  long_text += "😀";  // needs units 67 and 68
  for (int i = 0; i < 5; ++i) long_text += "ж";  // 73 units in all
  auto parts = encode_mt(long_text, 3);
  REQUIRE(parts.ok());
  REQUIRE(parts->short_messages.size() == 2);
  CHECK(parts->short_messages[0].size() == 6 + 66 * 2);
  CHECK(parts->short_messages[1].size() == 6 + 7 * 2);
}

TEST_CASE("empty or too long texts are refused") {
  CHECK(!encode_mt("", 1).ok());
  CHECK(!encode_mt(std::string(153 * 256, 'a'), 1).ok());
  CHECK(encode_mt(std::string(153 * 255, 'a'), 1)->short_messages.size() == 255);
}

}  // namespace
}  // namespace pintar::smpp
