#include "smpp/text.h"

#include <catch2/catch.hpp>

#include "common/hex.h"
#include "smpp/test_pdus.h"

namespace pintar::smpp {
namespace {

using testing::as_bytes;

// Code points from 3GPP TS 23.038 §6.2.1 (default alphabet) and §6.2.1.1 (extension table).
TEST_CASE("GSM 03.38 default alphabet and extension table") {
  const auto septets = gsm7_encode(utf8_to_code_points("@£$¥èΔ_ÆßÉ¤¡ÄÖÑÜ§¿äöñüà"));
  REQUIRE(septets.has_value());
  CHECK(hex_encode(*septets) == "00010203041011"  "1C1E1F" "24" "40" "5B5C5D5E5F" "60" "7B7C7D7E7F");
  const auto ext = gsm7_encode(utf8_to_code_points("€[]{}\\^~|\f"));
  REQUIRE(ext.has_value());
  CHECK(hex_encode(*ext) == "1B65" "1B3C" "1B3E" "1B28" "1B29" "1B2F" "1B14" "1B3D" "1B40" "1B0A");
  CHECK(gsm7_decode(as_bytes(*ext)) == "€[]{}\\^~|\f");
  CHECK(gsm7_decode(as_bytes(*septets)) == "@£$¥èΔ_ÆßÉ¤¡ÄÖÑÜ§¿äöñüà");
}

TEST_CASE("characters outside GSM 03.38 are refused by the encoder") {
  CHECK(!gsm7_encode(utf8_to_code_points("Привет")).has_value());
  CHECK(!gsm7_encode(utf8_to_code_points("`")).has_value());  // grave accent has no GSM form
  CHECK(!gsm7_encode(U"\x1B").has_value());                     // ESC is not a character
}

TEST_CASE("GSM decoding of odd escapes") {
  CHECK(gsm7_decode(as_bytes(std::string("A\x1B", 2))) == "A ");
  CHECK(gsm7_decode(as_bytes(std::string("\x1B\x41", 2))) == "A");  // undefined extension: basic char
}

TEST_CASE("UCS-2 round trip with a surrogate pair") {
  const std::string text = "Tokén 😀 ok";
  const std::string ucs2 = ucs2_encode(utf8_to_code_points(text));
  CHECK(hex_encode(ucs2).substr(0, 16) == "0054006F006B00E9");
  CHECK(ucs2.size() == 2 * 11);  // 9 BMP chars + a surrogate pair
  CHECK(ucs2_decode(as_bytes(ucs2)) == text);
  CHECK(ucs2_decode(as_bytes(std::string("\xD8\x3D\x00\x41", 4))) == "\xEF\xBF\xBD" "A");  // lone surrogate
}

TEST_CASE("malformed UTF-8 becomes U+FFFD") {
  CHECK(utf8_to_code_points("a\xC3") == U"a\uFFFD");
  CHECK(utf8_to_code_points("\xC0\xAF") == U"\uFFFD\uFFFD");  // overlong
  CHECK(utf8_to_code_points("\xED\xA0\x80").front() == U'\uFFFD');  // encoded surrogate
}

TEST_CASE("data_coding dispatch accepts DCS 1 (node-smpp) and Latin-1") {
  CHECK(decode_text(0x00, as_bytes("Hello")) == "Hello");
  CHECK(decode_text(0x01, as_bytes(std::string("\x00", 1))) == "@");
  CHECK(decode_text(0x03, as_bytes("\xE9")) == "é");
  CHECK(decode_text(0x08, as_bytes(std::string("\x00\x41", 2))) == "A");
  CHECK(decode_text(0xF0, as_bytes("Hi")) == "Hi");
  CHECK(!decode_text(0x04, as_bytes("\x01\x02")).has_value());  // 8-bit binary
  CHECK(!decode_text(0xF4, as_bytes("\x01")).has_value());
}

}  // namespace
}  // namespace pintar::smpp
