#include "vending/sts/token_meaning.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

TEST_CASE("decode report of the EA07 sample-table token", "[sts][meaning]") {
  const TokenCipher cipher =
      TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa07, "0ABC12DEF3456789").value(),
                          StaTables::sample())
          .value();
  const auto report = decode_report(decode_token(cipher, parse_token_number("51043465443420856213").value()));
  CHECK(report["class"] == 0);
  CHECK(report["subclass"] == 0);
  CHECK(report["rnd"] == 11);
  CHECK(report["tid"] == 0x19EB23);
  CHECK(report["field"] == "0100");
  CHECK(report["crc_ok"] == true);
  CHECK(report["meaning"]["kind"] == "credit");
  CHECK(report["meaning"]["register"] == "electricity");
  CHECK(report["meaning"]["amount"] == 256);
  CHECK(report["meaning"]["text"] == "25.6 kWh");

  const auto bad = decode_report(decode_token(cipher, parse_token_number("51043465443420856214").value()));
  CHECK(bad["crc_ok"] == false);
  CHECK(bad["meaning"].is_null());
}

TEST_CASE("meanings of the other token kinds", "[sts][meaning]") {
  CHECK(describe(test_token((uint64_t{1} << 36) - 1, 0x00).value()) ==
        nlohmann::json{{"kind", "test"}, {"control", "FFFFFFFFF"}, {"manufacturer_code", 0}});
  CHECK(describe(max_power_limit_token(0, 1, 5500).value())["watts"] == 5500);
  CHECK(describe(max_phase_power_unbalance_limit_token(0, 1, 300).value())["kind"] ==
        "set_maximum_phase_power_unbalance_limit");
  CHECK(describe(clear_credit_token(0, 1, kAllRegisters).value())["register"] == "all");
  CHECK(describe(clear_credit_token(0, 1, 2).value())["register"] == "gas");
  CHECK(describe(clear_tamper_token(0, 1).value())["kind"] == "clear_tamper_condition");
  CHECK(describe(credit_token(CreditRegister::kWater, 0, 1, 15).value())["text"] == "1.5 m3");

  const DecoderKey key = DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "F94B6ED353C3BFDB113E2D3A7EA3C41D").value();
  const auto set =
      key_change_tokens(key, {.key_type = 2, .krn = 3, .tariff_index = 7, .ken = 0x4C, .rollover = true, .sgc = 123457})
          .value();
  const auto first = describe(set[0]);
  CHECK(first == nlohmann::json{{"kind", "key_change"}, {"section", 1}, {"ken_high_nibble", 4}, {"krn", 3},
                                {"rollover", true}, {"key_type", 2}});
  CHECK(describe(set[1]) ==
        nlohmann::json{{"kind", "key_change"}, {"section", 2}, {"ken_low_nibble", 0xC}, {"tariff_index", 7}});
  CHECK(describe(set[2])["sgc_low_12_bits"] == (123457 & 0xFFF));
  CHECK(describe(set[3])["sgc_high_12_bits"] == (123457 >> 12));
  // The key bits themselves are never part of the meaning.
  CHECK(first.dump().find("F94B") == std::string::npos);
}

TEST_CASE("the decode report withholds the key bits a key-change section carries", "[sts][meaning]") {
  const DecoderKey old_key = DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "F94B6ED353C3BFDB113E2D3A7EA3C41D").value();
  const DecoderKey new_key = DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "00112233445566778899AABBCCDDEEFF").value();
  const TokenCipher cipher = TokenCipher::create(old_key, nullptr).value();
  const auto set =
      key_change_tokens(new_key, {.key_type = 2, .krn = 3, .tariff_index = 7, .ken = 0x4C, .rollover = false, .sgc = 1})
          .value();
  REQUIRE(set.size() == 4);
  for (const TokenData& section : set) {
    const auto report = decode_report(decode_token(cipher, encode_token(cipher, section)));
    INFO(report.dump());
    CHECK(report["crc_ok"] == true);
    CHECK(report["meaning"]["kind"] == "key_change");
    CHECK(report["tid"].is_null());
    CHECK(report["field"].is_null());
  }
  // Other management tokens keep theirs.
  const auto limit = decode_report(decode_token(cipher, encode_token(cipher, max_power_limit_token(0, 77, 5500).value())));
  CHECK(limit["tid"] == 77);
  CHECK(limit["field"].is_string());
}

}  // namespace
}  // namespace pintar::sts
