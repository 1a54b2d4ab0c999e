#include "vending/sts/meter.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

constexpr std::string_view kSampleDk = "0ABC12DEF3456789";

DecoderKey ea07_key(std::string_view hex) { return DecoderKey::from_hex(EncryptionAlgorithm::kEa07, hex).value(); }

MeterDecoder ea07_meter(size_t memory = 20, uint8_t ken = 0xFF) {
  return MeterDecoder::create({.key = ea07_key(kSampleDk),
                               .tables = StaTables::sample(),
                               .ken = ken,
                               .manufacturer_code = 0x42,
                               .tid_memory_size = memory})
      .value();
}

std::string credit(std::string_view dk_hex, uint32_t tid, uint64_t tenths) {
  const TokenCipher cipher = TokenCipher::create(ea07_key(dk_hex), StaTables::sample()).value();
  return to_string(encode_token(cipher, credit_token(CreditRegister::kElectricity, 7, tid, tenths).value()));
}

TEST_CASE("a meter accepts a token once, then says USED", "[sts][meter]") {
  MeterDecoder meter = ea07_meter();
  // The EA07 sample-table vector token (see sta_test.cpp): 25.6 kWh.
  const auto first = meter.enter("5104-3465-4434-2085-6213");
  CHECK(first.result == MeterResult::kAccepted);
  REQUIRE(first.data.has_value());
  CHECK(meter.credit(CreditRegister::kElectricity) == 256);
  CHECK(meter.enter("51043465443420856213").result == MeterResult::kUsedError);
  CHECK(meter.credit(CreditRegister::kElectricity) == 256);
  CHECK(meter_result_name(MeterResult::kUsedError) == "UsedError");
}

TEST_CASE("format and authentication errors", "[sts][meter]") {
  MeterDecoder meter = ea07_meter();
  CHECK(meter.enter("5104346544342085621").result == MeterResult::kFormatError);
  CHECK(meter.enter("51043465443420856214").result == MeterResult::kAuthenticationError);
  CHECK(meter.enter(credit("1111111111111111", 100, 10)).result == MeterResult::kAuthenticationError);
  CHECK(meter.tid_memory().size() == 1);  // nothing was remembered
}

TEST_CASE("old TIDs fall out of a full memory", "[sts][meter]") {
  MeterDecoder meter = ea07_meter(3);
  for (uint32_t tid : {10, 20, 30, 40}) CHECK(meter.enter(credit(kSampleDk, tid, 1)).result == MeterResult::kAccepted);
  CHECK(meter.tid_memory() == std::set<uint32_t>{20, 30, 40});
  CHECK(meter.enter(credit(kSampleDk, 15, 1)).result == MeterResult::kOldError);
  CHECK(meter.enter(credit(kSampleDk, 25, 1)).result == MeterResult::kAccepted);  // in between: fine
  CHECK(meter.enter(credit(kSampleDk, 20, 1)).result == MeterResult::kOldError);  // pushed out by 25
  CHECK(meter.credit(CreditRegister::kElectricity) == 5);
}

TEST_CASE("the manufacture TID and the key expiry number", "[sts][meter]") {
  auto meter = MeterDecoder::create({.key = ea07_key(kSampleDk), .tables = StaTables::sample(), .ken = 0x19,
                                     .manufacture_tid = 1000})
                   .value();
  CHECK(meter.enter(credit(kSampleDk, 999, 1)).result == MeterResult::kOldError);
  CHECK(meter.enter(credit(kSampleDk, 0x19FFFF, 1)).result == MeterResult::kAccepted);
  CHECK(meter.enter(credit(kSampleDk, 0x1A0000, 1)).result == MeterResult::kKeyExpiredError);
}

