#include "vending/sts/token.h"

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::sts {
namespace {

TokenCipher ea07_cipher(std::string_view dk_hex) {
  return TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa07, dk_hex).value(), StaTables::sample())
      .value();
}

TokenCipher ea11_cipher(std::string_view dk_hex) {
  return TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa11, dk_hex).value(), nullptr).value();
}

TEST_CASE("EA07 credit token with the sample tables: known answer", "[sts][token]") {
  // IEC 62055-41 sample STA tables, DK 0ABC12DEF3456789; class 0, sub 0, RND 11,
  // 1996-03-25 13:55 (base 1993), 25.6 kWh (see sta_test.cpp for the source).
  const uint32_t tid = tid_from_time(parse_utc_minute("1996-03-25T13:55Z").value(), BaseDate::k1993).value();
  const TokenData data = credit_token(CreditRegister::kElectricity, 11, tid, 256).value();
  CHECK(data.data_block == 0x0B19EB230100C207);
  const TokenCipher cipher = ea07_cipher("0ABC12DEF3456789");
  CHECK(cipher.uses_sample_tables());
  const TokenNumber number = encode_token(cipher, data);
  CHECK(to_string(number) == "51043465443420856213");
  CHECK(display_form(number) == "5104-3465-4434-2085-6213");

  const DecodedToken decoded = decode_token(cipher, parse_token_number("51043465443420856213").value());
  CHECK(decoded.crc_ok);
  CHECK(decoded.data == data);
}

TEST_CASE("DKGA04 + EA11 credit token: known answer", "[sts][token]") {
  // STS 531-1-0-04 conformance test CTSA01_04 (as transcribed in NectarAPI/tokens-service
  // tests): 0.1 kWh, RND 5, 2004-03-01 13:00 (base 1993).
  const uint32_t tid = tid_from_time(parse_utc_minute("2004-03-01T13:00Z").value(), BaseDate::k1993).value();
  const TokenData data = credit_token(CreditRegister::kElectricity, 5, tid, 1).value();
  const TokenCipher cipher = ea11_cipher("F94B6ED353C3BFDB113E2D3A7EA3C41D");
  CHECK_FALSE(cipher.uses_sample_tables());
  CHECK(to_string(encode_token(cipher, data)) == "59386323472137426967");
  const DecodedToken decoded = decode_token(cipher, parse_token_number("59386323472137426967").value());
  CHECK(decoded.crc_ok);
  CHECK(decoded.data == data);
}

TEST_CASE("class 1 test token: known answer", "[sts][token]") {
  // STS 531-1-0-02 conformance test, class 1 subclass 0 with all 36 control bits and
  // manufacturer code 00 (as transcribed in NectarAPI/tokens-service tests).
  const TokenData data = test_token((uint64_t{1} << 36) - 1, 0x00).value();
  CHECK(data.data_block == 0x0FFFFFFFFF005EFF);
  CHECK(to_string(encode_clear_token(data)) == "56493153725450313471");
  // Class 1 is never encrypted, whatever cipher is at hand.
  CHECK(to_string(encode_token(ea07_cipher("0ABC12DEF3456789"), data)) == "56493153725450313471");
  const DecodedToken decoded = decode_clear_token(parse_token_number("56493153725450313471").value());
  CHECK(decoded.crc_ok);
  CHECK(decoded.data == data);
}

TEST_CASE("a wrong key or a mistyped digit fails the CRC", "[sts][token]") {
  const TokenCipher right = ea07_cipher("0ABC12DEF3456789");
  const TokenCipher wrong = ea07_cipher("0ABC12DEF3456788");
  const TokenNumber number = parse_token_number("51043465443420856213").value();
  CHECK_FALSE(decode_token(wrong, number).crc_ok);
  CHECK_FALSE(decode_token(right, parse_token_number("51043465443420856214").value()).crc_ok);
}

TEST_CASE("class 2 management tokens", "[sts][token]") {
  const TokenCipher cipher = ea11_cipher("F94B6ED353C3BFDB113E2D3A7EA3C41D");
  auto round_trip = [&](const TokenData& data) {
    const DecodedToken decoded = decode_token(cipher, encode_token(cipher, data));
    CHECK(decoded.crc_ok);
    CHECK(decoded.data == data);
    return fields_of(data.data_block);
  };
  CHECK(round_trip(max_power_limit_token(3, 100, 1000).value()).field == 0x03E8);  // 1000 W
  CHECK(round_trip(max_power_limit_token(3, 100, 1000).value()).subclass == subclass::kSetMaximumPowerLimit);
  CHECK(round_trip(max_phase_power_unbalance_limit_token(3, 101, 20000).value()).field == 0x416A);
  CHECK(round_trip(clear_credit_token(3, 102, kAllRegisters).value()).field == 0xFFFF);
  const TokenFields tamper = round_trip(clear_tamper_token(3, 103).value());
  CHECK(tamper.subclass == subclass::kClearTamperCondition);
  CHECK(tamper.field == 0);
  CHECK_FALSE(max_power_limit_token(16, 100, 1000).ok());
  CHECK_FALSE(max_power_limit_token(3, 0x1000000, 1000).ok());
  CHECK_FALSE(token_from_fields(3, {}).ok());
}

TEST_CASE("key-change token sets", "[sts][token][kct]") {
  const NewKeySettings settings{.key_type = 2, .krn = 4, .tariff_index = 99, .ken = 0xA5, .rollover = true, .sgc = 123457};
  SECTION("EA07: two tokens carrying the 64-bit key") {
    const DecoderKey key = DecoderKey::from_hex(EncryptionAlgorithm::kEa07, "E653341F9D5BF36F").value();
    const auto set = key_change_tokens(key, settings).value();
    REQUIRE(set.size() == 2);
    CHECK(set[0].token_class == kClassManagement);
    // 1st section: sub 3 | KENHO A | KRN 4 | RO 1, reserved 0, KT 2 | NKHO E653341F | CRC
    CHECK(set[0].data_block >> 16 == 0x3A4AE653341F);
    // 2nd section: sub 4 | KENLO 5 | TI 99 binary (0x63) | NKLO 9D5BF36F | CRC
    CHECK(set[1].data_block >> 16 == 0x45639D5BF36F);
    for (const TokenData& t : set) CHECK(crc_ok(t.token_class, t.data_block));
  }
  SECTION("EA11: four tokens carrying the 128-bit key and the SGC") {
    const DecoderKey key = DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "F94B6ED353C3BFDB113E2D3A7EA3C41D").value();
    const auto set = key_change_tokens(key, settings).value();
    REQUIRE(set.size() == 4);
    CHECK(set[0].data_block >> 16 == 0x3A4AF94B6ED3);
    CHECK(set[1].data_block >> 16 == 0x45637EA3C41D);
    // SGC 123457 = 0x01E241: low 12 bits 0x241 in section 3, high 12 bits 0x01E in section 4.
    CHECK(set[2].data_block >> 16 == 0x824153C3BFDB);
    CHECK(set[3].data_block >> 16 == 0x901E113E2D3A);
  }
  NewKeySettings bad = settings;
  bad.krn = 10;
  const DecoderKey key = DecoderKey::from_hex(EncryptionAlgorithm::kEa07, "E653341F9D5BF36F").value();
  CHECK_FALSE(key_change_tokens(key, bad).ok());
}

}  // namespace
}  // namespace pintar::sts