TEST_CASE("class 1 and class 2 tokens", "[sts][meter]") {
  MeterDecoder meter = ea07_meter();
  CHECK(meter.enter(to_string(encode_clear_token(test_token(1, 0x42).value()))).result == MeterResult::kAccepted);
  CHECK(meter.enter(to_string(encode_clear_token(test_token(1, 0x43).value()))).result ==
        MeterResult::kAuthenticationError);

  const TokenCipher cipher = TokenCipher::create(ea07_key(kSampleDk), StaTables::sample()).value();
  auto enter = [&](const TokenData& data) { return meter.enter(to_string(encode_token(cipher, data))).result; };
  CHECK(enter(credit_token(CreditRegister::kElectricity, 1, 50, 100).value()) == MeterResult::kAccepted);
  CHECK(enter(credit_token(CreditRegister::kWater, 1, 51, 30).value()) == MeterResult::kAccepted);
  CHECK(enter(max_power_limit_token(1, 52, 2200).value()) == MeterResult::kAccepted);
  CHECK(meter.maximum_power_limit_watts() == 2200);
  CHECK(enter(max_phase_power_unbalance_limit_token(1, 53, 500).value()) == MeterResult::kAccepted);
  CHECK(meter.maximum_phase_power_unbalance_limit_watts() == 500);
  CHECK(enter(clear_tamper_token(1, 54).value()) == MeterResult::kAccepted);
  CHECK(meter.tamper_clears() == 1);
  CHECK(enter(clear_credit_token(1, 55, 0).value()) == MeterResult::kAccepted);
  CHECK(meter.credit(CreditRegister::kElectricity) == 0);
  CHECK(meter.credit(CreditRegister::kWater) == 30);
  CHECK(enter(clear_credit_token(1, 56, kAllRegisters).value()) == MeterResult::kAccepted);
  CHECK(meter.credit(CreditRegister::kWater) == 0);
  CHECK(enter(token_from_fields(kClassManagement, {.subclass = 12, .rnd = 1, .tid = 57}).value()) ==
        MeterResult::kFunctionError);
}

TEST_CASE("an EA07 key change with rollover", "[sts][meter][kct]") {
  MeterDecoder meter = ea07_meter();
  REQUIRE(meter.enter(credit(kSampleDk, 500, 10)).result == MeterResult::kAccepted);
  const DecoderKey new_key = ea07_key("E653341F9D5BF36F");
  const auto set = key_change_tokens(new_key, {.key_type = 2, .krn = 2, .tariff_index = 1, .ken = 0xFF, .rollover = true})
                       .value();
  const TokenCipher old_cipher = TokenCipher::create(ea07_key(kSampleDk), StaTables::sample()).value();
  // Either order; the set is encrypted with the key the meter has now.
  CHECK(meter.enter(to_string(encode_token(old_cipher, set[1]))).result == MeterResult::kKeyChangePending);
  CHECK(meter.enter(to_string(encode_token(old_cipher, set[0]))).result == MeterResult::kKeyChanged);
  CHECK(meter.key() == new_key);
  CHECK(meter.krn() == 2);
  CHECK(meter.tid_memory().empty());
  CHECK(meter.enter(credit(kSampleDk, 501, 10)).result == MeterResult::kAuthenticationError);  // old key
  CHECK(meter.enter(credit("E653341F9D5BF36F", 500, 10)).result == MeterResult::kAccepted);  // TID reused after RO
}

TEST_CASE("an EA11 key change takes four tokens and sets the KEN", "[sts][meter][kct]") {
  const DecoderKey old_key =
      DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "F94B6ED353C3BFDB113E2D3A7EA3C41D").value();
  const DecoderKey new_key =
      DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "00112233445566778899AABBCCDDEEFF").value();
  auto meter = MeterDecoder::create({.key = old_key, .tables = nullptr}).value();
  const TokenCipher old_cipher = TokenCipher::create(old_key, nullptr).value();
  const auto set =
      key_change_tokens(new_key, {.key_type = 2, .krn = 1, .tariff_index = 1, .ken = 0x30, .sgc = 123457}).value();
  REQUIRE(set.size() == 4);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(meter.enter(to_string(encode_token(old_cipher, set[i]))).result == MeterResult::kKeyChangePending);
  }
  CHECK(meter.enter(to_string(encode_token(old_cipher, set[3]))).result == MeterResult::kKeyChanged);
  CHECK(meter.key() == new_key);
  CHECK(meter.ken() == 0x30);
  CHECK(meter.tid_memory().size() == 1);  // no rollover: memory kept
}

}  // namespace
}  // namespace pintar::sts
